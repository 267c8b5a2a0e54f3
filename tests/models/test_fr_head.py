"""FR-Head: the contrastive refinement loss on hand-made batches, its prototypes (confident-only
update, checkpoints, distributed consistency), and the plugin on a backbone (parameter
overhead, gradients, zero inference cost, autocast)."""
import io
import math
import os.path as osp

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from sfhead_mm.models.losses.fr_head_loss import FRContrastiveLoss
from sfhead_mm.models.plugins.fr_head import FRHeadPlugin
from tests.conftest import REPO

TAU, MOM = 0.125, 0.9


# ------------------------------------------------------------------ reference (paper eq. 3-8)
def reference_cl(feat, labels, probs, protos, calibrate='confident', thr=0.0, terms=True):
    """Eq. 3-8 written sample by sample; returns (loss, updated prototypes).

    ``terms=False`` drops the compensation/penalty terms (plain prototype CE)."""
    n, k_cls = probs.shape
    pred = probs.argmax(1)
    new = protos.clone()
    for k in range(k_cls):
        tp = [i for i in range(n) if labels[i] == k and pred[i] == k and probs[i, k] > thr]
        if tp:
            new[k] = MOM * protos[k] + (1 - MOM) * feat[tp].mean(0)

    def cos(u, v):
        return float(u @ v / (u.norm() * v.norm()))

    total = 0.0
    for i in range(n):
        k = int(labels[i])
        fn = [j for j in range(n) if labels[j] == k and pred[j] != k]
        fp = [j for j in range(n) if labels[j] != k and pred[j] == k]
        is_tp = pred[i] == k and probs[i, k] > thr
        anchor = (bool(is_tp) if calibrate == 'confident' else True) and terms
        phi = 1 - cos(feat[i], feat[fn].mean(0)) if anchor and fn else 0.0
        psi = 1 + cos(feat[i], feat[fp].mean(0)) if anchor and fp else 0.0
        w = 1 - float(probs[i, k])
        logits = [cos(feat[i], new[c]) / TAU for c in range(k_cls)]
        for term in (psi, phi):
            z = list(logits)
            z[k] -= w * term
            total += -(z[k] - math.log(sum(math.exp(v) for v in z)))
    return total / n, new


def probs_for(preds, k_cls, conf=0.7):
    """Probabilities whose argmax is ``preds`` (confidence ``conf``)."""
    p = torch.full((len(preds), k_cls), (1 - conf) / (k_cls - 1))
    p[torch.arange(len(preds)), torch.tensor(preds)] = conf
    return p


def make_loss(k_cls=3, d=8, **kw):
    torch.manual_seed(0)
    return FRContrastiveLoss(num_classes=k_cls, feat_dim=d, **kw)


# Hand-made batches over 3 classes. Labels and predictions:
#   all TP:   every sample right;
#   with FN:  a class-0 sample predicted as class 2 (no class-2 sample: only the FN side has
#             anchors, so only the compensation term phi is active, on class-0 TPs);
#   with FP:  the class-2 sample predicted as class 0 (class 2 has no TP: only the penalty psi
#             is active, on class-0 TPs);
#   two FN:   two class-0 samples predicted as class 1: phi on class-0 TPs, psi on class-1
#             TPs, and with calibrate='all' also phi on the two misclassified samples.
CASES = {
    'all_tp': ([0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2]),
    'with_fn': ([0, 0, 0, 1, 1, 1], [0, 0, 2, 1, 1, 1]),
    'with_fp': ([0, 0, 1, 1, 1, 2], [0, 0, 1, 1, 1, 0]),
    'two_fn': ([0, 0, 0, 0, 1, 1], [0, 0, 1, 1, 1, 1]),
}


@pytest.mark.parametrize('calibrate', ['confident', 'all'])
@pytest.mark.parametrize('case', sorted(CASES))
def test_loss_matches_paper_equations_on_hand_made_batches(case, calibrate):
    labels, preds = CASES[case]
    loss_fn = make_loss(calibrate=calibrate)
    old = loss_fn.prototypes.clone()
    torch.manual_seed(1)
    feat = torch.randn(6, 8)
    labels = torch.tensor(labels)
    probs = probs_for(preds, 3)
    got = loss_fn(feat, labels, probs)
    want, want_protos = reference_cl(feat, labels, probs, old, calibrate)
    assert got.item() == pytest.approx(want, rel=1e-5)
    torch.testing.assert_close(loss_fn.prototypes, want_protos)

    plain, _ = reference_cl(feat, labels, probs, old, calibrate, terms=False)
    if case == 'all_tp':
        # no FN/FP: plain prototype CE, twice (eq. 8's two terms coincide)
        logits = F.normalize(feat, dim=1) @ F.normalize(want_protos, dim=1).t() / TAU
        closed = 2 * F.cross_entropy(logits, labels)
        assert got.item() == pytest.approx(closed.item(), rel=1e-5)
        assert got.item() == pytest.approx(plain, rel=1e-6)
    else:
        # phi, psi >= 0 lower the target logit: active terms can only raise the loss
        assert got.item() > plain + 1e-4


def test_variants_differ_where_misclassified_samples_have_calibration_terms():
    """'all' (code V0) also calibrates the misclassified samples, 'confident' (paper, V1)
    only the TP anchors."""
    torch.manual_seed(1)
    feat = torch.randn(6, 8)
    labels, preds = CASES['two_fn']
    labels, probs = torch.tensor(labels), probs_for(preds, 3)
    values = {c: make_loss(calibrate=c)(feat, labels, probs).item()
              for c in ('confident', 'all')}
    assert values['all'] > values['confident'] + 1e-4
    # with a single FN its own compensation is 1 - cos(F, F) = 0: both variants agree
    labels, preds = CASES['with_fn']
    labels, probs = torch.tensor(labels), probs_for(preds, 3)
    values = {c: make_loss(calibrate=c)(feat, labels, probs).item()
              for c in ('confident', 'all')}
    assert values['all'] == pytest.approx(values['confident'], rel=1e-6)


def test_prototypes_update_only_from_confident_samples():
    loss_fn = make_loss(pred_threshold=0.5)
    old = loss_fn.prototypes.clone()
    torch.manual_seed(2)
    feat = torch.randn(6, 8)
    labels = torch.tensor([0, 0, 0, 1, 1, 2])
    # sample 2 (class 0) is an FN, sample 4 (class 1) is right but below the threshold,
    # class 2's sample is predicted as 1: classes 1 keeps one TP (sample 3), class 2 none
    probs = probs_for([0, 0, 2, 1, 1, 1], 3)
    probs[4] = torch.tensor([0.3, 0.4, 0.3])
    loss_fn(feat, labels, probs)
    new = loss_fn.prototypes.clone()
    torch.testing.assert_close(new[0], MOM * old[0] + (1 - MOM) * feat[[0, 1]].mean(0))
    torch.testing.assert_close(new[1], MOM * old[1] + (1 - MOM) * feat[3])
    assert torch.equal(new[2], old[2])  # no confident sample: kept

    # moving the non-confident samples changes nothing in the update
    again = make_loss(pred_threshold=0.5)
    feat2 = feat.clone()
    feat2[[2, 4, 5]] += 10 * torch.randn(3, 8)
    again(feat2, labels, probs)
    assert torch.equal(again.prototypes, new)

    # eval mode computes the loss but leaves the prototypes alone
    loss_fn.eval()
    loss_fn(feat, labels, probs)
    assert torch.equal(loss_fn.prototypes, new)


def test_bad_shapes_are_named():
    loss_fn = make_loss()
    with pytest.raises(ValueError, match=r'\(N, 8\)'):
        loss_fn(torch.randn(4, 7), torch.zeros(4, dtype=torch.long), probs_for([0] * 4, 3))
    with pytest.raises(ValueError, match='num_classes'):
        loss_fn(torch.randn(4, 8), torch.zeros(4, dtype=torch.long), torch.rand(4, 5))
    with pytest.raises(ValueError, match='calibrate'):
        FRContrastiveLoss(num_classes=3, calibrate='V7')


# ------------------------------------------------------------------ distributed consistency
def _dist_worker(rank, init_file, out_dir, feat, labels, probs):
    import torch.distributed as tdist
    torch.set_num_threads(1)
    tdist.init_process_group('gloo', init_method=f'file://{init_file}', rank=rank,
                             world_size=2)
    try:
        loss_fn = make_loss()
        half = slice(rank * 4, rank * 4 + 4)
        f = feat[half].clone().requires_grad_(True)
        loss = loss_fn(f, labels[half], probs[half])
        loss.backward()
        torch.save(dict(protos=loss_fn.prototypes, grad_finite=bool(torch.isfinite(f.grad).all())),
                   osp.join(out_dir, f'rank{rank}.pt'))
    finally:
        tdist.destroy_process_group()


def test_prototype_update_is_identical_across_ranks(tmp_path):
    """2 gloo processes with 4 samples each == 1 process with the 8 concatenated samples."""
    import torch.multiprocessing as mp
    torch.manual_seed(3)
    feat = torch.randn(8, 8)
    labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    probs = probs_for([0, 1, 0, 0, 2, 2, 0, 1], 3)  # TPs of every class spread over both ranks
    # fork: the children inherit the imported stack (a spawn would re-import it, ~5 s each)
    ctx = mp.start_processes(_dist_worker, nprocs=2, join=False, start_method='fork',
                             args=(str(tmp_path / 'init'), str(tmp_path), feat, labels, probs))
    while not ctx.join(timeout=60):
        pass
    single = make_loss()
    single(feat, labels, probs)
    r0, r1 = (torch.load(tmp_path / f'rank{r}.pt') for r in (0, 1))
    assert torch.equal(r0['protos'], r1['protos'])
    torch.testing.assert_close(r0['protos'], single.prototypes)
    assert not torch.equal(single.prototypes, make_loss().prototypes)  # it did update
    assert r0['grad_finite'] and r1['grad_finite']


# ------------------------------------------------------------------ the plugin on a backbone
class ToyBlock(nn.Module):
    """A block with `.gcn` and `.tcn` (the mechanism's pattern); T stride in the TCN."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.gcn = nn.Conv2d(cin, cout, 1)
        self.gcn.out_channels = cout
        self.tcn = nn.Conv2d(cout, cout, (9, 1), (stride, 1), (4, 0))

    def forward(self, x):
        return torch.relu(self.tcn(self.gcn(x)))


class ToyCTRGCN(nn.Module):
    """10 blocks with CTR-GCN's channel plan and strides (blocks 5 and 8, 1-based)."""

    plan = [(3, 64, 1), (64, 64, 1), (64, 64, 1), (64, 64, 1), (64, 128, 2), (128, 128, 1),
            (128, 128, 1), (128, 256, 2), (256, 256, 1), (256, 256, 1)]

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(ToyBlock(*p) for p in self.plan)


PAPER_OVERHEAD = 0.53e6  # FR-Head paper, Tables 1 and 3: CTR-GCN 1.46M -> 1.99M on NTU


@pytest.mark.parametrize('backbone', ['toy', 'stgcn'])
def test_parameter_overhead_matches_paper_on_ctrgcn_channel_plan(backbone):
    """NTU: V=25, T=64, 120 classes; MMAction2's default STGCN has the same 10-block plan."""
    if backbone == 'toy':
        net, kw = ToyCTRGCN(), dict(num_joints=25)
    else:
        net = MODELS.build(dict(type='STGCN', graph_cfg=dict(layout='nturgb+d',
                                                             mode='stgcn_spatial')))
        kw = {}
    plugin = FRHeadPlugin(num_frames=64, num_classes=120, **kw)
    plugin.attach(net)
    assert [(h.in_channels, h.num_frames) for h in plugin.heads] == [
        (64, 64), (128, 32), (256, 16), (256, 16)]
    extra = sum(p.numel() for p in plugin.parameters())
    assert abs(extra - PAPER_OVERHEAD) / PAPER_OVERHEAD < 0.05, extra
    # the prototypes are buffers (8 streams x 120 classes x 256), not trainable parameters
    protos = [b for n, b in plugin.named_buffers() if n.endswith('prototypes')]
    assert len(protos) == 8 and all(p.shape == (120, 256) for p in protos)


@pytest.mark.parametrize('frames', [64, 100])
def test_parameter_overhead_on_the_real_ctrgcn(frames):
    """This package's CTRGCN, NTU-120: 64 frames is the paper's clip, 100 the configs'."""
    cfg, base = load_over_base('ctrgcn_frhead_ntu120.py', BASES)
    cfg.model.plugins[0].num_frames = frames
    model = MODELS.build(cfg.model)
    # T' after its strided multi-scale TCNs (blocks 5 and 8)
    half = math.ceil(frames / 2)
    assert [h.num_frames for h in model.plugins[0].heads] == [
        frames, half, math.ceil(half / 2), math.ceil(half / 2)]
    extra = (sum(p.numel() for p in model.parameters())
             - sum(p.numel() for p in MODELS.build(base.model).parameters()))
    assert abs(extra - PAPER_OVERHEAD) / PAPER_OVERHEAD < 0.05, extra


def tiny_cfg(plugins, k_cls=5):
    return dict(
        type='PluginRecognizerGCN',
        backbone=dict(type='STGCN', graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial'),
                      base_channels=8, num_stages=4, inflate_stages=[3], down_stages=[3]),
        cls_head=dict(type='GCNHead', num_classes=k_cls, in_channels=16),
        plugins=plugins)


FR_TINY = dict(type='FRHeadPlugin', num_frames=12, blocks=(0, 3), stage_weights=(0.5, 1.0))


def batch(n=6, k_cls=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, 2, 12, 25, 3, generator=g)
    return x, [ActionDataSample().set_gt_label(i % k_cls) for i in range(n)]


def build(plugins, seed=0):
    torch.manual_seed(seed)
    return MODELS.build(tiny_cfg(plugins))


def test_gradient_reaches_the_backbone_but_not_the_classifier():
    model = build([FR_TINY])
    x, ds = batch()
    losses = model(x, ds, mode='loss')
    assert set(losses) >= {'loss_cls', 'loss_fr'} and losses['loss_fr'] > 0
    losses['loss_fr'].backward()
    first = model.backbone.gcn[0].gcn.conv.weight.grad
    assert first is not None and first.abs().sum() > 0
    head = model.plugins[0].heads[1].temporal.fc.weight.grad
    assert head is not None and head.abs().sum() > 0
    # TP/FN/FP and p come from the detached classifier: no gradient into it from FR-Head
    assert model.cls_head.fc.weight.grad is None


def test_inference_is_the_bare_backbone_bit_for_bit():
    model = build([FR_TINY])
    x, ds = batch()
    model(x, ds, mode='loss')  # a training step first: taps exist only inside it
    bare = MODELS.build({k: v for k, v in tiny_cfg([]).items() if k != 'plugins'}
                        | dict(type='RecognizerGCN'))
    missing, unexpected = bare.load_state_dict(model.state_dict(), strict=False)
    assert not missing and all(k.startswith('plugins.') for k in unexpected)
    model.eval()
    bare.eval()
    assert not any(m._forward_hooks for m in model.backbone.modules())
    calls = []
    for m in model.plugins.modules():
        m.register_forward_pre_hook(lambda *a: calls.append(1))
    with torch.no_grad():
        got = model(x, mode='tensor')
        want = bare(x, mode='tensor')
        got_pred = model(x, [ActionDataSample() for _ in x], mode='predict')
        want_pred = bare(x, [ActionDataSample() for _ in x], mode='predict')
    assert torch.equal(got, want)
    for a, b in zip(got_pred, want_pred):
        assert torch.equal(a.pred_score, b.pred_score)
    assert not calls  # no FR-Head module ran at inference


def test_a_deep_copy_taps_its_own_blocks():
    """EMA hooks and model soups deep-copy the model: the copy's FR-Head must read the copy."""
    import copy
    model = build([FR_TINY])
    twin = copy.deepcopy(model)
    blocks = [m for _, m in twin.plugins[0]._tap_plan[0]]
    assert all(any(b is m for m in twin.backbone.modules()) for b in blocks)
    x, ds = batch()
    seen = []
    twin.backbone.gcn[0].register_forward_hook(lambda *a: seen.append('twin'))
    model.backbone.gcn[0].register_forward_hook(lambda *a: seen.append('model'))
    assert torch.isfinite(twin(x, ds, mode='loss')['loss_fr'])
    assert seen == ['twin']


def test_checkpoint_round_trip_keeps_prototypes():
    model = build([FR_TINY])
    x, ds = batch()
    before = {n: b.clone() for n, b in model.named_buffers() if n.endswith('prototypes')}
    model(x, ds, mode='loss')
    state = model.state_dict()
    assert len(before) == 4
    assert any(not torch.equal(before[n], state[n]) for n in before)  # updated by the step
    buf = io.BytesIO()
    torch.save(state, buf)
    buf.seek(0)
    fresh = build([FR_TINY], seed=123)
    fresh.load_state_dict(torch.load(buf))
    for n in before:
        assert torch.equal(dict(fresh.named_buffers())[n], state[n])
    model.eval()
    fresh.eval()  # same prototypes and weights: same loss
    torch.testing.assert_close(model(x, ds, mode='loss')['loss_fr'],
                               fresh(x, ds, mode='loss')['loss_fr'])


def test_losses_and_gradients_are_finite_under_bf16_autocast():
    model = build([FR_TINY])
    x, ds = batch()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = model(x, ds, mode='loss')
    total = losses['loss_cls'] + losses['loss_fr']
    assert torch.isfinite(losses['loss_fr']) and losses['loss_fr'].dtype == torch.float32
    total.backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)
    protos = [b for n, b in model.named_buffers() if n.endswith('prototypes')]
    assert all(p.dtype == torch.float32 and torch.isfinite(p).all() for p in protos)


def test_wrong_clip_length_or_stage_weights_give_clear_errors():
    model = build([dict(FR_TINY, num_frames=16)])  # the batch has 12 frames
    x, ds = batch()
    with pytest.raises(ValueError, match='num_frames'):
        model(x, ds, mode='loss')
    assert not any(m._forward_hooks for m in model.backbone.modules())  # taps cleaned up
    with pytest.raises(ValueError, match='stage_weights has 4 entries for 2'):
        build([dict(FR_TINY, stage_weights=(0.1, 0.2, 0.5, 1.0))])


BASES = {'ctrgcn_frhead_ntu120.py': 'ctrgcn_ntu120.py',
         'ctrgcn_frhead_nwucla.py': 'ctrgcn/ctrgcn_nwucla.py'}


def load_over_base(name, bases):
    """The config ``name`` and its baseline's; skips while the baseline or CTRGCN is missing."""
    base = osp.join(REPO, 'configs', bases[name])
    if not osp.exists(base):
        pytest.skip(f'baseline config {base} does not exist yet (CTR-GCN issue)')
    if MODELS.get('CTRGCN') is None:
        pytest.skip('CTRGCN is not registered yet (sfhead_mm/models/backbones/ctrgcn.py)')
    return Config.fromfile(osp.join(REPO, 'configs', name)), Config.fromfile(base)


@pytest.mark.parametrize('name', sorted(BASES))
def test_frhead_configs_are_their_baseline_plus_the_plugin(name):
    cfg, base = load_over_base(name, BASES)
    assert cfg.model.type == 'PluginRecognizerGCN'
    (plugin,) = cfg.model.plugins
    assert plugin.type == 'FRHeadPlugin'
    # nothing else differs from the baseline
    assert {k: v for k, v in cfg.model.items() if k not in ('type', 'plugins')} == {
        k: v for k, v in base.model.items() if k != 'type'}
    for key in ('train_dataloader', 'optim_wrapper', 'param_scheduler', 'train_cfg'):
        assert cfg[key] == base[key], key
    train_set = cfg.train_dataloader.dataset
    train_set = train_set.get('dataset', train_set)  # through RepeatDataset
    clip_lens = [t['clip_len'] for t in train_set.pipeline if 'clip_len' in t]
    assert clip_lens == [plugin.num_frames]  # the temporal branches are sized for it
    model = MODELS.build(cfg.model)
    assert len(model.plugins[0].heads) == 4
    # a checkpoint of it loads into the baseline (only the heads' keys are extra)
    bare = MODELS.build(base.model)
    missing, unexpected = bare.load_state_dict(model.state_dict(), strict=False)
    assert not missing and unexpected and all(k.startswith('plugins.0.') for k in unexpected)
