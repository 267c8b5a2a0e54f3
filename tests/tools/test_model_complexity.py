"""tools/analysis/model_complexity.py: training vs inference parameters and FLOPs."""
import copy
import importlib.util
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from tests.conftest import REPO, TEST_CONFIGS

SHAPE = (1, 2, 8, 25, 3)  # N M T V C: tiny, the tool's numbers scale with T


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location(
        'model_complexity', osp.join(REPO, 'tools', 'analysis', 'model_complexity.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def bare(tool):
    return tool.measure(Config.fromfile(osp.join(TEST_CONFIGS, 'tiny_stgcn_synthetic.py')), SHAPE)


def sf_head_cfg(mode: str) -> Config:
    cfg = Config.fromfile(osp.join(TEST_CONFIGS, 'tiny_stgcn_sfhead_synthetic.py'))
    cfg = copy.deepcopy(cfg)
    cfg.model.sf_head.mode = mode
    return cfg


def test_bare_model_trains_and_infers_with_all_its_parameters(bare):
    assert bare['train']['params'] == bare['infer']['params'] > 0
    assert bare['training_only'] == {}
    assert bare['train']['flops'] >= bare['infer']['flops'] > 0


def test_auxiliary_sf_head_is_training_only(tool, bare):
    aux = tool.measure(sf_head_cfg('auxiliary'), SHAPE)
    plugin_params = aux['train']['params'] - bare['train']['params']
    assert plugin_params > 0
    assert aux['training_only'] == {'plugins.0': plugin_params}
    # Inference is exactly the bare model: same parameters, same FLOPs.
    assert aux['infer']['params'] == bare['infer']['params']
    assert aux['infer']['flops'] == bare['infer']['flops']


def test_inline_sf_head_counts_at_inference(tool, bare):
    inline = tool.measure(sf_head_cfg('inline'), SHAPE)
    assert inline['infer']['params'] == inline['train']['params'] > bare['train']['params']
    assert inline['infer']['flops'] > bare['infer']['flops']


def test_sf_head_training_step_flops_are_measured(tool, bare):
    result = tool.measure(sf_head_cfg('auxiliary'), SHAPE)
    assert result['train']['flops'] is not None, result['train'].get('error')
    assert result['train']['flops'] > bare['train']['flops']


def test_untraceable_step_is_reported_not_fatal(tool):
    class Untraceable(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            raise RuntimeError('no tracing here')

    class Model(torch.nn.Module):
        def forward(self, x):
            return Untraceable.apply(x)

    result = tool.count_flops(Model(), torch.randn(2))
    assert result['flops'] is None and 'no tracing here' in result['error']


def test_infogcn_head_logvar_is_training_only(tool):
    cfg = Config(dict(model=dict(
        type='RecognizerGCN',
        backbone=dict(type='InfoGCN', graph_cfg=dict(layout='nturgb+d'), base_channels=8,
                      num_stages=1),  # one block: tracing is the slow part
        cls_head=dict(type='InfoGCNHead', num_classes=4, in_channels=8))))
    result = tool.measure(cfg, SHAPE)
    assert result['training_only'] == {'cls_head.fc_logvar': 8 * 8 + 8}
    assert result['train']['params'] - result['infer']['params'] == 8 * 8 + 8


def test_cli_prints_both_models(tool, capsys):
    tool.main([osp.join(TEST_CONFIGS, 'tiny_stgcn_sfhead_synthetic.py'), '--shape', '8',
               '--cfg-options', 'model.sf_head.mode=auxiliary'])
    out = capsys.readouterr().out
    assert 'input: N=1 M=2 T=8 V=25 C=3' in out
    assert 'training model' in out and 'inference model' in out
    assert 'training-only parameters: plugins.0' in out
    with pytest.raises(SystemExit, match='--shape takes'):
        tool.main([osp.join(TEST_CONFIGS, 'tiny_stgcn_synthetic.py'), '--shape', '1', '2'])


def test_default_shape_follows_the_config_frame_sampler(tool):
    # NW-UCLA samples with ResampleFrames(clip_len=52), not UniformSampleFrames: a 100-frame
    # default would not fit FR-Head's heads, which are sized for the training clip length
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'ctrgcn', 'ctrgcn_frhead_nwucla_cpu.py'))
    assert tool.default_shape(cfg) == (1, 1, 52, 20, 3)


def test_default_shape_comes_from_the_input_spec(tool):
    # M from FormatGCNInput, T from the test pipeline's sampler, V from the layout, C in_channels
    assert tool.default_shape(Config.fromfile(osp.join(TEST_CONFIGS, 'tiny_stgcn_synthetic.py'))
                              ) == (1, 2, 32, 25, 3)
