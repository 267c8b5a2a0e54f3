"""InfoGCN's information-bottleneck head (Chi et al., CVPR 2022), as an MMAction2 head.

Pooled backbone feature -> ``fc`` + ReLU (+ dropout) -> ``fc_mu`` and ``fc_logvar`` -> latent
``z = mu + eps * exp(noise_ratio * logvar)`` while training (``z = mu`` at inference, so
``fc_logvar`` is training-only) -> ``decoder`` -> class scores. The class priors are the rows of
a random orthogonal matrix times ``prior_gain``; ``InfoGCNLoss`` pulls each class's mean latent
towards its prior.

The head's ``forward`` returns the scores only, as every MMAction2 head, so ``RecognizerGCN``,
``SFRecognizerGCN``, the predict path and score fusion work unchanged; it keeps the latent of its
last forward for ``loss_by_feat``, which checks that the scores it is given are that forward's.
"""
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmaction.evaluation import top_k_accuracy
from mmaction.models.heads import BaseHead
from mmaction.registry import MODELS
from mmaction.utils import SampleList
from ..losses.infogcn_loss import InfoGCNLoss


@MODELS.register_module()
class InfoGCNHead(BaseHead):
    """Latent bottleneck + classifier on the latent.

    Args:
        num_classes (int): Number of classes K.
        in_channels (int): Channels C of the backbone output.
        latent_channels (int, optional): D, the latent size. Defaults to ``in_channels`` (256,
            the authors' ``base_channel * 4``).
        loss_cls (dict): Defaults to ``dict(type='InfoGCNLoss')`` (CE with smoothing 0.1, MMD
            weight 0.1, latent-mean weight 1e-4). Any MMAction2 classification loss also works;
            it then sees only the scores.
        dropout (float): Dropout after ``fc``. Defaults to 0.
        noise_ratio (float): Scale of ``logvar`` in the sampling std. Defaults to 0.5 (the
            authors' training default).
        prior_gain (float): Norm of each class prior. Defaults to 3.0 (``--z_prior_gain 3``).
        average_clips (str): Clip averaging at test time. Defaults to 'prob'.
        init_cfg (dict, optional): mmengine initialisation config.
        **kwargs: ``topk``, ``label_smooth_eps``, ... of ``BaseHead``.

    Shapes:
        (N, M, C, T, V) -> (N, K)
    """

    def __init__(self, num_classes: int, in_channels: int,
                 latent_channels: Optional[int] = None,
                 loss_cls: dict = dict(type='InfoGCNLoss'), dropout: float = 0.,
                 noise_ratio: float = 0.5, prior_gain: float = 3.0,
                 average_clips: str = 'prob', init_cfg: Optional[dict] = None, **kwargs):
        super().__init__(num_classes, in_channels, loss_cls=loss_cls,
                         average_clips=average_clips, init_cfg=init_cfg, **kwargs)
        D = self.latent_channels = latent_channels or in_channels
        self.noise_ratio = noise_ratio
        self.prior_gain = prior_gain
        self.fc = nn.Linear(in_channels, D)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.fc_mu = nn.Linear(D, D)
        self.fc_logvar = nn.Linear(D, D)
        self.decoder = nn.Linear(D, num_classes)
        # Saved with the weights (the authors keep it outside the model): a resumed or
        # fine-tuned run must pull towards the priors it was trained with.
        self.register_buffer('z_prior', torch.empty(num_classes, D))
        self._latent = None  # (scores, z) of the last forward
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        gain = nn.init.calculate_gain('relu')
        for fc in (self.fc, self.fc_mu, self.fc_logvar):
            nn.init.xavier_uniform_(fc.weight, gain=gain)
        nn.init.normal_(self.decoder.weight, 0, (2. / self.num_classes) ** 0.5)
        with torch.no_grad():
            self.z_prior.copy_(nn.init.orthogonal_(torch.empty_like(self.z_prior),
                                                   gain=self.prior_gain))

    def init_weights(self) -> None:
        super().init_weights()
        if not self.init_cfg:
            self._reset_parameters()

    def forward(self, x: torch.Tensor, **kwargs) -> torch.Tensor:
        """Class scores (N, K) from backbone features (N, M, C, T, V)."""
        N, M, C = x.shape[:3]
        if C != self.in_channels:
            raise ValueError(f'InfoGCNHead: backbone gives {C} channels but in_channels='
                             f'{self.in_channels}')
        pooled = x.reshape(N, M, C, -1).mean(dim=3).mean(dim=1)  # over (T, V), then persons
        h = self.dropout(F.relu(self.fc(pooled)))
        mu = self.fc_mu(h)
        if self.training:
            std = torch.exp(self.noise_ratio * self.fc_logvar(h)).clamp(max=100)
            z = mu + torch.randn_like(std) * std
        else:
            z = mu
        scores = self.decoder(z)
        self._latent = (scores, z)
        return scores

    def _take_latent(self, cls_scores: torch.Tensor) -> torch.Tensor:
        latent, self._latent = self._latent, None
        if latent is None:
            raise RuntimeError('InfoGCNHead.loss_by_feat: no latent recorded; pass the scores '
                               'returned by this head\'s forward (as BaseHead.loss does)')
        scores, z = latent
        # The same values, a nan where they have one (a diverged run's scores are still this
        # forward's: its loss is nan, not this error); a float32 copy of bf16 scores is exact.
        if scores is not cls_scores and (
                scores.shape != cls_scores.shape or not torch.allclose(
                    scores.detach().to(cls_scores.dtype), cls_scores.detach(), rtol=0, atol=0,
                    equal_nan=True)):
            raise RuntimeError('InfoGCNHead.loss_by_feat: the scores are not those of the '
                               'head\'s last forward, so its latent z does not belong to them')
        return z

    def loss_by_feat(self, cls_scores: torch.Tensor, data_samples: SampleList) -> Dict:
        """``top{k}_acc`` and the loss terms (``loss_cls``, ``loss_mmd``, ``loss_z_mean``).

        Args:
            cls_scores (torch.Tensor): The scores (N, K) of the head's last forward.
            data_samples (list[ActionDataSample]): With ``gt_label``.
        """
        z = self._take_latent(cls_scores)
        # The objective in float32 (under bf16/fp16 autocast too; numpy has no bfloat16).
        cls_scores, z = cls_scores.float(), z.float()
        labels = torch.stack([x.gt_label for x in data_samples]).to(cls_scores.device)
        labels = labels.reshape(cls_scores.shape[0], -1)
        labels = labels.squeeze(1) if labels.shape[1] == 1 else labels  # (N,) or soft (N, K)
        losses = dict()
        if labels.dim() == 1:
            for k, acc in zip(self.topk, top_k_accuracy(cls_scores.detach().cpu().numpy(),
                                                        labels.detach().cpu().numpy(),
                                                        self.topk)):
                losses[f'top{k}_acc'] = torch.tensor(acc, device=cls_scores.device)
        if self.label_smooth_eps != 0:
            if labels.dim() == 1:
                labels = F.one_hot(labels.long(), num_classes=self.num_classes)
            labels = (1 - self.label_smooth_eps) * labels + \
                self.label_smooth_eps / self.num_classes
        if isinstance(self.loss_cls, InfoGCNLoss):
            loss = self.loss_cls(cls_scores, labels, z=z, z_prior=self.z_prior)
        else:
            loss = self.loss_cls(cls_scores, labels)
        losses.update(loss if isinstance(loss, dict) else dict(loss_cls=loss))
        return losses
