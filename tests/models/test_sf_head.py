"""SFHead against a literal transcription of the spec (float64 values and gradients), its
parameter count, checkpoint keys and wiring."""
import pytest
import torch
import torch.nn as nn

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from sfhead_mm.models import SFHead
from sfhead_mm.models.plugins import SeamNotFoundError
from sfhead_mm.models.plugins.sf_head import DOT_ORDER, SQ_ORDER


def plain_sf_head(head: SFHead, x: torch.Tensor) -> torch.Tensor:
    """The spec's forward pass, literally (permutes, cat, chunk, shuffle), with head's params."""
    B, C, T, V = x.shape
    G = head.groups
    x1, x2, x3, x4 = torch.chunk(x.reshape(B * G, C // G, T, V), 4, dim=1)
    f_t = x1 * torch.sigmoid(head.cweight * x1.mean((2, 3), keepdim=True) + head.cbias)
    f_s = x3 * torch.sigmoid(head.sweight * head.gn(x3) + head.sbias)
    f_c = x2

    def gate(module, t):  # the authors' attention gate: pool dim 1, conv7x7, BN, sigmoid
        z = torch.cat([t.max(1, keepdim=True)[0], t.mean(1, keepdim=True)], 1)
        return t * torch.sigmoid(module.bn(module.conv(z)))

    g_cv = gate(head.gate_cv, f_t.permute(0, 2, 1, 3)).permute(0, 2, 1, 3)  # pool T
    g_tc = gate(head.gate_tc, f_s.permute(0, 3, 2, 1)).permute(0, 3, 2, 1)  # pool V
    g_tv = gate(head.gate_tv, f_c)  # pool C
    w = torch.softmax(head.eta, 0)
    f_r = w[0] * g_cv + w[1] * g_tc + w[2] * g_tv + w[3] * f_c
    out = torch.cat([f_t, f_s, f_r, x4], 1).reshape(B, C, T, V)
    return out.reshape(B, 2, C // 2, T, V).transpose(1, 2).reshape(B, C, T, V)


def randomise(head: SFHead, seed: int = 0) -> SFHead:
    """Non-trivial parameters (the spec's init makes several branches degenerate)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in head.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.5 + (1 if p.dim() == 1 else 0))
        for m in head.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.fill_(0.1)
                m.running_var.fill_(1.5)
    return head


@pytest.mark.parametrize('C,G,train', [(64, 8, True), (64, 8, False), (32, 4, True),
                                       (48, 3, True), (128, 8, False)])
def test_forward_and_gradients_equal_the_literal_spec(C, G, train):
    torch.manual_seed(0)
    head = randomise(SFHead(C, G)).double().train(train)
    x = torch.randn(3, C, 11, 7, dtype=torch.double, requires_grad=True)
    x_ref = x.detach().clone().requires_grad_(True)
    ref_head = randomise(SFHead(C, G)).double().train(train)
    out, ref = head(x), plain_sf_head(ref_head, x_ref)
    torch.testing.assert_close(out, ref, rtol=1e-10, atol=1e-10)
    grad = torch.randn_like(out)
    out.backward(grad)
    ref.backward(grad)
    torch.testing.assert_close(x.grad, x_ref.grad, rtol=1e-9, atol=1e-9)
    for (name, p), p_ref in zip(head.named_parameters(), ref_head.parameters()):
        torch.testing.assert_close(p.grad, p_ref.grad, rtol=1e-9, atol=1e-9, msg=name)


@pytest.mark.parametrize('C,G,train', [(64, 8, False), (64, 8, True), (96, 4, False),
                                       (48, 3, False)])
def test_inference_equals_the_literal_spec(C, G, train):
    """Under no_grad too, and BatchNorm running statistics advance identically."""
    head = randomise(SFHead(C, G)).double().train(train)
    ref_head = randomise(SFHead(C, G)).double().train(train)
    x = torch.randn(2, C, 9, 6, dtype=torch.double)
    with torch.no_grad():
        out = head(x)
        ref = plain_sf_head(ref_head, x)
    torch.testing.assert_close(out, ref, rtol=1e-10, atol=1e-10)
    if train:  # BatchNorm running statistics advance identically
        for a, b in zip(head.buffers(), ref_head.buffers()):
            torch.testing.assert_close(a, b)


def test_forward_shape_and_branch_features():
    head = SFHead(64, 8)
    x = torch.randn(4, 64, 10, 25)
    out, feats = head(x, return_feats=True)
    assert out.shape == x.shape
    assert set(feats) == {'f_t', 'f_s', 'f_c', 'f_o', 'f_r'}
    for f in feats.values():
        assert f.shape == (4 * 8, 2, 10, 25)
    # f_o passes through unchanged; with the spec's initial values f_t = x1 * sigmoid(1)
    x4 = x.reshape(32, 8, 10, 25)[:, 6:8]
    torch.testing.assert_close(feats['f_o'], x4)
    x1 = x.reshape(32, 8, 10, 25)[:, 0:2]
    torch.testing.assert_close(feats['f_t'], x1 * torch.sigmoid(torch.tensor(1.)))
    # branches() gives the same features without building the output
    for k, v in head.branches(x).items():
        torch.testing.assert_close(v, feats[k])


def test_checkpoint_keys():
    """The state-dict keys of released checkpoints (gates keep the authors' kernel layout)."""
    keys = set(SFHead(64, 8).state_dict())
    gates = {f'gate_{g}.{k}' for g in ('cv', 'tc', 'tv')
             for k in ('conv.weight', 'bn.weight', 'bn.bias', 'bn.running_mean',
                       'bn.running_var', 'bn.num_batches_tracked')}
    assert keys == {'cweight', 'cbias', 'sweight', 'sbias', 'gn.weight', 'gn.bias', 'eta'} | gates


def test_stats_equal_products_of_the_branch_features():
    torch.manual_seed(0)
    head = randomise(SFHead(32, 4)).double()
    x = torch.randn(3, 32, 5, 4, dtype=torch.double)
    out, stats = head.forward_with_stats(x)
    assert out.grad_fn is not None
    feats = head.branches(x)
    flat = {k: v.reshape(3, -1) for k, v in feats.items()}
    torch.testing.assert_close(out, head(x))
    for i in range(3):
        for k, name in enumerate(SQ_ORDER):
            torch.testing.assert_close(stats['sq'][i, k], flat[name][i].dot(flat[name][i]))
        for k, name in enumerate(DOT_ORDER):
            torch.testing.assert_close(stats['dot'][i, k], flat['f_r'][i].dot(flat[name][i]))
        for j in range(3):
            torch.testing.assert_close(stats['cross'][i, j], flat['f_s'][i].dot(flat['f_t'][j]))


def test_parameter_count():
    head = SFHead(64, 8)
    n = sum(p.numel() for p in head.parameters())
    # 4 SSTE vectors + GroupNorm affine (6 per branch channel, c' = 2), 3 gates x (98 + 2), eta
    assert n == 6 * 2 + 3 * 100 + 4 == SFHead.num_params(64, 8) == 316
    assert 300 <= n <= 360  # "about 340 per head"


def test_channels_must_divide_4g():
    with pytest.raises(ValueError, match=r'in_channels=60 .* 4 \* groups = 32'):
        SFHead(60, 8)


def _recognizer(sf_head=None, backbone=None):
    backbone = backbone or dict(type='STGCN', graph_cfg=dict(layout='nturgb+d',
                                                             mode='stgcn_spatial'),
                                base_channels=32, num_stages=4, inflate_stages=[3],
                                down_stages=[3])
    cfg = dict(type='RecognizerGCN', backbone=backbone,
               cls_head=dict(type='GCNHead', num_classes=5, in_channels=64))
    if sf_head is not None:
        cfg.update(type='SFRecognizerGCN', sf_head=sf_head)
    return MODELS.build(cfg)


def _batch(n=3):
    torch.manual_seed(1)
    x = torch.randn(n, 1, 2, 12, 25, 3)
    samples = [ActionDataSample().set_gt_label(i % 5) for i in range(n)]
    return x, samples


@pytest.mark.parametrize('mode', ['inline', 'auxiliary'])
def test_loss_dict_and_gradient_reaches_backbone(mode):
    model = _recognizer(dict(groups=8, mode=mode))
    assert len(model.plugins[0].heads) == 4
    x, samples = _batch()
    losses = model(x, samples, mode='loss')
    assert {'loss_cls', 'loss_con', 'loss_red'} <= set(losses)
    # the SF-Head terms alone must move the backbone (GCN of the first block) and the heads
    (losses['loss_con'] + losses['loss_red']).backward()
    gcn_grad = model.backbone.gcn[0].gcn.conv.weight.grad
    assert gcn_grad is not None and gcn_grad.abs().sum() > 0
    head_grads = [p.grad for p in model.plugins[0].heads.parameters()]
    assert any(g is not None and g.abs().sum() > 0 for g in head_grads)


def test_auxiliary_inference_is_bit_identical_to_the_bare_backbone():
    torch.manual_seed(0)
    bare = _recognizer()
    aux = _recognizer(dict(groups=8, mode='auxiliary'))
    missing, unexpected = aux.load_state_dict(bare.state_dict(), strict=False)
    assert not unexpected and all(k.startswith('plugins.') for k in missing)
    x, samples = _batch()
    bare.eval(), aux.eval()
    with torch.no_grad():
        a = bare(x, mode='tensor', stage='head')
        b = aux(x, mode='tensor', stage='head')
    assert torch.equal(a, b)


def test_inline_changes_inference_and_keeps_backbone_keys():
    torch.manual_seed(0)
    bare, inline = _recognizer(), _recognizer(dict(groups=8))
    # the backbone's state-dict keys are untouched: a baseline checkpoint loads as is
    assert set(bare.state_dict()) <= set(inline.state_dict())
    inline.load_state_dict(bare.state_dict(), strict=False)
    x, _ = _batch()
    bare.eval(), inline.eval()
    with torch.no_grad():
        assert not torch.equal(bare(x, mode='tensor'), inline(x, mode='tensor'))
    assert inline.inference_affected() == ['SFHeadPlugin']


def test_block_selection():
    model = _recognizer(dict(groups=8, blocks=[0, -1]))
    assert model.plugins[0].block_names == ['gcn.0', 'gcn.3']
    with pytest.raises(ValueError, match='out of range'):
        _recognizer(dict(groups=8, blocks=[7]))


def test_bad_configuration_errors_name_the_problem():
    with pytest.raises(ValueError, match=r'block 0 \(gcn.0\).*C=32.*4 \* groups = 64'):
        _recognizer(dict(groups=16))
    with pytest.raises(SeamNotFoundError, match=r'STGCN: no block with both a `.spatial`'):
        _recognizer(dict(groups=8, seam=dict(gcn='spatial', tcn='temporal')))
    with pytest.raises(ValueError, match='unknown mode'):
        _recognizer(dict(groups=8, mode='sideways'))


def test_works_on_aagcn_blocks():
    model = _recognizer(dict(groups=8), backbone=dict(
        type='AAGCN', graph_cfg=dict(layout='nturgb+d', mode='spatial'), base_channels=32,
        num_stages=4, inflate_stages=[3], down_stages=[3]))
    x, samples = _batch()
    assert {'loss_con', 'loss_red'} <= set(model(x, samples, mode='loss'))


def test_deepcopy_keeps_the_taps_pointing_at_the_copy():
    import copy
    model = _recognizer(dict(groups=8))
    clone = copy.deepcopy(model)
    with torch.no_grad():
        for p in clone.plugins.parameters():
            p.add_(1.0)
    x, _ = _batch()
    model.eval(), clone.eval()
    with torch.no_grad():
        assert not torch.equal(model(x, mode='tensor'), clone(x, mode='tensor'))
        # the original is unaffected by the clone's heads
        ref = copy.deepcopy(model)
        assert torch.equal(model(x, mode='tensor'), ref(x, mode='tensor'))


@pytest.mark.parametrize('stats', [False, True])
def test_bf16_autocast(stats):
    """Half-precision features (autocast) meet float32 head parameters."""
    head = randomise(SFHead(32, 4))
    conv = nn.Conv2d(3, 32, 1)
    x = torch.randn(2, 3, 6, 5)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        feats = conv(x)
        assert feats.dtype == torch.bfloat16
        if stats:
            out, st = head.forward_with_stats(feats)
            loss = out.float().square().mean() + sum(v.sum() for v in st.values()) * 1e-3
        else:
            out = head(feats)
            loss = out.float().square().mean()
        with torch.no_grad():
            inference = head(feats)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(inference).all()
    assert torch.isfinite(conv.weight.grad).all() and conv.weight.grad.abs().sum() > 0
    assert all(torch.isfinite(p.grad).all() for p in head.parameters() if p.grad is not None)
    # the head keeps the features' dtype: a float32 output would make the rest of the block
    # (TCN, residual) run in float32 under autocast (the 1.47x step of the study's first run)
    assert out.dtype == inference.dtype == torch.bfloat16
    if stats:
        assert st['sq'].dtype == st['dot'].dtype == torch.float32  # float32 accumulation
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        assert all(f.dtype == torch.bfloat16 for f in head.branches(feats).values())
    # and computes what the float32 head computes, to bf16 precision
    with torch.no_grad():
        ref = head(feats.detach().float())
    assert torch.allclose(inference.float(), ref, rtol=0.03, atol=0.03)
