"""FFN's Two-stage Loss (ffn.md eqs. 5-10) on hand-computed cases."""
import itertools
import math

import pytest
import torch
from mmengine.logging import MessageHub

from mmaction.registry import MODELS
from sfhead_mm.models.losses.two_stage_loss import TwoStageLoss, cycle_factor

# Two samples, three classes; softmax probabilities (0.2, 0.3, 0.5) for both, labels 2 and 0:
# p_true = 0.5 and 0.2.
LOGITS = torch.log(torch.tensor([[0.2, 0.3, 0.5], [0.2, 0.3, 0.5]]))
LABELS = torch.tensor([2, 0])
LN2, LN5 = math.log(2), math.log(5)  # -log 0.5, -log 0.2
CE = (LN2 + LN5) / 2  # eq. 5: 1.1512925
L1 = (0.5 ** 2 * LN2 + 0.8 ** 2 * LN5) / 2  # eq. 6, gamma = 2: 0.6016635
L2 = (1.5 ** 2 * LN2 + 1.2 ** 2 * LN5) / 2  # eq. 7, gamma_hc = 2: 1.9385859
_hub_ids = itertools.count()


def at_epoch(epoch, max_epochs):
    """A fresh current MessageHub holding the runtime info RuntimeInfoHook writes (0-based)."""
    hub = MessageHub.get_instance(f'test_two_stage_loss_{next(_hub_ids)}')
    hub.update_info('epoch', epoch)
    hub.update_info('max_epochs', max_epochs)
    return hub


def test_hand_computed_constants():
    assert CE == pytest.approx(1.1512925, abs=1e-7)
    assert L1 == pytest.approx(0.6016635, abs=1e-7)
    assert L2 == pytest.approx(1.9385859, abs=1e-7)


def test_first_stage_is_cross_entropy_up_to_the_switch_epoch():
    loss = TwoStageLoss(switch_epoch=2)
    at_epoch(0, 4)  # epoch 1
    assert loss(LOGITS, LABELS).item() == pytest.approx(CE, rel=1e-6)
    at_epoch(1, 4)  # epoch 2 = m: still cross-entropy (eq. 10: epoch <= m)
    assert loss(LOGITS, LABELS).item() == pytest.approx(CE, rel=1e-6)


def test_second_stage_mixes_focal_and_high_confidence_terms():
    loss = TwoStageLoss(switch_epoch=2, f_c=4, gamma=2, gamma_hc=2)
    at_epoch(2, 4)  # epoch 3 of 4: xi = (4^(3/4) - 1) / 3 = 0.6094757
    xi = (2 * math.sqrt(2) - 1) / 3
    assert loss.xi(3, 4) == pytest.approx(xi) == pytest.approx(0.6094757, abs=1e-7)
    assert loss(LOGITS, LABELS).item() == pytest.approx(xi * L2 + (1 - xi) * L1, rel=1e-6)
    assert loss(LOGITS, LABELS).item() == pytest.approx(1.4164852, abs=1e-6)
    at_epoch(3, 4)  # last epoch: xi = 1, the loss is L2 alone
    assert loss(LOGITS, LABELS).item() == pytest.approx(L2, rel=1e-6)


def test_switch_at_zero_starts_with_the_focal_term():
    loss = TwoStageLoss(switch_epoch=0)
    xi = (4 ** (1 / 1000) - 1) / 3  # 0.00046: the first epoch is almost L1 alone
    assert xi == pytest.approx(0.000462, abs=1e-6)
    assert loss.loss_at(LOGITS, LABELS, 1, 1000).item() == pytest.approx(
        xi * L2 + (1 - xi) * L1, rel=1e-6)


def test_xi_at_the_ends_and_the_printed_reading():
    for f_c in (2, 4, 6):
        assert cycle_factor(0, 110, f_c) == 0
        assert cycle_factor(110, 110, f_c) == pytest.approx(1)
        values = [cycle_factor(e, 110, f_c) for e in range(111)]
        assert all(a < b for a, b in zip(values, values[1:]))
    # eq. 8 as printed: 1 at the end, but negative before ep_n / f_c
    assert cycle_factor(110, 110, 4, 'linear') == pytest.approx(1)
    assert cycle_factor(0, 110, 4, 'linear') == pytest.approx(-1 / 3)
    assert cycle_factor(3, 4, 4, 'linear') == pytest.approx(2 / 3)
    loss = TwoStageLoss(switch_epoch=2, xi_mode='linear')
    assert loss.loss_at(LOGITS, LABELS, 3, 4).item() == pytest.approx(
        2 / 3 * L2 + 1 / 3 * L1, rel=1e-6)


def test_soft_targets_and_loss_weight():
    loss = TwoStageLoss(switch_epoch=2, loss_weight=0.5)
    soft = torch.nn.functional.one_hot(LABELS, 3).float()
    at_epoch(3, 4)
    assert loss(LOGITS, soft).item() == pytest.approx(0.5 * L2, rel=1e-6)


def test_without_a_training_run_it_is_cross_entropy():
    hub = MessageHub.get_instance(f'test_two_stage_loss_{next(_hub_ids)}')
    assert hub.get_info('epoch') is None
    assert TwoStageLoss()(LOGITS, LABELS).item() == pytest.approx(CE, rel=1e-6)


def test_registered_as_a_head_loss():
    head = MODELS.build(dict(type='GCNHead', num_classes=3, in_channels=8,
                             loss_cls=dict(type='TwoStageLoss', switch_epoch=1)))
    assert isinstance(head.loss_cls, TwoStageLoss)


def test_invalid_options_are_named():
    with pytest.raises(ValueError, match='f_c'):
        TwoStageLoss(f_c=1)
    with pytest.raises(ValueError, match='xi_mode'):
        TwoStageLoss(xi_mode='cosine')
