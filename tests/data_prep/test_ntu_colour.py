"""``data_prep.ntu --coords colour``: 2D pickles of the real samples, next to their 3D pickles."""
import json
import os.path as osp
import shutil

import numpy as np
import pytest

from data_prep import ntu
from sfhead_mm.formats.ntu import read_skeleton
from sfhead_mm.formats.ntu_denoise import select_actors
from sfhead_mm.utils.safe_pickle import load_pickle
from tests.conftest import require_data
from tests.formats.test_ntu import NTU_SAMPLES


@pytest.fixture(scope='module')
def skeletons(shared_data, tmp_path_factory):
    """The real .skeleton samples in a folder of their own (the .npy sample left out)."""
    src = require_data(shared_data, 'ntu-rgbd-samples')
    folder = tmp_path_factory.mktemp('ntu_skeletons')
    for name in NTU_SAMPLES:
        shutil.copy(require_data(src, name + '.skeleton'), folder)
    return str(folder)


@pytest.fixture(scope='module')
def pickles(skeletons, tmp_path_factory):
    out = tmp_path_factory.mktemp('ntu_pickles')
    paths = {}
    for coords in ntu.COORDS:
        paths[coords] = str(out / f'{coords}.pkl')
        assert ntu.main([skeletons, '--coords', coords, '--out', paths[coords], '--quiet',
                         '--verify']) == 0
    return {k: load_pickle(v) for k, v in paths.items()}


def test_2d_and_3d_pickles_agree(pickles, skeletons):
    d2, d3 = pickles['colour'], pickles['xyz']
    assert d2['split'] == d3['split']
    by_name = {a['frame_dir']: a for a in d3['annotations']}
    assert sorted(by_name) == sorted(NTU_SAMPLES)
    for ann in d2['annotations']:
        other = by_name[ann['frame_dir']]
        kp, score = ann['keypoint'], ann['keypoint_score']
        M, T = other['keypoint'].shape[:2]
        assert kp.shape == (M, T, 25, 2) and kp.dtype == np.float32
        assert score.shape == (M, T, 25) and score.dtype == np.float32
        assert ann['total_frames'] == other['total_frames'] == T
        assert ann['label'] == other['label']
        assert set(np.unique(score)) <= {0.0, 0.5, 1.0}
        assert ann['img_shape'] == ann['original_shape'] == (1080, 1920)
        # Where a joint is tracked its pixel lies in (or near) the 1920 x 1080 frame.
        on = score > 0
        assert np.all(kp[on] > -200) and np.all(kp[on][:, 0] < 2120) and \
            np.all(kp[on][:, 1] < 1280)
        # The colour values are the file's, for the actors the 3D clean-up chose.
        raw = read_skeleton(osp.join(skeletons, ann['frame_dir'] + '.skeleton'), colour=True)
        # (Every sample here keeps all its frames and one body per actor.)
        slots, _ = select_actors(raw)
        assert len(slots) == M and raw.num_frames == T
        for m, (body, ) in enumerate(slots):
            assert np.array_equal(kp[m, body.frames], body.colour)
            want = np.array([0, 0.5, 1], np.float32)[body.state]
            assert np.array_equal(score[m, body.frames], want)
    two = next(a for a in d2['annotations'] if a['frame_dir'] == 'S001C003P008R002A058')
    assert two['keypoint'].shape[:2] == (2, 70)
    assert np.all(two['keypoint_score'].max(axis=2) > 0)  # both people in every frame
    # They stand apart in the image: their spine-base pixels are over 100 px apart.
    assert np.abs(two['keypoint'][0, :, 0, 0] - two['keypoint'][1, :, 0, 0]).min() > 100


def test_3d_cache_is_not_reused_for_2d(skeletons, tmp_path, capsys):
    out = str(tmp_path / 'ntu.pkl')
    assert ntu.main([skeletons, '--out', out, '--quiet', '--keep-parts']) == 0
    with open(osp.join(out + '.parts', 'settings.json')) as f:
        assert json.load(f)['coords'] == 'xyz'
    capsys.readouterr()
    assert ntu.main([skeletons, '--coords', 'colour', '--out', out, '--quiet',
                     '--keep-parts']) == 0
    assert 'held results of other settings; cleared' in capsys.readouterr().err
    data = load_pickle(out)
    assert all(a['keypoint'].shape[-1] == 2 and 'keypoint_score' in a
               for a in data['annotations'])
    with open(osp.join(tmp_path, 'ntu.report.json')) as f:
        assert json.load(f)['settings']['coords'] == 'colour'


def test_default_output_name_and_npy_input(shared_data, tmp_path, monkeypatch):
    npy = require_data(shared_data, 'ntu-rgbd-samples', 'S001C001P001R001A012.skeleton.npy')
    monkeypatch.chdir(tmp_path)
    assert ntu.main([npy, '--format', 'npy', '--coords', 'colour', '--quiet']) == 0
    (ann, ) = load_pickle('data/skeleton/ntu60_2d_kinect.pkl')['annotations']
    rgb = np.load(npy, allow_pickle=True).item()['rgb_body0']
    assert np.array_equal(ann['keypoint'][0], rgb.astype(np.float32))
    assert np.all(ann['keypoint_score'] == 1)  # txt2npy keeps no tracking state: tracked
    assert not osp.exists('data/skeleton/ntu60_3d.pkl')
