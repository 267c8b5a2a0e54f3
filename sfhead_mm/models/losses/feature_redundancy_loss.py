"""Feature Redundancy Loss (F-RL, SF-Head eq. 11)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmaction.registry import MODELS
from .similarity import distance_from_cos, flatten_rows, no_autocast, unit_rows


@MODELS.register_module()
class FeatureRedundancyLoss(nn.Module):
    """Symmetric batch-softmax loss between the spatial and temporal features of each sample.

    The paper prints eq. 11 with a denominator equal to its numerator (a constant loss); as fixed
    in the spec we read it as a softmax over the batch, in both directions, which is what its
    ``1/(2N)`` says::

        L_red = 1/(2N) sum_i [ -log softmax_j(m d(s_i, t_j) / tau)[i]
                               -log softmax_j(m d(t_i, s_j) / tau)[i] ]

    With N = 1 it is 0 (one candidate).

    Args:
        alpha (float): Smoothness of the distance (eq. 10). Defaults to 1.0.
        tau (float): Softmax temperature. Defaults to 0.1.
        m (float): Contrast scale. Defaults to 0.4.
        loss_weight (float): Multiplier of the returned value. Defaults to 1.0.
    """

    def __init__(self, alpha: float = 1.0, tau: float = 0.1, m: float = 0.4,
                 loss_weight: float = 1.0):
        super().__init__()
        if tau <= 0:
            raise ValueError(f'FeatureRedundancyLoss: tau must be > 0, got {tau}')
        self.alpha, self.tau, self.m, self.loss_weight = alpha, tau, m, loss_weight

    def forward(self, f_s: torch.Tensor, f_t: torch.Tensor) -> torch.Tensor:
        """
        Args:
            f_s (torch.Tensor): Spatial features (N, ...), one row per sample.
            f_t (torch.Tensor): Temporal features, same shape.

        Returns:
            torch.Tensor: Scalar ``loss_weight * L_red`` (float32).
        """
        if f_s.shape != f_t.shape:
            raise ValueError(f'f_s {tuple(f_s.shape)} and f_t {tuple(f_t.shape)} differ')
        with no_autocast(f_s):
            s, t = flatten_rows(f_s), flatten_rows(f_t)
            return self.from_cos(unit_rows(s) @ unit_rows(t).t())

    def from_cos(self, cos: torch.Tensor) -> torch.Tensor:
        """The loss from ``cos[..., i, j] = cos(f_s[i], f_t[j])`` (float32).

        Args:
            cos (torch.Tensor): (N, N), or (..., N, N) for several losses at once (e.g. one per
                SF-Head of a backbone), each computed alone.

        Returns:
            torch.Tensor: ``loss_weight * L_red``, of shape ``cos.shape[:-2]``.
        """
        n = cos.shape[-1]
        logits = self.m * distance_from_cos(cos, self.alpha) / self.tau
        target = torch.arange(n, device=cos.device).expand(*cos.shape[:-2], n)
        # cross entropy over the batch in both directions (rows: s_i against every t_j)
        rows = F.cross_entropy(logits.reshape(-1, n), target.reshape(-1), reduction='none')
        cols = F.cross_entropy(logits.transpose(-1, -2).reshape(-1, n), target.reshape(-1),
                               reduction='none')
        loss = 0.5 * (rows + cols).view(cos.shape[:-1]).mean(-1)
        return self.loss_weight * loss
