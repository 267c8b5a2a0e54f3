"""Video input: BlazePose layout and joint mappings; pose estimation and recognition on real
clips (skipped without ``../shared/data/videos`` or without mediapipe, the ``video`` extra)."""
import glob
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest

from sfhead_mm.apis.video import INSTALL_HINT, JOINT_MAPS, convert_layout
from sfhead_mm.skeleton import get_layout
from tests.conftest import require_data


def test_blazepose_layout_is_registered_and_mirrors_left_and_right():
    layout = get_layout('mediapipe')
    assert layout.name == 'blazepose' and layout.num_joints == 33
    names = layout.joints
    for a, b in layout.flip_pairs:
        assert names[a].replace('left', 'right') == names[b], (names[a], names[b])


@pytest.mark.parametrize('target', sorted(JOINT_MAPS))
def test_mappings_cover_the_target_layout(target):
    layout = get_layout(target)
    assert len(JOINT_MAPS[target]) == layout.num_joints
    kp = np.random.default_rng(0).standard_normal((2, 5, 33, 3)).astype(np.float32)
    out, score = convert_layout(kp, target, keypoint_score=np.ones((2, 5, 33)))
    assert out.shape == (2, 5, layout.num_joints, 3) and score.shape == (2, 5, layout.num_joints)
    # side by side: a left joint comes only from left landmarks
    blaze = get_layout('blazepose').joints
    for j, sources in enumerate(JOINT_MAPS[target]):
        for side in ('left', 'right'):
            if layout.joints[j].startswith(side):
                assert all(blaze[s].startswith(side) for s in sources), layout.joints[j]


def test_coco_mapping_is_a_selection_and_missing_landmarks_stay_missing():
    kp = np.arange(33 * 2, dtype=np.float32).reshape(33, 2) + 1
    out, _ = convert_layout(kp, 'coco')
    coco, blaze = get_layout('coco').joints, get_layout('blazepose').joints
    for j, name in enumerate(coco):
        np.testing.assert_array_equal(out[j], kp[blaze.index(name)])
    kp[23] = 0  # left hip missing
    ntu, _ = convert_layout(kp, 'nturgb+d')
    assert not ntu[0].any() and not ntu[1].any() and not ntu[12].any()  # spine_base/mid, l hip
    assert ntu[16].any()
    with pytest.raises(ValueError, match='no joint mapping'):
        convert_layout(np.zeros((25, 3)), 'coco', source='nturgb+d')


def test_missing_mediapipe_says_what_to_install(monkeypatch):
    from sfhead_mm.apis import video
    monkeypatch.setitem(sys.modules, 'mediapipe', None)
    with pytest.raises(ImportError, match='requirements/video.txt'):
        video._require_mediapipe()
    assert 'mediapipe 0.10.21' in INSTALL_HINT


@pytest.fixture(scope='module')
def videos(shared_data):
    folder = require_data(shared_data, 'videos')
    pytest.importorskip('mediapipe', reason=INSTALL_HINT)
    files = sorted(glob.glob(osp.join(folder, '*.avi')) + glob.glob(osp.join(folder, '*.mp4')))
    if not files:
        pytest.skip(f'no .avi/.mp4 in {folder}')
    return files


def test_poses_are_found_in_most_frames(videos):
    from sfhead_mm.apis.video import estimate_poses
    for video in videos:
        poses = estimate_poses(video, max_frames=20)
        assert poses.total_frames == 20
        assert poses.found_ratio >= 0.8, (video, poses.found_ratio)
        assert poses.keypoint.shape[2:] == (33, 3)
        # metres, origin between the hips, y up: the nose is above the ankles
        nose_y, ankle_y = poses.keypoint[0, :, 0, 1], poses.keypoint[0, :, 27:29, 1].mean(-1)
        assert np.median(nose_y - ankle_y) > 0.5
        image = estimate_poses(video, coords='image', max_frames=5)
        h, w = image.img_shape
        assert 0 <= image.keypoint[..., 0].mean() <= w and 0 <= image.keypoint[..., 1].mean() <= h


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    from tests.apis.helpers import TINY, initialised_checkpoint
    return TINY, initialised_checkpoint(TINY, str(tmp_path_factory.mktemp('video') / 'i.pth'))


def test_video_to_label_end_to_end(videos, tiny):
    from sfhead_mm.apis.inference import init_recognizer
    from sfhead_mm.apis.video import predict_video
    model = init_recognizer(*tiny)  # NTU-25, 3D
    video = [v for v in videos if 'ntu' in osp.basename(v)] or videos
    pred = predict_video(model, video[0], window=8, stride=8, max_frames=16)
    assert pred.scores.shape == (model.cls_head.num_classes, )
    assert np.isclose(pred.scores.sum(), 1, atol=1e-4)
    assert len(pred.windows) == 2 and 'BlazePose found a pose' in pred.notes[0]


def test_live_tool_on_a_video(videos, tiny, python, repo, tmp_path):
    out = tmp_path / 'labels.json'
    proc = subprocess.run(
        [python, osp.join(repo, 'tools', 'live.py'), tiny[0], tiny[1], videos[0],
         '--window', '8', '--stride', '4', '--max-frames', '16', '--out-json', str(out)],
        capture_output=True, text=True, cwd=repo, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    import json
    labels = json.loads(out.read_text())['labels']
    assert len(labels) >= 2 and {r['track_id'] for r in labels} == {0}
