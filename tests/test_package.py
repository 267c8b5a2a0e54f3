"""The package imports, registers into MMAction2's registries (and changes nothing else), and
stock configs build."""
import json
import os.path as osp
import subprocess

import pytest
import torch
from mmengine.config import Config

from mmaction.registry import HOOKS, METRICS, MODELS, TRANSFORMS
from tests.conftest import REPO

# Run in a fresh interpreter: fingerprints of everything the package must leave alone, before and
# after importing it (and every submodule), and what it registered.
_PURITY_PROBE = r"""
import importlib, json, pkgutil, sys
modules_before = set(sys.modules)
import sfhead_mm
light = sorted(set(sys.modules) - modules_before)
# The one allowed change: the stand-in for the module missing from the mmaction2 1.2.0 wheel,
# without which mmaction.models cannot be imported at all (so the fingerprint needs it too).
from sfhead_mm.compat import stub_missing_drn
stub_missing_drn()
import numpy, torch
import mmengine.runner.checkpoint as ckpt
from mmaction.datasets import PoseDataset
from mmaction.datasets.transforms import GenSkeFeat, JointToBone
from mmaction.models.utils import graph as graph_mod


def fingerprint():
    return dict(
        set_device=id(torch.cuda.set_device), load=id(torch.load),
        schemes={k: id(v) for k, v in ckpt.CheckpointLoader._schemes.items()},
        numpy=sorted(vars(numpy)),
        graph_init=id(graph_mod.Graph.__init__), j2b_init=id(JointToBone.__init__),
        genskefeat_init=id(GenSkeFeat.__init__),
        load_data_list=id(PoseDataset.load_data_list),
        safe_globals=[str(g) for g in torch.serialization.get_safe_globals()])


before = fingerprint()
OPTIONAL = ('onnx', 'onnxruntime', 'mediapipe')  # extras: their modules import them lazily
import sfhead_mm.utils
sfhead_mm.utils.register_all_modules()
for info in pkgutil.walk_packages(sfhead_mm.__path__, 'sfhead_mm.',
                                  onerror=lambda name: None):
    try:
        importlib.import_module(info.name)
    except ModuleNotFoundError as err:
        if err.name.split('.')[0] not in OPTIONAL:
            raise
after = fingerprint()
stubs = sorted(m for m, mod in list(sys.modules.items())
               if mod is not None and getattr(mod, '__spec__', None) is None
               and m.split('.')[0] in ('mmaction', 'mmengine', 'mmcv', 'numpy', 'sfhead_mm'))
from mmaction.registry import MODELS
print(json.dumps(dict(changed=[k for k in before if before[k] != after[k]], stubs=stubs,
                      light=light, registered='CTRGCN' in MODELS.module_dict)))
"""


def test_import_registers_into_mmaction():
    for name in ('SFHead', 'SFHeadPlugin', 'SFRecognizerGCN', 'PluginRecognizerGCN',
                 'FeatureRedundancyLoss', 'FeatureConsistencyLoss', 'CTRGCN', 'InfoGCN',
                 'HDGCN', 'BlockGCN', 'InfoGCNHead', 'FRHeadPlugin', 'RDLPlugin', 'MDRGCN',
                 'CVSTAPlugin', 'FFN', 'TwoStageLoss',
                 'LayoutPreNormalize3D', 'ResampleFrames', 'RandomViewTransform3D',
                 'MinMaxNormalize3D', 'LayoutGenSkeFeat', 'LayoutJointToBone'):
        assert (MODELS.get(name) or TRANSFORMS.get(name)) is not None, name
    for hook in ('EpochSeedHook', 'CheckDataHook', 'SafeCheckpointHook', 'CompileForwardHook'):
        assert HOOKS.get(hook) is not None, hook
    assert METRICS.get('AmbiguousGroupMetric') is not None
    assert METRICS.get('DumpScores') is not None


def test_import_changes_nothing_but_the_registries(python):
    """`import sfhead_mm` (and every submodule) registers and changes nothing else (issue 13)."""
    proc = subprocess.run([python, '-c', _PURITY_PROBE], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report['changed'] == [], report['changed']
    assert report['registered']
    # the only module without a file: the stand-in for the drn localizer of the 1.2.0 wheel
    assert set(report['stubs']) <= {'mmaction.models.localizers.drn',
                                    'mmaction.models.localizers.drn.drn'}, report['stubs']
    # `import sfhead_mm` itself is light: no torch, mmengine or mmaction
    assert not [m for m in report['light'] if m.split('.')[0] in ('torch', 'mmengine', 'mmaction')]


def test_register_all_modules_is_what_configs_import():
    from sfhead_mm.utils import REGISTERING_MODULES
    cfg = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'default_runtime.py'))
    assert tuple(cfg.custom_imports['imports']) == REGISTERING_MODULES
    hooks = [h['type'] for h in cfg.custom_hooks]
    assert hooks == ['SafeCheckpointHook', 'EpochSeedHook', 'CheckDataHook', 'FiniteLossHook',
                     'CompileForwardHook']
    # configs on a stock base spell the same run hooks out
    for name in ('stgcn_ntu120.py', 'stgcn_sfhead_ntu120.py', '2s-agcn_ntu120.py',
                 osp.join('synthetic', 'stgcn_synthetic.py')):
        spelled = Config.fromfile(osp.join(REPO, 'configs', name))
        assert [h['type'] for h in spelled.custom_hooks] == hooks, name


@pytest.mark.parametrize('name', ['stgcn_sfhead_ntu120.py', '2s-agcn_sfhead_ntu120.py'])
def test_stock_inheriting_config_loads_and_builds(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', name))
    assert 'sfhead_mm.models' in cfg.custom_imports['imports']
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'SFRecognizerGCN'
    assert cfg.model.cls_head.num_classes == 120
    heads = model.plugins[0].heads
    assert len(heads) == 10  # one per block
    x = torch.randn(1, 1, 2, 16, 25, 3)
    with torch.no_grad():
        scores = model(x, mode='tensor', stage='head')
    assert scores.shape == (1, 120)
