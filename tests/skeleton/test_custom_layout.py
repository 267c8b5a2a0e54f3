"""A layout defined only in this file (a 12-joint upper body): config, custom_imports, flip."""
import os.path as osp
import pickle
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose

from mmaction.datasets.transforms import Flip
from sfhead_mm.datasets.transforms import LayoutFlip
from sfhead_mm.skeleton import get_layout, is_registered, layout_of_config
from tests.apis.helpers import write_config
from tests.conftest import REPO, run

# The 12 upper-body joints, taken from NTU's 25 (index in NTU order on the right).
NTU_JOINTS = [3, 2, 20, 1, 4, 5, 6, 7, 8, 9, 10, 11]
UPPER_BODY = dict(
    name='test-upper-body-12',
    joints=['head', 'neck', 'spine_shoulder', 'spine_mid', 'left_shoulder', 'left_elbow',
            'left_wrist', 'left_hand', 'right_shoulder', 'right_elbow', 'right_wrist',
            'right_hand'],
    edges=[[0, 1], [1, 2], [3, 2], [4, 2], [5, 4], [6, 5], [7, 6], [8, 2], [9, 8], [10, 9],
           [11, 10]],
    center=2, left=[4, 5, 6, 7], right=[8, 9, 10, 11],
    norm_center=3, norm_zaxis=[3, 2], norm_xaxis=[8, 4])

CONFIG = """
_base_ = '{TEST_CONFIGS}/tiny_stgcn_sfhead_synthetic.py'
upper_body = %(layout)r
ann_file = %(ann)r
# graph_cfg is replaced whole (_delete_): the base's layout is a name, this one a dict in
# MMAction2's own form (num_node, inward, center), which its stock Graph reads; the package's
# transforms read the full layout dict.
model = dict(backbone=dict(graph_cfg=dict(
    _delete_=True, mode='stgcn_spatial',
    layout=dict(num_node=len(upper_body['joints']), inward=upper_body['edges'],
                center=upper_body['center']))))
train_pipeline = [
    dict(type='LayoutPreNormalize3D', layout=upper_body),
    dict(type='LayoutFlip', layout=upper_body, flip_ratio=0.5),
    dict(type='GenSkeFeat', dataset=upper_body, feats=['j']),
    dict(type='UniformSampleFrames', clip_len=32),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='LayoutPreNormalize3D', layout=upper_body),
    dict(type='GenSkeFeat', dataset=upper_body, feats=['j']),
    dict(type='UniformSampleFrames', clip_len=32, num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
train_dataloader = dict(batch_size=8, dataset=dict(dataset=dict(ann_file=ann_file,
                                                                pipeline=train_pipeline)))
val_dataloader = dict(batch_size=8, dataset=dict(ann_file=ann_file, pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = [dict(type='AccMetric')]
test_evaluator = val_evaluator
train_cfg = dict(max_epochs=1, val_interval=1)
"""


@pytest.fixture(scope='module')
def upper_body_data(tmp_path_factory):
    """Synthetic look-alike clips cut down to the 12 upper-body joints."""
    from sfhead_mm.datasets import synthetic
    data = synthetic.generate(train_per_class=2, val_per_class=1, seed=3)
    for ann in data['annotations']:
        ann['keypoint'] = np.ascontiguousarray(ann['keypoint'][:, :, NTU_JOINTS])
    path = tmp_path_factory.mktemp('upper_body') / 'upper_body_12.pkl'
    with open(path, 'wb') as f:
        pickle.dump(data, f)
    return str(path)


def _config(tmp_path, ann):
    text = CONFIG % dict(layout=UPPER_BODY, ann=ann)
    return write_config(tmp_path / 'stgcn_sfhead_upper_body.py', text)


@pytest.mark.slow
def test_train_with_sf_head_through_mmaction_stock_train_tool(tmp_path, upper_body_data, python):
    # A fresh process running MMAction2's own tools/train.py: the layout exists only in the
    # config (as a dict used where a layout goes), nothing is registered beforehand.
    import mmaction
    stock = osp.join(osp.dirname(mmaction.__file__), '.mim', 'tools', 'train.py')
    if not osp.isfile(stock):
        pytest.skip(f'MMAction2 ships no tools/train.py here ({stock})')
    config = _config(tmp_path, upper_body_data)
    proc = run([python, stock, config, '--work-dir', str(tmp_path / 'wd')],
               env={'PYTHONPATH': REPO})
    log = proc.stdout + proc.stderr
    for key in ('loss_cls:', 'loss_con:', 'loss_red:', 'acc/top1:'):
        assert key in log, key
    ckpt = tmp_path / 'wd' / 'epoch_1.pth'
    assert ckpt.is_file()
    import torch
    state = torch.load(ckpt, map_location='cpu', weights_only=False)['state_dict']
    # ST-GCN's data BatchNorm is sized V * C = 12 * 3 by the 12-joint graph.
    assert state['backbone.data_bn.weight'].shape == (12 * 3, )
    assert any(k.startswith('plugins.0.heads.') for k in state)


def test_layout_dict_in_config_is_used_everywhere(tmp_path, upper_body_data):
    cfg = Config.fromfile(_config(tmp_path, upper_body_data))
    layout, key = layout_of_config(cfg)
    assert key == 'model.backbone.graph_cfg.layout'
    assert layout.num_joints == 12
    # The graph's MMAction2-form dict and the pipeline's layout dict agree (same bones).
    from sfhead_mm.datasets.layout_checks import config_layout_issues
    assert config_layout_issues(cfg) == []
    assert is_registered('test-upper-body-12')
    # The flip is derived from the layout: left arm <-> right arm, spine fixed.
    assert get_layout('test-upper-body-12').flip_index == [0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7]
    from sfhead_mm.datasets.checks import check_config_data
    report = check_config_data(cfg)
    assert report.ok, report.format()
    assert report.num_samples == 8 * 2 + 8 * 1  # train once, val (= test) once
    # The bone stream follows the layout's tree (the package's drop-in for GenSkeFeat).
    pipeline = Compose([dict(type='LayoutGenSkeFeat', dataset=UPPER_BODY, feats=['b'])])
    kp = np.random.rand(1, 4, 12, 3).astype(np.float32)
    bone = pipeline(dict(keypoint=kp))['keypoint']
    np.testing.assert_allclose(bone[..., 7, :], kp[..., 7, :] - kp[..., 6, :])  # hand - wrist


def test_layout_from_a_custom_imports_file(tmp_path, monkeypatch):
    module = tmp_path / 'my_test_layouts.py'
    layout = dict(UPPER_BODY, name='test-upper-body-12-py')
    module.write_text('from sfhead_mm.skeleton import register_layout\n'
                      f'register_layout({layout!r})\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    config = write_config(tmp_path / 'cfg.py', """
_base_ = '{TEST_CONFIGS}/tiny_stgcn_synthetic.py'
custom_imports = dict(imports=['sfhead_mm.models', 'sfhead_mm.datasets', 'my_test_layouts'],
                      allow_failed_imports=False)
# By name: the package's backbones read the layout registry (MMAction2's stock Graph knows only
# its own three names; give it get_layout(name).graph_dict() instead).
model = dict(backbone=dict(_delete_=True, type='CTRGCN', base_channels=8, num_stages=2,
                           inflate_stages=[], down_stages=[],
                           graph_cfg=dict(layout='test-upper-body-12-py')),
             cls_head=dict(in_channels=8))
""")
    cfg = Config.fromfile(config)
    assert get_layout('test-upper-body-12-py').num_joints == 12
    from mmaction.registry import MODELS
    model = MODELS.build(cfg.model)
    x = torch.zeros(1, 2, 8, 12, 3)
    assert model.backbone(x).shape[-1] == 12
    sys.modules.pop('my_test_layouts', None)


def test_one_name_one_layout():
    get_layout(UPPER_BODY)
    assert get_layout(dict(UPPER_BODY)) is get_layout('test-upper-body-12')
    with pytest.raises(KeyError, match='differs from the layout already registered'):
        get_layout(dict(UPPER_BODY, center=3))
    with pytest.raises(KeyError, match='differs'):
        get_layout(dict(get_layout('coco').to_dict(), center=5))


def test_layout_flip_3d_mirrors_and_swaps():
    kp = np.random.rand(2, 5, 12, 3).astype(np.float32) + 0.1
    flip = LayoutFlip(layout=UPPER_BODY, flip_ratio=1.0)
    out = flip(dict(keypoint=kp.copy()))
    assert out['flip']
    left, right = UPPER_BODY['left'], UPPER_BODY['right']
    np.testing.assert_array_equal(out['keypoint'][..., left, 0], -kp[..., right, 0])
    np.testing.assert_array_equal(out['keypoint'][..., right, 1:], kp[..., left, 1:])
    np.testing.assert_array_equal(out['keypoint'][..., 3, :], kp[..., 3, :] * [-1, 1, 1])
    twice = flip(dict(keypoint=out['keypoint']))['keypoint']
    np.testing.assert_array_equal(twice, kp)
    unflipped = LayoutFlip(layout=UPPER_BODY, flip_ratio=0.0)(dict(keypoint=kp.copy()))
    assert not unflipped['flip'] and np.array_equal(unflipped['keypoint'], kp)


def test_layout_flip_2d_equals_mmaction_flip_fed_from_the_layout():
    coco = get_layout('coco')
    rng = np.random.default_rng(0)
    kp = (rng.random((1, 6, 17, 2)) * 300).astype(np.float32)
    kp[0, 2, 4] = 0  # a missing joint stays missing
    score = rng.random((1, 6, 17)).astype(np.float32)
    sample = dict(keypoint=kp, keypoint_score=score, img_shape=(240, 320), modality='Pose')
    ours = LayoutFlip(layout='coco', flip_ratio=1.0)(dict(sample, keypoint=kp.copy(),
                                                          keypoint_score=score.copy()))
    theirs = Flip(flip_ratio=1.0, **coco.mmaction_flip_kwargs())(
        dict(sample, keypoint=kp.copy(), keypoint_score=score.copy()))
    np.testing.assert_array_equal(ours['keypoint'], theirs['keypoint'])
    np.testing.assert_array_equal(ours['keypoint_score'], theirs['keypoint_score'])
    with pytest.raises(ValueError, match='no left/right'):
        LayoutFlip(layout=dict(joints=2, edges=[(1, 0)], center=0))
