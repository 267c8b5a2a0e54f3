"""SF-Head under ``torch.compile``: one graph, no recompilation per step, eager numbers.

The default tests trace with Dynamo's ``eager`` and ``aot_eager`` backends (what is captured,
forward and backward, not how it is code generated); they stay small because compilation on a
shared 2-core CPU is slow. ``SFHEAD_COMPILE_TESTS=1`` adds inductor on one tiny head and the
mmengine ``compile=True`` training and test loop for every backbone, inline and auxiliary
(minutes each; ``SFHEAD_COMPILE_BACKEND=eager`` runs that loop with Dynamo's capture only).
"""
import importlib.util
import os

import pytest
import torch
import torch._dynamo as dynamo
from torch._dynamo.testing import CompileCounter

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from sfhead_mm.models import SFHead
from tests.models.test_sf_head import randomise

SLOW = pytest.mark.skipif(not os.environ.get('SFHEAD_COMPILE_TESTS'),
                          reason='compiles every backbone (minutes); set SFHEAD_COMPILE_TESTS=1')
#: Eager vs compiled, float32: generated kernels may reorder sums and fuse sigmoid/products.
RTOL, ATOL = 1e-4, 1e-5


def _tiny_model(mode):
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='SFRecognizerGCN', sf_head=dict(groups=2, mode=mode),
        backbone=dict(type='STGCN', graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial'),
                      base_channels=16, num_stages=2, inflate_stages=[], down_stages=[]),
        cls_head=dict(type='GCNHead', num_classes=4, in_channels=16)))


def _batch():
    x = torch.randn(2, 1, 2, 8, 25, 3, generator=torch.Generator().manual_seed(0))
    return x, [ActionDataSample().set_gt_label(i % 4) for i in range(2)]


def test_one_head_is_one_graph():
    head = randomise(SFHead(16, 2))
    x = torch.randn(2, 16, 6, 5, requires_grad=True)
    for fn in (head, head.forward_with_stats, head.branches):
        explained = dynamo.explain(fn)(x)
        assert explained.graph_break_count == 0, explained.break_reasons
        assert explained.graph_count == 1


@pytest.mark.parametrize('mode', ['inline', 'auxiliary'])
def test_backbone_with_heads_has_no_graph_break(mode):
    """The backbone pass with every head, as in a training loss and at inference."""
    model = _tiny_model(mode)
    x, _ = _batch()
    with model._capturing():  # training: heads also return the losses' statistics
        explained = dynamo.explain(model.extract_feat)(x)
    assert explained.graph_break_count == 0, explained.break_reasons
    model.eval()
    explained = dynamo.explain(model.extract_feat)(x)
    assert explained.graph_break_count == 0, explained.break_reasons


@pytest.mark.parametrize('mode', ['inline', 'auxiliary'])
def test_no_recompilation_after_warmup(mode):
    """Alternating training steps and inference: frames compile in the first two rounds only.

    The whole loss is compiled (MMAction2's accuracy in ``loss_by_feat`` breaks the graph with
    numpy, outside SF-Head); ``error_on_recompile`` turns any later recompilation into an error.
    """
    model = _tiny_model(mode)
    x, samples = _batch()
    counter = CompileCounter()

    @torch.compile(backend=counter)
    def loss(inputs):
        return sum(v for k, v in model(inputs, samples, mode='loss').items()
                   if k.startswith('loss'))

    @torch.compile(backend=counter)
    def predict(inputs):
        return model(inputs, samples, mode='predict')

    def step():
        model.train()
        loss(x).backward()
        model.eval()
        with torch.no_grad():
            predict(x)

    step()
    step()
    frames = counter.frame_count
    with dynamo.config.patch(error_on_recompile=True):
        step()
        step()
    assert counter.frame_count == frames


@pytest.mark.parametrize('backend', ['aot_eager', pytest.param('inductor', marks=SLOW)])
def test_compiled_equals_eager(backend):
    """One tiny head, compiled (forward and backward graphs): output, statistics, every gradient.

    ``aot_eager`` checks what AOTAutograd captures (decompositions, the backward graph);
    inductor's code generation takes minutes on a loaded 2-core CPU, so it runs with
    ``SFHEAD_COMPILE_TESTS=1``.
    """
    torch.manual_seed(0)
    head = randomise(SFHead(16, 2)).train()
    ref = randomise(SFHead(16, 2)).train()
    compiled = torch.compile(head.forward_with_stats, backend=backend)
    x = torch.randn(2, 16, 6, 5, requires_grad=True)
    x_ref = x.detach().clone().requires_grad_()
    out, stats = compiled(x)
    out_ref, stats_ref = ref.forward_with_stats(x_ref)
    torch.testing.assert_close(out, out_ref, rtol=RTOL, atol=ATOL)
    for key in stats:
        torch.testing.assert_close(stats[key], stats_ref[key], rtol=RTOL, atol=ATOL)
    grad = torch.randn_like(out)
    (out * grad).sum().add(stats['cross'].sum()).backward()
    (out_ref * grad).sum().add(stats_ref['cross'].sum()).backward()
    torch.testing.assert_close(x.grad, x_ref.grad, rtol=RTOL, atol=ATOL)
    for (name, p), p_ref in zip(head.named_parameters(), ref.parameters()):
        torch.testing.assert_close(p.grad, p_ref.grad, rtol=RTOL, atol=ATOL, msg=name)
    for b, b_ref in zip(head.buffers(), ref.buffers()):  # BatchNorm statistics
        torch.testing.assert_close(b, b_ref, rtol=RTOL, atol=ATOL)


@SLOW
@pytest.mark.parametrize('mode', ['inline', 'auxiliary'])
@pytest.mark.parametrize('backbone', ['STGCN', 'AAGCN', 'CTRGCN', 'InfoGCN', 'HDGCN',
                                      'BlockGCN'])
def test_runner_compile_train_and_test(backbone, mode, tmp_path):
    """mmengine's ``compile=True``: train and test loops for every backbone, inline and aux."""
    from mmengine.runner import Runner

    from sfhead_mm.datasets import synthetic
    from sfhead_mm.engine import runner_setup
    from tests.conftest import REPO, TEST_CONFIGS
    spec = importlib.util.spec_from_file_location(
        'sfhead_overhead', f'{REPO}/tools/benchmark/sfhead_overhead.py')
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    ann = str(tmp_path / 'tiny.pkl')
    synthetic.write(ann, train_per_class=1, val_per_class=1, seed=0)
    cfg = runner_setup.load_config(f'{TEST_CONFIGS}/tiny_stgcn_sfhead_synthetic.py', {
        'train_dataloader.dataset.dataset.ann_file': ann,
        'val_dataloader.dataset.ann_file': ann, 'test_dataloader.dataset.ann_file': ann,
        'train_cfg.max_epochs': 1, 'work_dir': str(tmp_path / 'run')})
    # compile=True is inductor; SFHEAD_COMPILE_BACKEND=eager checks the capture only (faster)
    backend = os.environ.get('SFHEAD_COMPILE_BACKEND')
    cfg.compile = dict(backend=backend) if backend else True
    cfg.model.backbone = dict(bench.BACKBONES[backbone])
    cfg.model.cls_head.in_channels = 256
    cfg.model.sf_head = dict(groups=8, mode=mode)
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    assert metrics and all(v == v for v in metrics.values() if isinstance(v, float))
