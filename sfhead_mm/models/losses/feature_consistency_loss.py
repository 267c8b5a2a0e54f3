"""Feature Consistency Loss (F-CL, SF-Head eq. 12-14)."""
import math
from typing import Sequence

import torch
import torch.nn as nn

from mmaction.registry import MODELS
from .similarity import distance_from_cos, flatten_rows, no_autocast, unit_rows


@MODELS.register_module()
class FeatureConsistencyLoss(nn.Module):
    """Soft-margin pull of the aggregated feature towards each of the original features::

        L_con = 1/N sum_i sum_{F} [ log(e^m + (1 - e^m) d(a_i, F_i)) + phi(d(a_i, F_i)) ]
        phi(d) = (1 - d)^gamma log(d)  if min(d, 1 - d) > eps  else 0

    Args:
        alpha (float): Smoothness of the distance (eq. 10). Defaults to 1.0.
        m (float): Margin. Defaults to 0.4.
        gamma (float): Focusing exponent of the compensation term. Defaults to 2.0.
        eps (float): Distances within ``eps`` of 0 or 1 get no compensation. Defaults to 0.01.
        loss_weight (float): Multiplier of the returned value. Defaults to 1.0.
    """

    def __init__(self, alpha: float = 1.0, m: float = 0.4, gamma: float = 2.0,
                 eps: float = 0.01, loss_weight: float = 1.0):
        super().__init__()
        self.alpha, self.m, self.gamma, self.eps = alpha, m, gamma, eps
        self.loss_weight = loss_weight

    def forward(self, f_a: torch.Tensor, feats: Sequence[torch.Tensor]) -> torch.Tensor:
        """
        Args:
            f_a (torch.Tensor): Aggregated feature (N, ...), one row per sample.
            feats (Sequence[torch.Tensor]): Original features, each shaped like ``f_a``.

        Returns:
            torch.Tensor: Scalar ``loss_weight * L_con`` (float32).
        """
        if len(feats) == 0:
            raise ValueError('FeatureConsistencyLoss needs at least one original feature')
        with no_autocast(f_a):
            a = unit_rows(flatten_rows(f_a))
            cos = []
            for f in feats:
                if f.shape != f_a.shape:
                    raise ValueError(f'feature {tuple(f.shape)} differs from f_a '
                                     f'{tuple(f_a.shape)}')
                cos.append((a * unit_rows(flatten_rows(f))).sum(1))
            return self.from_cos(cos)

    def from_cos(self, cos) -> torch.Tensor:
        """The loss from the cosines ``cos(f_a_i, F_i)``.

        Args:
            cos: One (N,) float32 tensor per original feature F, or one tensor (..., N, F) of
                them (the last axis over the original features): several losses at once, e.g.
                one per SF-Head of a backbone, each computed alone.

        Returns:
            torch.Tensor: ``loss_weight * L_con``: a scalar for a sequence, shape (...) for a
            tensor.
        """
        if not torch.is_tensor(cos):
            cos = torch.stack(list(cos), -1)
        e_m = math.exp(self.m)
        d = distance_from_cos(cos, self.alpha)
        margin = torch.log(e_m + (1.0 - e_m) * d)
        active = torch.minimum(d, 1.0 - d) > self.eps
        # clamp inside the log so the masked-out branch has a finite gradient too
        safe_d = torch.where(active, d, torch.ones_like(d))
        phi = torch.where(active, (1.0 - safe_d).pow(self.gamma) * torch.log(safe_d),
                          torch.zeros_like(d))
        # mean over the samples, sum over the original features
        return self.loss_weight * (margin + phi).mean(-2).sum(-1)
