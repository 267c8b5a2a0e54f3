"""Every GCN backbone this package supports builds, runs and takes SF-Head (timm-style).

A backbone is tested by adding one entry to ``CASES``: its config at a small width, its output
channels and its number of GCN->TCN blocks. ``test_every_registered_backbone_is_listed`` fails
when a backbone registered by ``sfhead_mm.models.backbones`` has no entry.
"""
from dataclasses import dataclass, field

import pytest
import torch

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample


@dataclass(frozen=True)
class Case:
    """One backbone at a small width.

    Attributes:
        backbone (dict): Its config (``graph_cfg.layout`` and ``num_person`` are set per test).
        out_channels (int): C_out of the backbone with this config.
        num_blocks (int): Blocks SF-Head must find with its defaults.
        head (dict): The head it is trained with (``in_channels`` / ``num_classes`` are set).
    """

    backbone: dict
    out_channels: int
    num_blocks: int
    head: dict = field(default_factory=lambda: dict(type='GCNHead'))


# Small widths (16 base channels) keep each case well under a second on a CPU.
CASES = {
    'STGCN': Case(dict(type='STGCN', graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial'),
                       base_channels=16), 64, 10),
    'AAGCN': Case(dict(type='AAGCN', graph_cfg=dict(layout='nturgb+d', mode='spatial'),
                       base_channels=16), 64, 10),
    'CTRGCN': Case(dict(type='CTRGCN', graph_cfg=dict(layout='nturgb+d'), base_channels=16),
                   64, 10),
    'InfoGCN': Case(dict(type='InfoGCN', graph_cfg=dict(layout='nturgb+d'), base_channels=16),
                    64, 9, head=dict(type='InfoGCNHead')),
    'HDGCN': Case(dict(type='HDGCN', graph_cfg=dict(layout='nturgb+d'), base_channels=16),
                  64, 10),
    'BlockGCN': Case(dict(type='BlockGCN', graph_cfg=dict(layout='nturgb+d'), base_channels=16),
                     32, 10),
    'FFN': Case(dict(type='FFN', graph_cfg=dict(layout='nturgb+d'), base_channels=16), 64, 10),
    'MDRGCN': Case(dict(type='MDRGCN', graph_cfg=dict(layout='nturgb+d'), base_channels=16),
                   64, 10),
}
#: MMAction2's own backbones: their Graph takes other layouts as the dict it accepts.
STOCK = ('STGCN', 'AAGCN')
LAYOUTS = {'nturgb+d': (25, 2), 'nw-ucla': (20, 1)}  # layout -> (V, M)
T, N, NUM_CLASSES = 8, 2, 5


def backbone_cfg(name: str, layout: str = 'nturgb+d') -> dict:
    case = CASES[name]
    cfg = dict(case.backbone)
    if name in STOCK and layout != 'nturgb+d':
        from sfhead_mm.skeleton import get_layout
        cfg['graph_cfg'] = dict(cfg['graph_cfg'], layout=get_layout(layout).graph_dict())
    else:
        cfg['graph_cfg'] = dict(cfg['graph_cfg'], layout=layout)
    cfg['num_person'] = LAYOUTS[layout][1]
    return cfg


def recognizer_cfg(name: str, sf_head: bool = False) -> dict:
    case = CASES[name]
    cfg = dict(type='RecognizerGCN', backbone=backbone_cfg(name),
               cls_head=dict(case.head, num_classes=NUM_CLASSES,
                             in_channels=case.out_channels))
    if sf_head:
        cfg.update(type='SFRecognizerGCN', sf_head=dict(groups=2))  # 16 % (4 * 2) == 0
    return cfg


def batch(layout: str = 'nturgb+d'):
    V, M = LAYOUTS[layout]
    torch.manual_seed(0)
    x = torch.randn(N, 1, M, T, V, 3)
    samples = [ActionDataSample().set_gt_label(i % NUM_CLASSES) for i in range(N)]
    return x, samples


def total_loss(losses: dict) -> torch.Tensor:
    return sum(v for k, v in losses.items() if k.startswith('loss'))


def test_every_registered_backbone_is_listed():
    ours = sorted(name for name, cls in MODELS.module_dict.items()
                  if cls.__module__.startswith('sfhead_mm.models.backbones')
                  and not name.endswith('_sfhead_mm'))  # aliases of listed classes
    missing = [name for name in ours if name not in CASES]
    assert not missing, f'add a Case for {missing} to CASES in {__file__}'
    for name, case in CASES.items():
        assert case.backbone['type'] in MODELS.module_dict, f'{name} is not registered'


@pytest.mark.parametrize('layout', sorted(LAYOUTS))
@pytest.mark.parametrize('name', sorted(CASES))
def test_backbone_contract(name, layout):
    """(N, M, T, V, C) -> (N, M, C_out, T / 4, V), for NTU's 25 and NW-UCLA's 20 joints."""
    backbone = MODELS.build(backbone_cfg(name, layout))
    x, _ = batch(layout)
    out = backbone(x[:, 0])
    V, M = LAYOUTS[layout]
    assert out.shape == (N, M, CASES[name].out_channels, T // 4, V)
    assert torch.isfinite(out).all()


@pytest.mark.parametrize('name', sorted(CASES))
def test_recognizer_trains_and_predicts(name):
    model = MODELS.build(recognizer_cfg(name))
    x, samples = batch()
    model.train()
    losses = model(x, samples, mode='loss')
    loss = total_loss(losses)
    assert torch.isfinite(loss)
    loss.backward()
    no_grad = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
    assert not no_grad, f'parameters the loss never reaches: {no_grad}'
    model.eval()
    with torch.no_grad():
        results = model(x, samples, mode='predict')
    assert len(results) == N
    assert results[0].pred_score.shape == (NUM_CLASSES, )


@pytest.mark.parametrize('name', sorted(CASES))
def test_sf_head_in_every_block(name):
    model = MODELS.build(recognizer_cfg(name, sf_head=True))
    plugin = model.plugins[0]
    assert len(plugin.heads) == CASES[name].num_blocks, plugin.block_names
    x, samples = batch()
    model.train()
    losses = model(x, samples, mode='loss')
    for key in ('loss_con', 'loss_red'):
        assert torch.isfinite(losses[key]), key
    total_loss(losses).backward()
    assert all(p.grad is not None for p in plugin.parameters())
    first_gcn = dict(model.backbone.named_modules())[plugin.block_names[0]].gcn
    assert all(p.grad is not None for p in first_gcn.parameters())


@pytest.mark.parametrize('name', sorted(CASES))
def test_batched_tcn_computes_the_branch_loops_function(name):
    """Every backbone built on the multi-scale TCN takes ``batched_tcn``: each of its TCNs then
    runs batched, with the same state dict, outputs and gradients as the branch loops (float64,
    training mode: the BatchNorms normalise with the batch's statistics)."""
    from sfhead_mm.models.utils.tcn import MultiScaleTCN
    ref = MODELS.build(backbone_cfg(name))
    tcns = [m for m in ref.modules() if isinstance(m, MultiScaleTCN)]
    if not tcns:
        pytest.skip(f'{name} has no multi-scale TCN')
    assert not any(t.batched for t in tcns)
    fast = MODELS.build(dict(backbone_cfg(name), batched_tcn=True))
    fast_tcns = [m for m in fast.modules() if isinstance(m, MultiScaleTCN)]
    assert len(fast_tcns) == len(tcns) and all(t.batched for t in fast_tcns)
    fast.load_state_dict(ref.state_dict())
    ref, fast = ref.double().train(), fast.double().train()
    x = batch()[0][:, 0].double()
    y_ref, y_fast = ref(x), fast(x)
    assert torch.allclose(y_fast, y_ref, rtol=0, atol=1e-10 * y_ref.abs().max().item())
    y_ref.square().sum().backward()
    y_fast.square().sum().backward()
    scale = max(p.grad.abs().max().item() for p in ref.parameters() if p.grad is not None)
    for (key, a), b in zip(ref.named_parameters(), fast.parameters()):
        assert (a.grad is None) == (b.grad is None), key
        if a.grad is not None:
            assert torch.allclose(b.grad, a.grad, rtol=0, atol=1e-10 * scale), key
