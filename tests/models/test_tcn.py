"""The multi-scale TCN's batched branches (``MultiScaleTCN(batched=True)``) compute the branch
loop's function, with the same parameters and the same running statistics."""
import copy
import sys

import pytest
import torch
import torch.nn as nn

from sfhead_mm.models.utils.tcn import MultiScaleTCN, joined_batch_norm

tcn_module = sys.modules[MultiScaleTCN.__module__]


def pair(cin=16, cout=16, stride=1, dilations=(1, 2)):
    torch.manual_seed(0)
    ref = MultiScaleTCN(cin, cout, kernel_size=5, stride=stride, dilations=dilations,
                        residual=False, bn_weight_std=0.02).double()
    with torch.no_grad():  # away from the init (zero biases, unit BatchNorms)
        for p in ref.parameters():
            p.add_(0.3 * torch.randn_like(p))
    fast = copy.deepcopy(ref)
    fast.batched = True
    return ref, fast


@pytest.fixture
def joined_calls(monkeypatch):
    """Counts the calls of joined_batch_norm: proof that the batched path ran."""
    calls = []
    real = tcn_module.joined_batch_norm
    monkeypatch.setattr(tcn_module, 'joined_batch_norm',
                        lambda *a: calls.append(1) or real(*a))
    return calls


@pytest.mark.parametrize('cin,cout,stride,dilations', [
    (16, 16, 1, (1, 2)),        # CTR-GCN's blocks: the last branch joins the 1x1 convolution
    (16, 32, 2, (1, 2)),        # a down-sampling block: the strided branch stays apart
    (12, 24, 1, (1, 2, 3, 4)),  # MultiScaleTCN's default dilations
])
def test_batched_equals_the_loop_in_float64(cin, cout, stride, dilations, joined_calls):
    ref, fast = pair(cin, cout, stride, dilations)
    for step in range(3):  # training steps: the running statistics must follow the loop's
        x = torch.randn(3, cin, 12, 5, dtype=torch.double, requires_grad=True)
        y_ref, y_fast = ref(x), fast(x)
        assert torch.allclose(y_fast, y_ref, rtol=0, atol=1e-12 * y_ref.abs().max().item())
        g = torch.randn_like(y_ref)
        grads_ref = torch.autograd.grad(y_ref, [x, *ref.parameters()], g)
        grads_fast = torch.autograd.grad(y_fast, [x, *fast.parameters()], g)
        names = ['input'] + [n for n, _ in ref.named_parameters()]
        # one scale for all: a bias before a BatchNorm in training has a zero gradient
        scale = max(a.abs().max().item() for a in grads_ref)
        for name, a, b in zip(names, grads_ref, grads_fast):
            assert torch.allclose(b, a, rtol=0, atol=1e-12 * scale), name
    assert len(joined_calls) == 2 * 3
    state_ref, state_fast = ref.state_dict(), fast.state_dict()
    assert state_ref.keys() == state_fast.keys()
    for key in state_ref:  # running_mean/var and num_batches_tracked of every BatchNorm
        assert torch.allclose(state_fast[key].double(), state_ref[key].double(), rtol=0,
                              atol=1e-12), key
    assert all(int(m.num_batches_tracked) == 3 for m in fast.modules()
               if isinstance(m, nn.BatchNorm2d))
    ref.eval(), fast.eval()
    x = torch.randn(2, cin, 12, 5, dtype=torch.double)
    assert torch.allclose(fast(x), ref(x), rtol=0, atol=1e-12 * ref(x).abs().max().item())


def test_batched_under_bf16_autocast_within_rounding(joined_calls):
    ref, fast = pair(32, 32)
    ref, fast = ref.float(), fast.float()
    x = torch.randn(4, 32, 16, 20)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        y_ref, y_fast = ref(x), fast(x)
    assert y_fast.dtype == y_ref.dtype and joined_calls
    assert torch.allclose(y_fast.float(), y_ref.float(), rtol=0,
                          atol=2e-2 * y_ref.abs().max().item())


def test_batched_falls_back_to_the_loop_where_it_cannot_stand_in(joined_calls):
    """SyncBatchNorm (``sync_bn``) must run as itself, and BatchNorms in mixed modes (one frozen
    by ``norm_eval``) cannot be one call: the branch loop runs, with the same result."""
    ref, fast = pair()
    fast.branches[0][1].eval()
    ref.branches[0][1].eval()
    x = torch.randn(3, 16, 12, 5, dtype=torch.double)
    assert torch.equal(fast(x), ref(x))
    sync = copy.deepcopy(fast)
    sync.branches = nn.SyncBatchNorm.convert_sync_batchnorm(sync.branches)
    assert not sync._joinable()
    assert not joined_calls


def test_joined_batch_norm_refuses_different_settings():
    a, b = nn.BatchNorm2d(2), nn.BatchNorm2d(3, eps=1e-3)
    with pytest.raises(ValueError, match='eps, momentum or mode'):
        joined_batch_norm(torch.randn(2, 5, 3, 3), [a, b])
