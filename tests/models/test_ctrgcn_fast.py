"""CTR-GCN's batched CTR-GC (``batched_subsets=True``) and batched TCN (``batched_tcn=True``)
compute the function of the per-subset and per-branch loops."""
import copy

import pytest
import torch

from sfhead_mm.models.backbones.ctrgcn import CTRGCN, add_shared_topology


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
        block.tcn.batched = True
    return ref, fast


@pytest.mark.parametrize('layout,num_person,channels,adaptive', [('nw-ucla', 1, 3, True),
                                                                 ('nturgb+d', 2, 3, True),
                                                                 ('nw-ucla', 1, 3, False)])
def test_batched_subsets_equal_the_loop_in_float64(layout, num_person, channels, adaptive):
    ref, fast = pair(layout, num_person, in_channels=channels, adaptive=adaptive)
    V = ref.num_joints
    x = torch.randn(2, num_person, 12, V, channels, dtype=torch.double)
    y_ref, y_fast = ref(x), fast(x)
    assert torch.allclose(y_fast, y_ref, rtol=0, atol=1e-10 * y_ref.abs().max().item())
    y_ref.square().sum().backward()
    y_fast.square().sum().backward()
    scale = max(p.grad.abs().max().item() for p in ref.parameters())
    for (name, a), b in zip(ref.named_parameters(), fast.parameters()):
        assert torch.allclose(b.grad, a.grad, rtol=0, atol=1e-10 * scale), name


@pytest.mark.parametrize('dtype', [torch.float64, torch.bfloat16])
def test_add_shared_topology_matches_autograd_broadcast(dtype):
    """Its forward is the broadcast sum; its gradients are autograd's (A's summed in float32 at
    least, so in bf16 closer to the exact sum than autograd's), for a permuted gradient too."""
    torch.manual_seed(0)
    topology = torch.randn(4, 3, 8, 5, 5, dtype=dtype, requires_grad=True)
    # the parameter PA: float32 beside bf16 features, float64 in a float64 model
    A = torch.randn(3, 5, 5, dtype=torch.promote_types(dtype, torch.float32),
                    requires_grad=True)
    grad = torch.randn(4, 8, 5, 3, 5, dtype=dtype).permute(0, 3, 1, 2, 4)  # not contiguous
    out = add_shared_topology(topology, A)
    assert torch.equal(out, topology + A.unsqueeze(1).to(dtype))
    g_topology, g_a = torch.autograd.grad(out, [topology, A], grad)
    exact = grad.double().sum((0, 2))
    assert torch.equal(g_topology, grad) and g_a.dtype == A.dtype
    tol = 1e-12 if dtype == torch.float64 else 1e-5
    assert torch.allclose(g_a.double(), exact, rtol=0, atol=tol * exact.abs().max().item())
    buffer = A.detach()  # adaptive=False: A is a buffer, no gradient asked for
    assert torch.autograd.grad(add_shared_topology(topology, buffer), topology, grad)[0] \
        .equal(grad)


def test_batched_subsets_and_tcn_keep_the_state_dict():
    ref = CTRGCN(graph_cfg=dict(layout='nw-ucla'), num_person=1)
    fast = CTRGCN(graph_cfg=dict(layout='nw-ucla'), num_person=1, batched_subsets=True,
                  batched_tcn=True)
    assert all(block.gcn.batched and block.tcn.batched for block in fast.net)
    assert not any(block.gcn.batched or block.tcn.batched for block in ref.net)
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
                                      'ours-batched+tcn+bf16'])
    threads = torch.get_num_threads()
    try:
        bench.main()
    finally:
        torch.set_num_threads(threads)
    out = capsys.readouterr().out
    assert 'ours-batched+tcn+bf16' in out and 'cpu s/step' in out
