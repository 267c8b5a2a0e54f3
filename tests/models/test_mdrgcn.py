"""MDR-GCN against the authors' ``model.MDRGCN.Model`` (dingyn-Reno/MDR-GCN), without their repo.

Two pins, both with the authors' checkpoint keys going through ``convert_authors_state_dict``:

* stored logits that the authors' own class computed (their repository at commit fb60bc8, run
  outside this repository with this file's ``seeded_state`` over their state-dict keys and the
  same calibration, see docs/backbones.md) for seeded weights, FSD-10 setting;
* a line-by-line transcription of their forward (``FSTGC``, ``unit_gcn``,
  ``MultiScale_TemporalConv``, ``TCN_GCN_unit``, ``Model``) on their key names, for the NTU-60
  (two persons) and FineGym settings and for the ``tanh(x1 - x2)`` variant.
"""
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

from mmaction.registry import MODELS
from sfhead_mm.models.backbones.mdrgcn import MDRGCN, convert_authors_state_dict

# The authors' Model parameter counts (counted by running their class; docs/backbones.md).
SETTINGS = {
    'ntu60': dict(layout='nturgb+d', mode='spatial', edges='bones', M=2, V=25, classes=60,
                  params=1_975_584),
    'finegym99': dict(layout='coco', mode='stgcn_spatial', edges='layout', M=1, V=17,
                      classes=99, params=1_975_329),
    'fsd10': dict(layout='openpose25', mode='stgcn_spatial', edges='layout', M=1, V=25,
                  classes=10, params=1_962_584),
}

# Logits of the authors' Model (FSD-10 setting: 10 classes, openpose25 graph, one person,
# published `tanh(x1 + x2)`), seeded_state(seed=0) weights, BatchNorm statistics of the
# calibration batch plus VAR_FLOOR, then eval on the test batch (see _calibrate_and_eval).
AUTHORS_FSD10_LOGITS = np.array([
    [-0.07325736, -0.29804352, -0.94415313, 1.3726532, 0.5999182, -1.178012, -0.9421767,
     -0.3750625, -0.08984125, -0.6242987],
    [0.20028651, -0.04777898, -0.89360243, 1.5157682, 0.6828484, -1.2233251, -1.0562395,
     -0.40267363, -0.07990065, -0.579547]], dtype=np.float32)


def build(setting: str, topology_op: str = 'add'):
    s = SETTINGS[setting]
    return MODELS.build(dict(
        type='RecognizerGCN',
        backbone=dict(type='MDRGCN', num_person=s['M'], topology_op=topology_op,
                      graph_cfg=dict(layout=s['layout'], mode=s['mode'], edges=s['edges'])),
        cls_head=dict(type='GCNHead', num_classes=s['classes'], in_channels=256)))


def to_authors_keys(state_dict):
    """Inverse of convert_authors_state_dict, written out independently."""
    out = {}
    for key, value in state_dict.items():
        k = re.sub(r'^backbone\.net\.(\d+)\.', lambda m: f'l{int(m.group(1)) + 1}.', key)
        k = re.sub(r'\.tcn\.tcns\.(\d)\.', lambda m: f'.tcn{int(m.group(1)) + 1}.', k)
        k = k.replace('.gcn.', '.gcn1.').replace('.conv_tv.', '.conv7.')
        k = k.replace('.conv_t.', '.conv6.').replace('backbone.data_bn.', 'data_bn.')
        out[k.replace('cls_head.fc.', 'fc.')] = value
    return out


def seeded_state(shapes, seed=0):
    """Weights from a seeded numpy generator over the sorted keys (the reference's recipe)."""
    rng = np.random.default_rng(seed)
    out = {}
    for k in sorted(shapes):
        shape = tuple(shapes[k])
        if k.endswith('num_batches_tracked'):
            out[k] = torch.zeros((), dtype=torch.long)
            continue
        n = rng.standard_normal(shape).astype(np.float32)
        if k.endswith('running_var'):
            v = 1 + 0.1 * np.abs(n)
        elif k.endswith(('running_mean', '.bias')):
            v = 0.1 * n
        elif k.endswith('alpha'):
            v = 0.5 * n
        elif k.endswith('PA'):
            v = 0.2 * n
        elif len(shape) == 1:
            v = 1 + 0.1 * n
        else:
            v = n / np.sqrt(int(np.prod(shape[1:])))
        out[k] = torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32))
    return out


def _calibrate_and_eval(model, calib, x):
    """BN running stats := the calibration batch's (momentum 1), running variances + 0.1 (so
    that near-dead channels do not amplify float rounding), then eval logits on ``x``."""
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for m in norms:
        m.momentum = 1.0
    model.train()
    with torch.no_grad():
        model(calib, mode='tensor')
        for m in norms:
            m.running_var += VAR_FLOOR
        model.eval()
        return model.cls_head(model(x, mode='tensor'))


VAR_FLOOR = 0.1


def ours_input(x_authors):
    """Their (N, C, T, V, M) -> MMAction2's (N, clips=1, M, T, V, C)."""
    return x_authors.permute(0, 4, 2, 3, 1).unsqueeze(1).contiguous()


# ----------------------------------------------------------------- transcription of their code
def _bn(sd, p, x, train):
    return F.batch_norm(x, sd[p + '.running_mean'], sd[p + '.running_var'], sd[p + '.weight'],
                        sd[p + '.bias'], train, 1.0, 1e-5)


def _conv(sd, p, x, stride=1, pad=0, dil=1):
    return F.conv2d(x, sd[p + '.weight'], sd[p + '.bias'], (stride, 1), (pad, 0), (dil, 1))


def _fstgc(sd, p, x, A, alpha, op):
    x1 = _conv(sd, p + '.conv1', x).mean(-2).unsqueeze(-1)
    x2 = _conv(sd, p + '.conv2', x).mean(-2).unsqueeze(-2)
    x3 = _conv(sd, p + '.conv3', x)
    x5 = _conv(sd, p + '.conv6', x).mean(-1, keepdims=True)
    xx = torch.tanh(x1 + x2 if op == 'add' else x1 - x2)
    x_tv = _conv(sd, p + '.conv7', torch.tanh(x2 * x5))
    xx = _conv(sd, p + '.conv4', xx) * alpha + A.unsqueeze(0).unsqueeze(0)
    return torch.einsum('ncuv,nctv->nctu', xx, x3 * x_tv)


def _unit_gcn(sd, p, x, op, train):
    y = sum(_fstgc(sd, f'{p}.convs.{i}', x, sd[p + '.PA'][i], sd[p + '.alpha'], op)
            for i in range(sd[p + '.PA'].shape[0]))
    y = _bn(sd, p + '.bn', y, train)
    if p + '.down.0.weight' in sd:
        y = y + _bn(sd, p + '.down.1', _conv(sd, p + '.down.0', x), train)
    else:
        y = y + x
    return F.relu(y)


def _ms_tcn(sd, p, x, ks, stride, train):
    outs = []
    for b, d in enumerate((1, 2)):
        h = F.relu(_bn(sd, f'{p}.branches.{b}.1', _conv(sd, f'{p}.branches.{b}.0', x), train))
        pad = (ks + (ks - 1) * (d - 1) - 1) // 2
        h = _conv(sd, f'{p}.branches.{b}.3.conv', h, stride, pad, d)
        outs.append(_bn(sd, f'{p}.branches.{b}.3.bn', h, train))
    h = F.relu(_bn(sd, f'{p}.branches.2.1', _conv(sd, f'{p}.branches.2.0', x), train))
    h = F.max_pool2d(h, (3, 1), (stride, 1), (1, 0))
    outs.append(_bn(sd, f'{p}.branches.2.4', h, train))
    outs.append(_bn(sd, f'{p}.branches.3.1', _conv(sd, f'{p}.branches.3.0', x, stride), train))
    return torch.cat(outs, 1)


def authors_forward(sd, x, op='add', train=False):
    """Their Model.forward on their keys; x is their (N, C, T, V, M); returns logits."""
    N, C, T, V, M = x.shape
    x = x.permute(0, 4, 3, 1, 2).contiguous().view(N, M * V * C, T)
    x = F.batch_norm(x, sd['data_bn.running_mean'], sd['data_bn.running_var'],
                     sd['data_bn.weight'], sd['data_bn.bias'], train, 1.0, 1e-5)
    x = x.view(N, M, V, C, T).permute(0, 1, 3, 4, 2).contiguous().view(N * M, C, T, V)
    for i in range(1, 11):
        p, stride = f'l{i}', 2 if i in (5, 8) else 1
        x1 = _unit_gcn(sd, p + '.gcn1', x, op, train)
        if i == 1:
            res = 0
        elif p + '.residual.conv.weight' in sd:
            res = _bn(sd, p + '.residual.bn', _conv(sd, p + '.residual.conv', x, stride), train)
        else:
            res = x
        x = F.relu(_ms_tcn(sd, p + '.tcn1', x1, 3, stride, train)
                   + _ms_tcn(sd, p + '.tcn2', x1, 5, stride, train) + res)
    x = x.view(N, M, x.size(1), -1).mean(3).mean(1)
    return F.linear(x, sd['fc.weight'], sd['fc.bias'])


# ------------------------------------------------------------------------------------- tests
def num_params(module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize('setting', sorted(SETTINGS))
def test_parameter_count_equals_authors(setting):
    assert num_params(build(setting)) == SETTINGS[setting]['params']


def test_logits_equal_the_authors_stored_reference():
    model = build('fsd10')
    theirs = to_authors_keys(model.state_dict())
    model.load_state_dict(convert_authors_state_dict(
        seeded_state({k: v.shape for k, v in theirs.items()}, seed=0)), strict=True)
    rng = lambda seed, n: torch.from_numpy(  # noqa: E731
        np.random.default_rng(seed).standard_normal((n, 3, 16, 25, 1)).astype(np.float32))
    logits = _calibrate_and_eval(model, ours_input(rng(2, 4)), ours_input(rng(1, 2)))
    assert np.abs(logits.numpy() - AUTHORS_FSD10_LOGITS).max() <= 1e-4


@pytest.mark.parametrize('setting,op', [('ntu60', 'add'), ('finegym99', 'add'),
                                        ('fsd10', 'sub')])
def test_logits_equal_a_transcription_of_the_authors_forward(setting, op):
    s = SETTINGS[setting]
    model = build(setting, topology_op=op)
    theirs = seeded_state({k: v.shape for k, v in to_authors_keys(model.state_dict()).items()},
                          seed=3)
    model.load_state_dict(convert_authors_state_dict(theirs), strict=True)
    g = torch.Generator().manual_seed(0)
    calib = torch.randn(4, 3, 12, s['V'], s['M'], generator=g)
    x = torch.randn(2, 3, 12, s['V'], s['M'], generator=g)
    ours = _calibrate_and_eval(model, ours_input(calib), ours_input(x))
    ref_sd = {k: v.clone() for k, v in theirs.items()}
    with torch.no_grad():
        authors_forward(ref_sd, calib, op, train=True)  # same calibration of running stats
        for k in ref_sd:
            if k.endswith('running_var'):
                ref_sd[k] += VAR_FLOOR
        ref = authors_forward(ref_sd, x, op, train=False)
    assert (ours - ref).abs().max().item() <= 1e-4


def test_key_conversion_is_one_to_one_and_refuses_foreign_keys():
    model = build('ntu60')
    ours = model.state_dict()
    theirs = {'module.' + k: v for k, v in to_authors_keys(ours).items()}  # DataParallel
    back = convert_authors_state_dict(theirs)
    assert list(back) == list(ours)
    assert all(back[k] is theirs['module.' + kk] for k, kk in zip(back, to_authors_keys(ours)))
    with pytest.raises(KeyError, match='unexpected key'):
        convert_authors_state_dict({'head.weight': torch.zeros(1)})


def test_ntu_graph_is_the_authors_and_input_mismatch_is_named():
    # graph/ntu_rgb_d.py: identity, inward, outward of the hand-tip -> thumb -> hand tree
    A = build('ntu60').backbone.graph.A
    assert A.shape == (3, 25, 25) and A[1][22, 21] == 1 and A[1][7, 22] == 1
    backbone = MDRGCN(graph_cfg=dict(layout='openpose25', mode='stgcn_spatial'),
                      num_person=1)
    with pytest.raises(ValueError, match='graph_cfg.layout'):
        backbone(torch.zeros(1, 1, 8, 17, 3))
    with pytest.raises(ValueError, match='topology_op'):
        MDRGCN(graph_cfg=dict(layout='coco'), topology_op='mul')


def test_first_block_uses_eight_mid_channels_and_later_c_in_over_8():
    net = MDRGCN(graph_cfg=dict(layout='coco', mode='stgcn_spatial'), num_person=1).net
    assert net[0].gcn.convs[0].conv_t.out_channels == 8  # raw coordinates: 8 (the authors')
    assert net[5].gcn.convs[0].conv_t.out_channels == 128 // 8
    assert len(net[0].tcn.tcns) == 2 and net[0].residual is None


def test_configs_build_with_authors_parameter_counts():
    from tests.conftest import REPO
    import os.path as osp
    for name, setting in [('mdrgcn_ntu60-xsub.py', 'ntu60'),
                          ('mdrgcn_finegym99.py', 'finegym99'), ('mdrgcn_fsd10.py', 'fsd10')]:
        path = osp.join(REPO, 'configs', 'mdrgcn', name)
        if not osp.exists(path):
            pytest.skip(f'{path} not written yet')
        model = MODELS.build(Config.fromfile(path).model)
        assert num_params(model) == SETTINGS[setting]['params'], name
