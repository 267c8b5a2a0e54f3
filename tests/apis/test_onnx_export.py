"""ONNX export of every backbone (bare and with inline SF-Head) and of a deploy checkpoint.

Each exported file runs in onnxruntime and must give PyTorch's logits to 1e-4, at the export
shape and at another batch size and frame count (dynamic axes). The models are the small ones
of ``tests/models/test_all_backbones.py`` (16 base channels), so a backbone added there is
exported here too.
"""
import os.path as osp

import numpy as np
import pytest
import torch

pytest.importorskip('onnx', reason='ONNX export needs the [onnx] extra (onnx, onnxruntime)')
pytest.importorskip('onnxruntime', reason='ONNX export needs the [onnx] extra')

from sfhead_mm.utils import register_all_modules  # noqa: E402

register_all_modules()
from mmaction.registry import MODELS  # noqa: E402,I001

from sfhead_mm.apis.onnx_export import (ATOL, OnnxRecognizer, clip_logits,  # noqa: E402
                                        export_onnx, read_metadata, softmax)
from tests.models.test_all_backbones import CASES, LAYOUTS, recognizer_cfg  # noqa: E402

SHAPE = (2, 12, 25, 3)  # (M, T, V, C) of the export example
# HD-GCN's hierarchy makes ~870 ONNX nodes per block: 4 blocks instead of 10 keep the export
# and the onnxruntime session in seconds (the full depth exports too, in ~1 min).
SHALLOW = {'HDGCN': dict(num_stages=4, inflate_stages=[3], down_stages=[3])}


def export_cfg(name: str, sf_head: bool) -> dict:
    cfg = recognizer_cfg(name, sf_head=sf_head)
    if name in SHALLOW:
        cfg['backbone'] = dict(cfg['backbone'], **SHALLOW[name])
        cfg['cls_head'] = dict(cfg['cls_head'], in_channels=2 * CASES[name].backbone.get(
            'base_channels', 64))
    return cfg


def calibrated(cfg: dict) -> torch.nn.Module:
    """The model with BatchNorm statistics of a few random batches, as after training.

    Freshly initialised running statistics (mean 0, var 1) let activations grow layer after
    layer, so the logits of an untrained model are far larger than a trained model's; the
    comparison is made at the scale of a trained model.
    """
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.momentum = None  # cumulative average
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model.extract_feat(torch.randn((4, 1) + SHAPE))
    return model.eval()


@pytest.mark.parametrize('sf_head', [False, True], ids=['bare', 'sfhead'])
@pytest.mark.parametrize('name', sorted(CASES))
def test_export_matches_pytorch(name, sf_head, tmp_path):
    model = calibrated(export_cfg(name, sf_head))
    V, M = LAYOUTS['nturgb+d']
    out = str(tmp_path / f'{name}.onnx')
    result = export_onnx(model, out, input_shape=(M, 12, V, 3), rtol=0)
    assert osp.isfile(out) and result.bytes > 0
    assert result.max_abs_diff <= ATOL
    # example, another batch size, another frame count (both axes dynamic)
    assert [s[0] for s in result.checked_shapes] == [1, 3, 1]
    assert [s[2] for s in result.checked_shapes] == [12, 12, 9]
    if sf_head:
        assert result.plugins == ['SFHeadPlugin(inline)']
    # an input the export never saw: N=2, T=20
    x = np.random.default_rng(1).standard_normal((2, M, 20, V, 3)).astype(np.float32)
    runner = OnnxRecognizer(out, threads=1)
    np.testing.assert_allclose(runner.logits(x), clip_logits(model, x).numpy(), atol=ATOL,
                               rtol=0)
    assert runner.meta['num_person'] == M and runner.meta['num_joints'] == V
    assert runner.meta['dynamic'] == ['N', 'T']
    np.testing.assert_allclose(runner(x).sum(-1), 1, atol=1e-5)


def test_batched_ctrgcn_exports_the_same_function(tmp_path):
    """The opt-in batched paths (CTR-GC subsets, TCN branches, as the CPU configs use them)
    hold custom autograd functions; the exported graph computes the model's logits."""
    cfg = export_cfg('CTRGCN', False)
    cfg['backbone'] = dict(cfg['backbone'], batched_subsets=True, batched_tcn=True)
    model = calibrated(cfg)
    V, M = LAYOUTS['nturgb+d']
    result = export_onnx(model, str(tmp_path / 'batched.onnx'), input_shape=(M, 12, V, 3),
                         rtol=0)
    assert result.max_abs_diff <= ATOL and len(result.checked_shapes) == 3


def test_static_axes_and_metadata(tmp_path):
    model = calibrated(recognizer_cfg('STGCN'))
    out = str(tmp_path / 'static.onnx')
    result = export_onnx(model, out, input_shape=SHAPE, batch_size=2, dynamic_batch=False,
                         dynamic_frames=False)
    assert result.dynamic_axes == {} and result.checked_shapes == [(2, ) + SHAPE]
    meta = read_metadata(out)
    assert meta['dynamic'] == [] and meta['clip_len'] == 12 and meta['num_classes'] == 5
    runner = OnnxRecognizer(out)
    with pytest.raises(Exception):  # a fixed batch of 2 refuses 3 clips
        runner.logits(np.zeros((3, ) + SHAPE, np.float32))


def test_softmax_matches_torch():
    z = np.random.default_rng(0).standard_normal((3, 7)).astype(np.float32) * 10
    np.testing.assert_allclose(softmax(z), torch.softmax(torch.from_numpy(z), -1).numpy(),
                               atol=1e-6)


def test_auxiliary_model_and_its_deploy_checkpoint_export_the_same_graph(tmp_path_factory,
                                                                         tmp_path, python,
                                                                         repo):
    """Training checkpoint of an auxiliary-mode SF-Head model -> deploy checkpoint -> ONNX."""
    import subprocess

    from sfhead_mm.apis.deploy import export_deploy
    from sfhead_mm.apis.onnx_export import export_onnx_from_config
    from tests.apis.helpers import trained_sfhead
    config, ckpt = trained_sfhead(tmp_path_factory, 'auxiliary')
    deployed = export_deploy(config, ckpt, str(tmp_path / 'deploy.pth'))
    from_train = export_onnx_from_config(config, ckpt, str(tmp_path / 'train.onnx'))
    from_deploy = export_onnx_from_config(deployed.config, deployed.checkpoint,
                                          str(tmp_path / 'deploy.onnx'))
    assert from_train.plugins == [] and from_deploy.plugins == []  # auxiliary: not in the graph
    assert from_deploy.input_shape == from_train.input_shape
    x = np.random.default_rng(0).standard_normal((2, ) + from_deploy.input_shape)
    a = OnnxRecognizer(from_train.path).logits(x)
    b = OnnxRecognizer(from_deploy.path).logits(x)
    np.testing.assert_allclose(a, b, atol=1e-5, rtol=0)
    # the CLI on the deploy pair
    out = tmp_path / 'cli.onnx'
    proc = subprocess.run([python, osp.join(repo, 'tools', 'export_onnx.py'), deployed.config,
                           deployed.checkpoint, str(out)], capture_output=True, text=True,
                          cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert out.is_file() and 'max |onnxruntime - PyTorch|' in proc.stdout
    proc = subprocess.run([python, osp.join(repo, 'tools', 'export_onnx.py'), deployed.config,
                           deployed.checkpoint, str(out)], capture_output=True, text=True,
                          cwd=repo)
    assert proc.returncode == 1 and 'exists' in proc.stderr
