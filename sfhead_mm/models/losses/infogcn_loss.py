"""InfoGCN's information-bottleneck objective (Chi et al., CVPR 2022), as the authors train it.

``L = CE_smooth(scores, y) + lambda_mmd * MMD(z, prior) + lambda_z_mean * ||mean_n z_n||``:

* label-smoothed cross-entropy (``(1 - eps) * NLL + eps * mean_c(-log p_c)``);
* the "MMD" term of the authors' ``get_mmd_loss``: the squared error between the mean latent
  ``z`` of each class present in the batch and that class's prior mean (rows of an orthogonal
  matrix held by ``InfoGCNHead``), averaged over the present classes and latent channels;
* the norm of the batch-mean latent, which keeps the latent space centred.

Defaults are the authors' (``--lambda_1 1e-4 --lambda_2 1e-1``, smoothing 0.1).
"""
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmaction.registry import MODELS


def label_smoothing_cross_entropy(scores: torch.Tensor, labels: torch.Tensor,
                                  smoothing: float) -> torch.Tensor:
    """Mean label-smoothed cross-entropy.

    Args:
        scores (torch.Tensor): Logits (N, K).
        labels (torch.Tensor): Class indices (N,) or soft targets (N, K).
        smoothing (float): eps, the mass spread uniformly over the K classes.
    """
    log_p = F.log_softmax(scores, dim=-1)
    if labels.dim() == 2:
        nll = -(labels * log_p).sum(-1)
    else:
        nll = -log_p.gather(-1, labels.long().unsqueeze(-1)).squeeze(-1)
    return ((1 - smoothing) * nll + smoothing * -log_p.mean(dim=-1)).mean()


def class_mean_discrepancy(z: torch.Tensor, labels: torch.Tensor,
                           z_prior: torch.Tensor) -> torch.Tensor:
    """Mean squared error between per-class latent means and their priors (present classes).

    Args:
        z (torch.Tensor): Latents (N, D).
        labels (torch.Tensor): Class indices (N,).
        z_prior (torch.Tensor): Prior class means (K, D).
    """
    onehot = F.one_hot(labels.long(), z_prior.shape[0]).to(z.dtype)  # (N, K)
    counts = onehot.sum(dim=0)
    present = counts > 0
    means = (onehot.t() @ z)[present] / counts[present].unsqueeze(-1)
    return F.mse_loss(means, z_prior[present].to(z.dtype))


@MODELS.register_module()
class InfoGCNLoss(nn.Module):
    """InfoGCN's objective; returns its terms as separate, already weighted, loss-dict entries.

    Args:
        smoothing (float): Label smoothing of the cross-entropy. Defaults to 0.1.
        lambda_mmd (float): Weight of the class-mean discrepancy to the priors. Defaults to 0.1.
        lambda_z_mean (float): Weight of the norm of the batch-mean latent. Defaults to 1e-4.
        loss_weight (float): Weight of the cross-entropy. Defaults to 1.0.
    """

    def __init__(self, smoothing: float = 0.1, lambda_mmd: float = 0.1,
                 lambda_z_mean: float = 1e-4, loss_weight: float = 1.0):
        super().__init__()
        if not 0 <= smoothing < 1:
            raise ValueError(f'InfoGCNLoss: smoothing={smoothing} must be in [0, 1)')
        self.smoothing = smoothing
        self.lambda_mmd = lambda_mmd
        self.lambda_z_mean = lambda_z_mean
        self.loss_weight = loss_weight

    def forward(self, cls_score: torch.Tensor, label: torch.Tensor,
                z: Optional[torch.Tensor] = None,
                z_prior: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        """Loss terms.

        Args:
            cls_score (torch.Tensor): Logits (N, K).
            label (torch.Tensor): Class indices (N,) or soft targets (N, K); the latent terms
                use the arg-max class of soft targets.
            z (torch.Tensor): Latents (N, D) the logits were decoded from.
            z_prior (torch.Tensor): Prior class means (K, D).

        Returns:
            dict: ``loss_cls``, ``loss_mmd``, ``loss_z_mean``.
        """
        if z is None or z_prior is None:
            raise ValueError('InfoGCNLoss needs the latent z and the class priors; use it as '
                             'the loss_cls of InfoGCNHead, which passes them')
        if z.shape[0] != cls_score.shape[0] or z_prior.shape != (cls_score.shape[1], z.shape[1]):
            raise ValueError(f'InfoGCNLoss: shapes do not agree: scores {tuple(cls_score.shape)}, '
                             f'z {tuple(z.shape)}, z_prior {tuple(z_prior.shape)} (expected '
                             f'(N, K), (N, D), (K, D))')
        classes = label.argmax(dim=-1) if label.dim() == 2 else label
        return dict(
            loss_cls=self.loss_weight * label_smoothing_cross_entropy(
                cls_score, label, self.smoothing),
            loss_mmd=self.lambda_mmd * class_mean_discrepancy(z, classes, z_prior),
            loss_z_mean=self.lambda_z_mean * z.mean(dim=0).norm(p=2))
