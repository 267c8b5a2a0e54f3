"""Robust Decouple Loss (RDL; Liu et al., MDR-GCN, arXiv 2306.15321, eq. 7-11).

Centre loss decoupled into an angle part and a norm part, against learnable class centres
``c`` (K, D), on the feature ``x`` (N, D) the classifier reads:

* within-class angle (eq. 7):   ``L_in  = mean_i (1 - cos(x_i, c_{y_i}))^2``
* between-class angle (eq. 8):  ``L_out = -mean_i (1 - mean_{k != y_i} cos(x_i, c_k))``
  (minimising it pushes x_i away from the other classes' centres; per sample in [-2, 0]);
  ``inter='pairwise'`` takes the authors' code instead: with
  ``d_ij = (1 - cos(x_i, c_{y_j}))^2``, ``L_out = -sum_ij (d_ij - d_jj)^2 / (N (N - 1))``
* norm ratio (eq. 9-10):        ``L_norm = mean_i (1 - |x_i| / (|c_{y_i}| + eps))^2``
* ``L_R = L_in + lambda_out * L_out + lambda_norm * L_norm`` (eq. 11), added to the CE.

Paper eq. 18 rewrites eq. 8 with ``1 - cos`` in place of ``cos``, which flips the term into a
pull towards the other centres; eq. 8 is the one matching the stated intent and is used here.
"""
from typing import Dict

import torch
import torch.nn as nn

from mmaction.registry import MODELS
from .similarity import no_autocast, unit_rows

INTER_FORMS = ('mean_centres', 'pairwise')


@MODELS.register_module()
class RobustDecoupleLoss(nn.Module):
    """Robust Decouple Loss with learnable class centres.

    Args:
        num_classes (int): K, number of classes.
        feat_dim (int): D, size of the feature (the classifier's input channels).
        lambda_out (float): Weight of the between-class angle term. The paper says
            "lambda < 1, always 1/N" (1/64 = 0.0156 at its batch size); the authors' code uses
            0.01. A constant does not change when the batch is split over GPUs, so the code's
            0.01 is the default.
        lambda_norm (float): Weight of the norm-ratio term; same reasoning. Defaults to 0.01.
        inter (str): ``'mean_centres'`` (paper eq. 8) or ``'pairwise'`` (authors' code).
            Defaults to 'mean_centres'.
        intra_power (float): Exponent of ``1 - cos`` in the within-class term. 2 is eq. 7; the
            authors' code squares twice (4). Defaults to 2.
        eps (float): Added to the centre norm in the ratio (eq. 9; the paper and code use 0;
            a small value only guards a collapsed centre). Defaults to 1e-6.
        use_in, use_out, use_norm (bool): Switch each term (the paper's Table V ablation).
        loss_weight (float): Weight of L_R next to the CE (eq. 13: 1). Defaults to 1.0.

    Parameters:
        centers (torch.Tensor): (K, D), initialised N(0, 1) (paper and code). Give them no
            weight decay (``paramwise_cfg=dict(custom_keys={'.centers': dict(decay_mult=0.)})``):
            decay shrinks their norm, which the norm-ratio term then chases.
    """

    def __init__(self, num_classes: int, feat_dim: int, lambda_out: float = 0.01,
                 lambda_norm: float = 0.01, inter: str = 'mean_centres',
                 intra_power: float = 2.0, eps: float = 1e-6, use_in: bool = True,
                 use_out: bool = True, use_norm: bool = True, loss_weight: float = 1.0):
        super().__init__()
        if inter not in INTER_FORMS:
            raise ValueError(f'RobustDecoupleLoss: inter={inter!r}; choose one of {INTER_FORMS}')
        if num_classes < 2:
            raise ValueError(f'RobustDecoupleLoss: num_classes={num_classes}; need >= 2')
        self.num_classes = int(num_classes)
        self.feat_dim = int(feat_dim)
        self.lambda_out = lambda_out
        self.lambda_norm = lambda_norm
        self.inter = inter
        self.intra_power = intra_power
        self.eps = eps
        self.use = dict(in_=use_in, out=use_out, norm=use_norm)
        self.loss_weight = loss_weight
        self.centers = nn.Parameter(torch.randn(self.num_classes, self.feat_dim))

    def extra_repr(self) -> str:
        return (f'num_classes={self.num_classes}, feat_dim={self.feat_dim}, '
                f'lambda_out={self.lambda_out}, lambda_norm={self.lambda_norm}, '
                f'inter={self.inter!r}')

    def terms(self, x: torch.Tensor, labels: torch.Tensor) -> Dict[str, torch.Tensor]:
        """The three unweighted terms ``in``, ``out``, ``norm`` (float32 scalars).

        Args:
            x (torch.Tensor): Features (N, D).
            labels (torch.Tensor): Class indices (N,).
        """
        if x.dim() != 2 or x.shape[1] != self.feat_dim:
            raise ValueError(f'RobustDecoupleLoss: features must be (N, {self.feat_dim}), got '
                             f'{tuple(x.shape)}; is feat_dim the classifier\'s in_channels?')
        with no_autocast(x):
            x = x.float()
            y = labels.long().view(-1)
            c = self.centers.float()
            xu, cu = unit_rows(x), unit_rows(c)
            cos = xu @ cu.t()                                      # (N, K)
            cos_own = cos.gather(1, y[:, None]).squeeze(1)         # (N,)
            l_in = (1.0 - cos_own).pow(self.intra_power).mean()

            if self.inter == 'mean_centres':
                others = (cos.sum(1) - cos_own) / (self.num_classes - 1)
                l_out = -(1.0 - others).mean()
            else:
                n = x.shape[0]
                if n < 2:
                    l_out = x.new_zeros(())
                else:
                    d = (1.0 - cos[:, y]).pow(2)                   # d_ij = (1 - cos(x_i, c_yj))^2
                    l_out = -(d - d.diagonal()[None, :]).pow(2).sum() / (n * (n - 1))

            ratio = x.norm(dim=1) / (c.norm(dim=1)[y] + self.eps)
            l_norm = (1.0 - ratio).pow(2).mean()
        return {'in': l_in, 'out': l_out, 'norm': l_norm}

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """
        Args:
            x (torch.Tensor): Features (N, D), the classifier's input.
            labels (torch.Tensor): Class indices (N,).

        Returns:
            torch.Tensor: Scalar ``loss_weight * L_R`` (float32).
        """
        t = self.terms(x, labels)
        total = t['in'].new_zeros(())
        if self.use['in_']:
            total = total + t['in']
        if self.use['out']:
            total = total + self.lambda_out * t['out']
        if self.use['norm']:
            total = total + self.lambda_norm * t['norm']
        return self.loss_weight * total
