"""The package imports, registers into MMAction2's registries, and stock configs build."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmaction.registry import HOOKS, METRICS, MODELS, TRANSFORMS
from tests.conftest import REPO


def test_import_registers_into_mmaction():
    for name in ('SFHead', 'SFHeadPlugin', 'SFRecognizerGCN', 'PluginRecognizerGCN',
                 'FeatureRedundancyLoss', 'FeatureConsistencyLoss', 'CTRGCN', 'InfoGCN',
                 'HDGCN', 'BlockGCN', 'InfoGCNHead', 'FRHeadPlugin', 'RDLPlugin',
                 'LayoutPreNormalize3D', 'ResampleFrames', 'RandomViewTransform3D',
                 'MinMaxNormalize3D'):
        assert (MODELS.get(name) or TRANSFORMS.get(name)) is not None, name
    assert HOOKS.get('EpochSeedHook') is not None
    assert METRICS.get('AmbiguousGroupMetric') is not None


def test_compat_fixes_are_in_place():
    import mmaction.models  # noqa: F401  (fails on the 1.2.0 wheel without the drn fix)
    assert np.Inf == np.inf and np.isnan(np.NAN)
    # a CPU build of torch raises AttributeError from the real set_device
    torch.cuda.set_device(0)


@pytest.mark.parametrize('name', ['stgcn_sfhead_ntu120.py', '2s-agcn_sfhead_ntu120.py'])
def test_stock_inheriting_config_loads_and_builds(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', name))
    assert 'sfhead_mm' in cfg.custom_imports['imports']
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'SFRecognizerGCN'
    assert cfg.model.cls_head.num_classes == 120
    heads = model.plugins[0].heads
    assert len(heads) == 10  # one per block
    x = torch.randn(1, 1, 2, 16, 25, 3)
    with torch.no_grad():
        scores = model(x, mode='tensor', stage='head')
    assert scores.shape == (1, 120)
