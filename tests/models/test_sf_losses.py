"""F-RL and F-CL: hand-computed values and the edge cases (zeros, identical, N=1, autocast)."""
import math

import pytest
import torch

from mmaction.registry import MODELS
from sfhead_mm.models.losses import FeatureConsistencyLoss, FeatureRedundancyLoss


def d_of_cos(cos, alpha=1.0):
    return 1 - math.exp(-alpha * (cos + 1))


def test_registered():
    assert MODELS.get('FeatureRedundancyLoss') is FeatureRedundancyLoss
    assert MODELS.get('FeatureConsistencyLoss') is FeatureConsistencyLoss


def test_redundancy_hand_computed():
    # s_1 = t_1 = e1, s_2 = t_2 = e2: matching pairs have cos 1, others cos 0.
    s = torch.tensor([[1., 0.], [0., 1.]])
    t = s.clone()
    m, tau = 0.4, 0.1
    a, b = m * d_of_cos(1.) / tau, m * d_of_cos(0.) / tau
    row = -math.log(math.exp(a) / (math.exp(a) + math.exp(b)))
    expected = (2 * row + 2 * row) / (2 * 2)
    loss = FeatureRedundancyLoss()(s, t)
    assert loss.item() == pytest.approx(expected, rel=1e-5)
    # asymmetric case: t_1 = -e1 makes the direction matter; check against the formula
    t2 = torch.tensor([[-1., 0.], [1., 1.]])
    cos = torch.nn.functional.normalize(s, dim=1) @ torch.nn.functional.normalize(t2, dim=1).t()
    D = [[m * d_of_cos(cos[i, j].item()) / tau for j in range(2)] for i in range(2)]
    total = 0.
    for i in range(2):
        total -= D[i][i] - math.log(sum(math.exp(D[i][j]) for j in range(2)))  # s_i vs t_j
        total -= D[i][i] - math.log(sum(math.exp(D[j][i]) for j in range(2)))  # t_i vs s_j
    assert FeatureRedundancyLoss(loss_weight=0.1)(s, t2).item() == pytest.approx(
        0.1 * total / 4, rel=1e-5)


def test_consistency_hand_computed():
    m, gamma, eps = 0.4, 2.0, 0.01
    f_a = torch.tensor([[1., 0.], [1., 1.]])
    feats = [torch.tensor([[1., 0.], [1., 0.]]), torch.tensor([[0., 1.], [-1., -1.]])]

    def term(cos):
        d = d_of_cos(cos)
        margin = math.log(math.exp(m) + (1 - math.exp(m)) * d)
        phi = (1 - d)**gamma * math.log(d) if min(d, 1 - d) > eps else 0.
        return margin + phi

    r = 1 / math.sqrt(2)
    expected = (term(1.) + term(0.)) / 2 + (term(r) + term(-1.)) / 2
    loss = FeatureConsistencyLoss(loss_weight=0.2)(f_a, feats)
    assert loss.item() == pytest.approx(0.2 * expected, rel=1e-5)


def test_consistency_margin_range():
    # log(e^m + (1 - e^m) d) lies in [0, m] for d in [0, 1]; phi <= 0
    f = torch.randn(16, 50)
    loss = FeatureConsistencyLoss(gamma=2.0, eps=1.0)(f, [torch.randn(16, 50)])  # phi off
    assert 0 <= loss.item() <= 0.4


@pytest.mark.parametrize('case', ['zeros', 'identical', 'batch1'])
def test_edge_cases_finite_with_finite_gradients(case):
    torch.manual_seed(0)
    if case == 'zeros':
        a, b = torch.zeros(4, 30), torch.zeros(4, 30)
    elif case == 'identical':
        a = torch.randn(4, 30)
        b = a.clone()
    else:
        a, b = torch.randn(1, 30), torch.randn(1, 30)
    a.requires_grad_(True)
    b.requires_grad_(True)
    red = FeatureRedundancyLoss()(a, b)
    con = FeatureConsistencyLoss()(a, [b, b * 2, -b])
    (red + con).backward()
    for v in (red, con, a.grad, b.grad):
        assert torch.isfinite(v).all()
    if case == 'batch1':
        assert red.item() == 0.0


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
@pytest.mark.parametrize('zero', [False, True])
def test_autocast_half_precision(dtype, zero):
    torch.manual_seed(0)
    x = torch.zeros(3, 4, 5, 6) if zero else torch.randn(3, 4, 5, 6)
    w = torch.randn(4, 4, 1, 1, requires_grad=True)
    with torch.autocast('cpu', dtype=dtype):
        f = torch.nn.functional.conv2d(x, w)  # half-precision features, as in a backbone
        assert f.dtype == dtype
        red = FeatureRedundancyLoss()(f, f.flip(0))
        con = FeatureConsistencyLoss()(f, [f.flip(0), f * 0.5])
    assert red.dtype == con.dtype == torch.float32
    (red + con).backward()
    assert torch.isfinite(red) and torch.isfinite(con)
    assert torch.isfinite(w.grad).all()


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match='differ'):
        FeatureRedundancyLoss()(torch.randn(2, 3), torch.randn(2, 4))
    with pytest.raises(ValueError, match='differs'):
        FeatureConsistencyLoss()(torch.randn(2, 3), [torch.randn(3, 3)])


def test_from_cos_on_a_stack_equals_each_loss_alone():
    """Both losses take a stack of cosine sets (one per SF-Head) and give each head's loss."""
    torch.manual_seed(0)
    con = MODELS.build(dict(type='FeatureConsistencyLoss', loss_weight=0.2))
    red = MODELS.build(dict(type='FeatureRedundancyLoss', loss_weight=0.1))
    cos_fcl = torch.rand(3, 5, 4, dtype=torch.double) * 2 - 1  # 3 heads, 5 samples, 4 features
    cos_frl = torch.rand(3, 5, 5, dtype=torch.double) * 2 - 1
    cos_fcl[1, 2, 0] = 1.0  # a distance within eps of its end: no compensation term
    batched_con, batched_red = con.from_cos(cos_fcl), red.from_cos(cos_frl)
    assert batched_con.shape == batched_red.shape == (3,)
    for h in range(3):
        alone = con.from_cos([cos_fcl[h, :, k] for k in range(4)])
        torch.testing.assert_close(batched_con[h], alone, rtol=1e-12, atol=0)
        torch.testing.assert_close(batched_red[h], red.from_cos(cos_frl[h]), rtol=1e-12, atol=0)
    assert red.from_cos(cos_frl[0, :1, :1]) == 0  # one sample: one candidate
