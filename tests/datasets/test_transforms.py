"""Layout-aware normalisation and the NW-UCLA pipeline steps, on synthetic and real data."""
import glob
import json
import os.path as osp

import numpy as np
import pytest
from mmengine.dataset import Compose

from mmaction.datasets.transforms import PreNormalize3D
from sfhead_mm.datasets import synthetic
from sfhead_mm.datasets.transforms import (LayoutPreNormalize3D, MinMaxNormalize3D,
                                           RandomViewTransform3D, ResampleFrames)
from tests.conftest import require_data


def _ntu_sample(seed=0, persons=1):
    rng = np.random.default_rng(seed)
    kp = synthetic.make_clip(6 if persons == 2 else 0, rng, 30, 30, bystander_prob=0)
    kp[:, :3] = 0  # a few empty frames at the start, as in real recordings
    return dict(keypoint=kp, total_frames=kp.shape[1])


@pytest.mark.parametrize('persons', [1, 2])
def test_ntu_layout_matches_mmaction_prenormalize3d(persons):
    ours = LayoutPreNormalize3D('nturgb+d').transform(_ntu_sample(persons=persons))
    ref = PreNormalize3D().transform(_ntu_sample(persons=persons))
    assert ours['total_frames'] == ref['total_frames'] == 27
    np.testing.assert_allclose(ours['keypoint'], ref['keypoint'], atol=1e-5)


def test_nwucla_normalisation_uses_its_own_joints(shared_data):
    files = sorted(glob.glob(osp.join(require_data(shared_data, 'nw-ucla', 'all_sqe'),
                                      '*.json')))[:5]
    for path in files:
        with open(path) as f:
            kp = np.asarray(json.load(f)['skeletons'], dtype=np.float32)[None]  # (1, T, 20, 3)
        sample = dict(keypoint=kp, total_frames=kp.shape[1])
        spine_only = LayoutPreNormalize3D('nw-ucla', align_shoulder=False).transform(
            dict(sample))['keypoint']
        np.testing.assert_allclose(spine_only[0, 0, 1], 0, atol=1e-5)  # spine at the origin
        hip_to_spine = spine_only[0, 0, 1] - spine_only[0, 0, 0]
        assert hip_to_spine[2] > 0 and np.allclose(hip_to_spine[:2], 0, atol=1e-4)  # +Z
        # then (as MMAction2 does, sequentially) the shoulders are turned onto +X
        out = LayoutPreNormalize3D('nw-ucla').transform(dict(sample))['keypoint']
        shoulders = out[0, 0, 8] - out[0, 0, 4]  # right - left shoulder
        assert shoulders[0] > 0 and np.allclose(shoulders[1:], 0, atol=1e-4)
        # distances between joints are preserved (a rigid motion)
        d_in = np.linalg.norm(kp[0, 0, 7] - kp[0, 0, 11])
        d_out = np.linalg.norm(out[0, 0, 7] - out[0, 0, 11])
        assert d_out == pytest.approx(d_in, rel=1e-4)


def test_wrong_joint_count_names_the_sample():
    with pytest.raises(ValueError, match='clip7.*nw-ucla'):
        LayoutPreNormalize3D('nw-ucla').transform(
            dict(keypoint=np.ones((1, 4, 25, 3), np.float32), total_frames=4,
                 frame_dir='clip7'))


def test_view_transform_is_a_scaled_rotation():
    np.random.seed(0)
    kp = np.random.randn(1, 6, 20, 3).astype(np.float32)
    kp[0, 5] = 0  # an absent frame stays absent
    out = RandomViewTransform3D().transform(dict(keypoint=kp.copy()))['keypoint']
    assert np.all(out[0, 5] == 0)
    d_in = np.linalg.norm(kp[0, :5, 3] - kp[0, :5, 9], axis=-1)
    d_out = np.linalg.norm(out[0, :5, 3] - out[0, :5, 9], axis=-1)
    ratio = d_out / d_in
    assert np.allclose(ratio, ratio[0], rtol=1e-4) and 0.5 <= ratio[0] <= 1.5
    m = RandomViewTransform3D.matrix(30, -20, 1.0)
    np.testing.assert_allclose(m @ m.T, np.eye(3), atol=1e-12)


def test_minmax_to_unit_box():
    kp = np.random.rand(1, 5, 20, 3).astype(np.float32) * 7 + 3
    kp[0, 4] = 0
    out = MinMaxNormalize3D().transform(dict(keypoint=kp))['keypoint']
    live = out[0, :4].reshape(-1, 3)
    np.testing.assert_allclose(live.min(0), -1, atol=1e-6)
    np.testing.assert_allclose(live.max(0), 1, atol=1e-6)
    assert np.all(out[0, 4] == 0)


def test_resample_keeps_order_and_stretches_short_clips():
    np.random.seed(0)
    train = ResampleFrames(52).transform(dict(total_frames=20))['frame_inds']
    assert len(train) == 52 and np.all(np.diff(train) >= 0) and train.max() < 20
    test = ResampleFrames(52, test_mode=True).transform(dict(total_frames=20))['frame_inds']
    np.testing.assert_array_equal(test, np.linspace(0, 19, 52).astype(int))
    with pytest.raises(ValueError, match='no frames'):
        ResampleFrames(52).transform(dict(total_frames=0, frame_dir='x'))


def test_nwucla_pipeline_end_to_end(shared_data):
    path = sorted(glob.glob(osp.join(require_data(shared_data, 'nw-ucla', 'all_sqe'),
                                     '*.json')))[0]
    with open(path) as f:
        kp = np.asarray(json.load(f)['skeletons'], dtype=np.float32)[None]
    pipeline = Compose([
        dict(type='LayoutPreNormalize3D', layout='nw-ucla', align_spine=False,
             align_shoulder=False),
        dict(type='RandomViewTransform3D'),
        dict(type='MinMaxNormalize3D'),
        dict(type='GenSkeFeat', dataset='nw-ucla', feats=['jm']),
        dict(type='ResampleFrames', clip_len=52),
        dict(type='PoseDecode'),
        dict(type='FormatGCNInput', num_person=1),
        dict(type='PackActionInputs'),
    ])
    out = pipeline(dict(keypoint=kp, total_frames=kp.shape[1], label=0, frame_dir='x',
                        start_index=0, modality='Pose'))
    assert tuple(out['inputs'].shape) == (1, 1, 52, 20, 3)
