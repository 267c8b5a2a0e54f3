"""CTR-GCN's batched CTR-GC (``batched_subsets=True``) computes the per-subset loop's function."""
import copy

import pytest
import torch

from sfhead_mm.models.backbones.ctrgcn import CTRGCN


def pair(layout='nw-ucla', num_person=1, **kwargs):
    torch.manual_seed(0)
    ref = CTRGCN(graph_cfg=dict(layout=layout), num_person=num_person, **kwargs).double()
    with torch.no_grad():  # away from the init, so that every term of the unit matters
        for name, p in ref.named_parameters():
            if name.endswith('alpha'):
                p.fill_(0.7)
            elif name.endswith('gcn.bn.weight'):
                p.fill_(1.)
            elif name.endswith('PA'):
                p.add_(0.1 * torch.randn_like(p))
    fast = copy.deepcopy(ref)
    for block in fast.net:
        block.gcn.batched = True
    return ref, fast


@pytest.mark.parametrize('layout,num_person,channels', [('nw-ucla', 1, 3),
                                                        ('nturgb+d', 2, 3)])
def test_batched_subsets_equal_the_loop_in_float64(layout, num_person, channels):
    ref, fast = pair(layout, num_person, in_channels=channels)
    V = ref.num_joints
    x = torch.randn(2, num_person, 12, V, channels, dtype=torch.double)
    y_ref, y_fast = ref(x), fast(x)
    assert torch.allclose(y_fast, y_ref, rtol=0, atol=1e-10 * y_ref.abs().max().item())
    y_ref.square().sum().backward()
    y_fast.square().sum().backward()
    scale = max(p.grad.abs().max().item() for p in ref.parameters())
    for (name, a), b in zip(ref.named_parameters(), fast.parameters()):
        assert torch.allclose(b.grad, a.grad, rtol=0, atol=1e-10 * scale), name


def test_batched_subsets_keep_the_state_dict():
    ref = CTRGCN(graph_cfg=dict(layout='nw-ucla'), num_person=1)
    fast = CTRGCN(graph_cfg=dict(layout='nw-ucla'), num_person=1, batched_subsets=True)
    assert all(block.gcn.batched for block in fast.net)
    assert {k: v.shape for k, v in ref.state_dict().items()} == \
        {k: v.shape for k, v in fast.state_dict().items()}
    fast.load_state_dict(ref.state_dict())


def test_batched_subsets_in_float32_within_tolerance():
    """float32: the two orders of summation differ by rounding only (relative 1e-5)."""
    ref, fast = pair()
    ref, fast = ref.float(), fast.float()
    x = torch.randn(4, 1, 16, 20, 3)
    y_ref, y_fast = ref(x), fast(x)
    assert torch.allclose(y_fast, y_ref, rtol=0, atol=1e-5 * y_ref.abs().max().item())


def test_benchmark_script_runs(monkeypatch, capsys):
    """tools/benchmark/ctrgcn_vs_authors.py on a tiny batch (without the authors' checkout)."""
    import importlib.util
    import os.path as osp
    import sys

    from tests.conftest import REPO
    path = osp.join(REPO, 'tools', 'benchmark', 'ctrgcn_vs_authors.py')
    spec = importlib.util.spec_from_file_location('ctrgcn_vs_authors', path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(bench, 'BATCH', 2)
    monkeypatch.setattr(bench, 'FRAMES', 8)
    monkeypatch.setattr(sys, 'argv', ['x', '--threads', '1', '--rounds', '1', '--steps', '1',
                                      '--warmup', '0', '--variants', 'ours',
                                      'ours-batched+bf16'])
    threads = torch.get_num_threads()
    try:
        bench.main()
    finally:
        torch.set_num_threads(threads)
    out = capsys.readouterr().out
    assert 'ours-batched+bf16' in out and 'cpu s/step' in out
