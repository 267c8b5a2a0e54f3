"""FR-Head's contrastive feature refinement loss (Zhou et al., CVPR 2023, eq. 3-8).

One instance serves one feature stream (one stage, one branch: spatial or temporal) and owns
that stream's class prototypes. For a batch of features ``F`` (N, D), labels ``y`` and the final
classifier's (detached) probabilities ``p``:

* TP / FN / FP per class come from ``argmax p`` against ``y`` (a TP also needs
  ``p > pred_threshold``);
* prototypes (eq. 3): ``P_k <- m * P_k + (1 - m) * mean(F_i, i in TP_k)`` for classes with at
  least one TP; the loss uses the *updated* value, whose batch part carries gradients;
* FN / FP centres (eq. 5): per-class batch means, with gradients, no memory;
* compensation ``phi_i = 1 - cos(F_i, mu_FN^k)`` and penalty ``psi_i = 1 + cos(F_i, mu_FP^k)``
  (eq. 6-7), on confident anchors (TP of class k) by default;
* eq. 8: ``CE([cos(F_i, P_l) / tau]_l with the target logit lowered by (1 - p_ik) * psi_i)``
  plus the same with ``phi_i``, averaged over the batch.

Distributed training: the per-class feature sums and counts are all-reduced before the update,
so every rank computes the same prototypes (the value a single process would compute on the
concatenated batch); gradients flow through the rank's own samples.
"""
from typing import Dict

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine import dist

from mmaction.registry import MODELS
from .similarity import no_autocast, unit_rows

CALIBRATIONS = ('confident', 'all')


def global_sum(local: torch.Tensor) -> torch.Tensor:
    """Sum of ``local`` over all ranks, differentiable through this rank's share only.

    The value is the all-reduced sum; the gradient is the identity on ``local`` (the other
    ranks' shares are constants here, their own ranks differentiate them).
    """
    if dist.get_world_size() <= 1:
        return local
    total = local.detach().clone()
    dist.all_reduce(total, op='sum')
    return local + (total - local).detach()


@MODELS.register_module()
class FRContrastiveLoss(nn.Module):
    """Contrastive refinement with EMA class prototypes and FN/FP calibration (FR-Head eq. 8).

    Args:
        num_classes (int): K, number of classes.
        feat_dim (int): D, size of the refined feature (FR-Head's C_h). Defaults to 256.
        temperature (float): tau of the prototype logits. The paper gives none; 0.125 is the
            authors' code (``tmp``). Defaults to 0.125.
        momentum (float): EMA momentum alpha of the prototypes (eq. 3). Defaults to 0.9.
        calibrate (str): Which samples get the compensation/penalty terms: ``'confident'``
            (TP anchors only, eq. 6-7 and the code's ``V1`` used for the released NTU-120
            model) or ``'all'`` (every sample's ground-truth logit, the code's default ``V0``).
            Defaults to 'confident'.
        pred_threshold (float): A correct prediction is a TP only if its probability exceeds
            this. Defaults to 0.0 (the code's value).
        confidence_weight (bool): Scale the terms by ``1 - p_ik`` (eq. 8). Defaults to True.
        loss_weight (float): Multiplier of the returned value. Defaults to 1.0.

    Buffers:
        prototypes (torch.Tensor): (K, D), initialised N(0, 1) as in the authors' code; saved
            in checkpoints.
    """

    def __init__(self, num_classes: int, feat_dim: int = 256, temperature: float = 0.125,
                 momentum: float = 0.9, calibrate: str = 'confident',
                 pred_threshold: float = 0.0, confidence_weight: bool = True,
                 loss_weight: float = 1.0):
        super().__init__()
        if calibrate not in CALIBRATIONS:
            raise ValueError(f'FRContrastiveLoss: calibrate={calibrate!r}; choose one of '
                             f'{CALIBRATIONS}')
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f'FRContrastiveLoss: momentum={momentum} must be in [0, 1)')
        if temperature <= 0:
            raise ValueError(f'FRContrastiveLoss: temperature={temperature} must be > 0')
        if num_classes < 2:
            raise ValueError(f'FRContrastiveLoss: num_classes={num_classes}; need >= 2')
        self.num_classes = int(num_classes)
        self.feat_dim = int(feat_dim)
        self.temperature = float(temperature)
        self.momentum = float(momentum)
        self.calibrate = calibrate
        self.pred_threshold = float(pred_threshold)
        self.confidence_weight = confidence_weight
        self.loss_weight = loss_weight
        self.register_buffer('prototypes', torch.randn(self.num_classes, self.feat_dim))

    def extra_repr(self) -> str:
        return (f'num_classes={self.num_classes}, feat_dim={self.feat_dim}, '
                f'temperature={self.temperature}, momentum={self.momentum}, '
                f'calibrate={self.calibrate!r}')

    def sample_sets(self, labels: torch.Tensor, probs: torch.Tensor) -> Dict[str, torch.Tensor]:
        """TP / FN / FP membership, each (N, K) float (row i, column k: sample i is in set k)."""
        k = self.num_classes
        lbl = F.one_hot(labels, k).float()
        pred = F.one_hot(probs.argmax(1), k).float()
        hit = lbl * pred
        # as in the authors' code, a correct but unconfident prediction is neither TP nor FN/FP
        tp = hit * (probs > self.pred_threshold).float()
        return dict(label=lbl, tp=tp, fn=lbl - hit, fp=pred - hit)

    def forward(self, feat: torch.Tensor, labels: torch.Tensor,
                probs: torch.Tensor) -> torch.Tensor:
        """
        Args:
            feat (torch.Tensor): Refined features (N, D).
            labels (torch.Tensor): Class indices (N,).
            probs (torch.Tensor): Softmax of the final classifier (N, K); treated as
                constants (detached here).

        Returns:
            torch.Tensor: Scalar ``loss_weight * CL`` (float32). In training mode the
            prototypes are updated as a side effect.
        """
        if feat.dim() != 2 or feat.shape[1] != self.feat_dim:
            raise ValueError(f'FRContrastiveLoss: features must be (N, {self.feat_dim}), got '
                             f'{tuple(feat.shape)}')
        if probs.shape != (feat.shape[0], self.num_classes):
            raise ValueError(f'FRContrastiveLoss: probabilities must be (N, K) = '
                             f'({feat.shape[0]}, {self.num_classes}), got {tuple(probs.shape)}; '
                             f'is num_classes the classifier\'s?')
        with no_autocast(feat):
            f = feat.float()
            probs = probs.detach().float()
            labels = labels.long().view(-1)
            sets = self.sample_sets(labels, probs)

            # per-class feature sums and counts of TP / FN / FP, summed over ranks
            masks = torch.stack([sets['tp'], sets['fn'], sets['fp']])          # (3, N, K)
            sums = torch.einsum('snk,nd->skd', masks, f)                       # (3, K, D)
            counts = masks.sum(1)                                              # (3, K)
            packed = global_sum(torch.cat([sums.flatten(), counts.flatten()]))
            sums = packed[:sums.numel()].view_as(sums)
            counts = packed[sums.numel():].view_as(counts).detach()
            means = sums / counts.clamp(min=1.0).unsqueeze(-1)
            present = counts > 0                                               # (3, K)

            # eq. 3: the prototypes after this batch's update, used by the loss
            old = self.prototypes.detach().float()
            keep = torch.where(present[0], self.momentum, 1.0).unsqueeze(1)
            protos = keep * old + (1.0 - keep) * means[0]
            if self.training:
                self.prototypes.copy_(protos.detach())

            # eq. 6-7 for every sample against its own class's FN / FP centre
            fu = unit_rows(f)
            y = labels
            phi = 1.0 - (fu * unit_rows(means[1])[y]).sum(1)
            psi = 1.0 + (fu * unit_rows(means[2])[y]).sum(1)
            anchor = sets['tp'].sum(1) if self.calibrate == 'confident' else torch.ones_like(phi)
            scale = anchor
            if self.confidence_weight:
                scale = scale * (1.0 - probs.gather(1, y[:, None]).squeeze(1))
            phi = phi * scale * present[1, y].float()
            psi = psi * scale * present[2, y].float()

            # eq. 8: prototype logits with the target logit lowered by the calibration term
            logits = fu @ unit_rows(protos).t() / self.temperature              # (N, K)
            target = sets['label']
            loss = (F.cross_entropy(logits - target * psi[:, None], y)
                    + F.cross_entropy(logits - target * phi[:, None], y))
        return self.loss_weight * loss
