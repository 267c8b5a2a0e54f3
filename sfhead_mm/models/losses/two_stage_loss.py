"""FFN's Two-stage Loss (paper ``ffn.md``, sec. 2.4, eqs. 5-10).

``Loss = L_CE`` while ``epoch <= m`` (eq. 10), then ``L_CF = xi * L2 + (1 - xi) * L1`` (eq. 9) with

* ``L1 = -(1 - p)^gamma * log p`` (focal term, eq. 6),
* ``L2 = -(1 + p)^gamma_hc * log p`` (high-confidence term, eq. 7),
* ``xi = (f_c^(ep_i / ep_n) - 1) / (f_c - 1)`` (eq. 8, see below),

``p`` the softmax probability of the true class, ``ep_i`` the current epoch counted from 1 and
``ep_n`` the number of training epochs; each term is averaged over the batch (eq. 5's ``1/n``).

**Eq. 8.** The paper prints ``xi = (f_c * ep_i/ep_n - 1) / (f_c - 1)``. Read literally, ``xi`` is
negative for ``ep_i < ep_n / f_c`` (-1/3 at the start with ``f_c = 4``), which would give ``L2`` a
negative weight and ``L1`` a weight above 1 whenever the switch epoch ``m`` is early (eq. 10 allows
any ``0 <= m <= ep_n``), contradicting the text (``xi`` "increases as the training epochs
progress, gradually strengthening the weight of L2", eq. 9 a weighting of two losses). The
fraction sits where a superscript stands in ``(f_c^x - 1)/(f_c - 1)``, the usual normalised
exponential ramp, which is 0 at ``ep_i = 0``, 1 at ``ep_i = ep_n`` and rises monotonically for every
``f_c > 1``: that is the default (``xi_mode='power'``). ``xi_mode='linear'`` gives the formula as
printed, for comparison.

The epoch is read from mmengine's ``MessageHub`` (runtime info ``'epoch'``, 0-based, set by
``RuntimeInfoHook`` before every training epoch, and ``'max_epochs'``). Outside a training run
(no ``'epoch'`` in the hub, e.g. a bare model in a script) the first stage (cross-entropy) is used.
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub

from mmaction.models.losses import BaseWeightedLoss
from mmaction.registry import MODELS

XI_MODES = ('power', 'linear')


def cycle_factor(ep_i: float, ep_n: float, f_c: float = 4., mode: str = 'power') -> float:
    """``xi`` of eq. 8 (see the module docstring for the two readings).

    Args:
        ep_i (float): Current epoch, counted from 1.
        ep_n (float): Number of training epochs.
        f_c (float): Cycle factor, > 1. Defaults to 4.
        mode (str): ``'power'``: ``(f_c^(ep_i/ep_n) - 1)/(f_c - 1)``; ``'linear'``:
            ``(f_c * ep_i/ep_n - 1)/(f_c - 1)`` as printed.
    """
    if f_c <= 1:
        raise ValueError(f'TwoStageLoss: f_c={f_c}; the cycle factor must be > 1')
    if ep_n <= 0:
        raise ValueError(f'TwoStageLoss: ep_n={ep_n}; the number of epochs must be > 0')
    ratio = ep_i / ep_n
    if mode == 'power':
        return (f_c ** ratio - 1.) / (f_c - 1.)
    if mode == 'linear':
        return (f_c * ratio - 1.) / (f_c - 1.)
    raise ValueError(f'TwoStageLoss: xi_mode={mode!r}; choose one of {XI_MODES}')


def _targets(labels: torch.Tensor, num_classes: int, dtype: torch.dtype) -> torch.Tensor:
    """``y_ic`` of eq. 5: one-hot for class indices (N,), soft targets (N, K) as given."""
    if labels.dim() == 2 and labels.shape[1] == num_classes:
        return labels.to(dtype)
    return F.one_hot(labels.reshape(-1).long(), num_classes).to(dtype)


def focal_term(log_p: torch.Tensor, y: torch.Tensor, gamma: float) -> torch.Tensor:
    """``L1 = -(1 - p)^gamma log p`` (eq. 6) summed over classes with ``y``, mean over samples."""
    p = log_p.exp()
    return -(y * (1 - p).pow(gamma) * log_p).sum(-1).mean()


def high_confidence_term(log_p: torch.Tensor, y: torch.Tensor,
                         gamma_hc: float) -> torch.Tensor:
    """``L2 = -(1 + p)^gamma_hc log p`` (eq. 7), summed over classes with ``y``, mean."""
    p = log_p.exp()
    return -(y * (1 + p).pow(gamma_hc) * log_p).sum(-1).mean()


@MODELS.register_module()
class TwoStageLoss(BaseWeightedLoss):
    """FFN's Two-stage Loss, a drop-in ``loss_cls`` for MMAction2 heads.

    Args:
        switch_epoch (int): ``m`` of eq. 10: cross-entropy for epochs ``1..m``, ``L_CF`` after.
            The paper does not give m; its configs here use 80 (the length of its cross-entropy
            schedule, extended to 110 epochs for this loss). Defaults to 80.
        gamma (float): Focal exponent of ``L1``. Defaults to 2.
        gamma_hc (float): Exponent of ``L2``. Defaults to 2.
        f_c (float): Cycle factor of eq. 8. Defaults to 4.
        xi_mode (str): ``'power'`` (default) or ``'linear'`` (eq. 8 as printed).
        max_epochs (int, optional): ``ep_n``; defaults to the runner's ``max_epochs`` from the
            message hub.
        loss_weight (float): Factor on the loss. Defaults to 1.

    Shapes:
        cls_score (N, K) logits, label (N,) class indices or (N, K) soft targets -> scalar
    """

    def __init__(self, switch_epoch: int = 80, gamma: float = 2., gamma_hc: float = 2.,
                 f_c: float = 4., xi_mode: str = 'power', max_epochs: Optional[int] = None,
                 loss_weight: float = 1.):
        super().__init__(loss_weight=loss_weight)
        if xi_mode not in XI_MODES:
            raise ValueError(f'TwoStageLoss: xi_mode={xi_mode!r}; choose one of {XI_MODES}')
        if switch_epoch < 0:
            raise ValueError(f'TwoStageLoss: switch_epoch={switch_epoch} must be >= 0')
        cycle_factor(1, 1, f_c, xi_mode)  # validates f_c
        self.switch_epoch = int(switch_epoch)
        self.gamma, self.gamma_hc, self.f_c = float(gamma), float(gamma_hc), float(f_c)
        self.xi_mode = xi_mode
        self.max_epochs = max_epochs

    def epoch_state(self) -> Tuple[Optional[int], Optional[int]]:
        """``(ep_i, ep_n)`` from the message hub: the current epoch counted from 1, the total."""
        hub = MessageHub.get_current_instance()
        epoch = hub.get_info('epoch')
        max_epochs = self.max_epochs or hub.get_info('max_epochs')
        return (None if epoch is None else int(epoch) + 1), max_epochs

    def xi(self, ep_i: int, ep_n: int) -> float:
        return cycle_factor(ep_i, ep_n, self.f_c, self.xi_mode)

    def loss_at(self, cls_score: torch.Tensor, label: torch.Tensor, ep_i: Optional[int],
                ep_n: Optional[int]) -> torch.Tensor:
        """The loss at epoch ``ep_i`` (from 1) of ``ep_n``; cross-entropy when ``ep_i`` is None."""
        log_p = F.log_softmax(cls_score.float(), dim=-1)
        y = _targets(label, cls_score.shape[-1], log_p.dtype)
        if ep_i is None or ep_i <= self.switch_epoch:
            return -(y * log_p).sum(-1).mean()  # eq. 5
        if not ep_n:
            raise RuntimeError('TwoStageLoss: the second stage needs the number of epochs; give '
                               '`max_epochs` or train with an epoch-based loop')
        xi = self.xi(ep_i, ep_n)
        return xi * high_confidence_term(log_p, y, self.gamma_hc) + \
            (1 - xi) * focal_term(log_p, y, self.gamma)  # eq. 9

    def _forward(self, cls_score: torch.Tensor, label: torch.Tensor,
                 **kwargs) -> torch.Tensor:
        ep_i, ep_n = self.epoch_state()
        return self.loss_at(cls_score, label, ep_i, ep_n)
