"""tools/deploy.py: training-only plugins dropped, identical predictions, smaller file."""
import importlib.util
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from sfhead_mm.apis import init_recognizer, predict_skeletons, read_skeleton_file
from tests.apis.helpers import (initialised_checkpoint, small_synthetic, trained_sfhead,
                                write_config)
from tests.conftest import REPO

# SF-Head (inline unless the test says otherwise) with FR-Head and RDL, both training-only.
WITH_PEERS = """
_base_ = '{TEST_CONFIGS}/tiny_stgcn_sfhead_synthetic.py'
model = dict(sf_head=dict(mode=%(mode)r),
             plugins=[dict(type='FRHeadPlugin', num_frames=32, blocks=[1, 3],
                           hidden_channels=64, stage_weights=[0.5, 1.0]),
                      dict(type='RDLPlugin')])
"""


def deploy_tool():
    spec = importlib.util.spec_from_file_location('tool_deploy',
                                                  osp.join(REPO, 'tools', 'deploy.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def val_samples(tmp_path_factory):
    return read_skeleton_file(small_synthetic(tmp_path_factory), split='val')


def _scores(config, ckpt, samples):
    model = init_recognizer(config, ckpt)
    return np.stack([p.scores for p in predict_skeletons(model, samples)])


def _state(path):
    return torch.load(path, map_location='cpu', weights_only=False)['state_dict']


def test_auxiliary_sf_head_is_dropped(tmp_path, tmp_path_factory, val_samples, capsys):
    config, ckpt = trained_sfhead(tmp_path_factory, 'auxiliary')
    out = tmp_path / 'deploy' / 'tiny_aux.pth'
    assert deploy_tool().main([config, ckpt, str(out)]) == 0
    assert 'dropped plugins: SFHeadPlugin; kept: none' in capsys.readouterr().out
    deploy_cfg = Config.fromfile(str(out.with_suffix('.py')))
    assert deploy_cfg.model.type == 'RecognizerGCN'
    assert 'sf_head' not in deploy_cfg.model and 'plugins' not in deploy_cfg.model
    state = _state(out)
    assert not any(k.startswith('plugins.') for k in state)
    assert any(k.startswith('plugins.0.heads.') for k in _state(ckpt))
    assert osp.getsize(out) < osp.getsize(ckpt)
    # Identical predictions, bit for bit, on every validation sample.
    np.testing.assert_array_equal(_scores(str(out.with_suffix('.py')), str(out), val_samples),
                                  _scores(config, ckpt, val_samples))
    # Nothing is overwritten without being asked.
    assert deploy_tool().main([config, ckpt, str(out)]) == 1
    assert 'exists' in capsys.readouterr().err


def test_inline_sf_head_stays_and_training_only_peers_go(tmp_path, val_samples, capsys):
    config = write_config(tmp_path / 'inline_peers.py', WITH_PEERS % dict(mode='inline'))
    ckpt = initialised_checkpoint(config, str(tmp_path / 'init.pth'), seed=1)
    out = tmp_path / 'inline_deploy.pth'
    assert deploy_tool().main([config, ckpt, str(out)]) == 0
    assert 'dropped plugins: FRHeadPlugin, RDLPlugin; kept: SFHeadPlugin' in \
        capsys.readouterr().out
    deploy_cfg = Config.fromfile(str(out.with_suffix('.py')))
    assert deploy_cfg.model.type == 'PluginRecognizerGCN'
    assert [p['type'] for p in deploy_cfg.model.plugins] == ['SFHeadPlugin']
    assert deploy_cfg.model.plugins[0]['mode'] == 'inline'
    before, after = _state(ckpt), _state(out)
    assert {k for k in after if k.startswith('plugins.')} == {
        k for k in before if k.startswith('plugins.0.')}
    assert not any(k.startswith(('plugins.1.', 'plugins.2.')) for k in after)
    np.testing.assert_array_equal(_scores(str(out.with_suffix('.py')), str(out), val_samples),
                                  _scores(config, ckpt, val_samples))


def test_all_training_only_plugins_leave_the_plain_recognizer(tmp_path, val_samples):
    config = write_config(tmp_path / 'aux_peers.py', WITH_PEERS % dict(mode='auxiliary'))
    ckpt = initialised_checkpoint(config, str(tmp_path / 'init.pth'), seed=2)
    from sfhead_mm.apis import export_deploy
    result = export_deploy(config, ckpt, str(tmp_path / 'd.pth'))
    assert result.dropped == ['SFHeadPlugin', 'FRHeadPlugin', 'RDLPlugin'] and not result.kept
    assert result.verified and result.deploy_bytes < result.source_bytes
    assert Config.fromfile(result.config).model.type == 'RecognizerGCN'
    np.testing.assert_array_equal(_scores(result.config, result.checkpoint, val_samples[:4]),
                                  _scores(config, ckpt, val_samples[:4]))
