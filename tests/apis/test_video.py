"""Video input: BlazePose layout and joint mappings; pose estimation and recognition on real
clips (skipped without ``../shared/data/videos`` or without mediapipe, the ``video`` extra);
several people per frame (detect, mask, repeat) on a stand-in for mediapipe and on the two
shared clips side by side."""
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


# ------------------------------------------------------------------ several people per frame
class _FakePose:
    """A stand-in for ``mp.solutions.pose.Pose``: finds the bright boxes of a frame; the first
    instance follows the left box for 6 frames, then the right one (a swap after a loss)."""

    created = []

    def __init__(self, **kwargs):
        self.calls = 0
        _FakePose.created.append(self)

    def process(self, rgb):
        from types import SimpleNamespace as NS
        h, w = rgb.shape[:2]
        bright = rgb.max(-1) > 128
        cols = np.flatnonzero(bright.any(0))
        runs = np.split(cols, np.flatnonzero(np.diff(cols) > 1) + 1) if len(cols) else []
        self.calls += 1
        if not runs:
            return NS(pose_landmarks=None, pose_world_landmarks=None)
        first = _FakePose.created.index(self) % 2 == 0
        run = runs[-1] if first and self.calls > 6 and len(runs) > 1 else runs[0]
        rows = np.flatnonzero(bright[:, run].any(1))
        xs = np.linspace(run[0], run[-1], 33) / w
        ys = np.linspace(rows[0], rows[-1], 33) / h
        lms = [NS(x=float(x), y=float(y), z=0.0, visibility=0.9) for x, y in zip(xs, ys)]
        world = [NS(x=float(x - xs.mean()), y=float(y - ys.mean()), z=0.0) for x, y in
                 zip(xs, ys)]
        return NS(pose_landmarks=NS(landmark=lms), pose_world_landmarks=NS(landmark=world))

    def close(self):
        pass


@pytest.fixture
def fake_mediapipe(monkeypatch):
    from types import SimpleNamespace as NS
    _FakePose.created = []
    monkeypatch.setitem(sys.modules, 'mediapipe',
                        NS(solutions=NS(pose=NS(Pose=_FakePose)), __version__='fake'))


def _boxes_video(path, frames=12, size=(160, 120)):
    """Two white boxes (people) on black, the left one moving right, the right one still."""
    import cv2
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), 25, size)
    for t in range(frames):
        img = np.zeros((size[1], size[0], 3), np.uint8)
        img[30:100, 10 + t:40 + t] = 255
        img[20:90, 110:140] = 255
        writer.write(img)
    writer.release()
    return str(path)


def test_detect_mask_repeat_keeps_identities_when_an_instance_swaps(fake_mediapipe, tmp_path):
    from sfhead_mm.apis.video import estimate_poses, iter_video_poses
    video = _boxes_video(tmp_path / 'boxes.avi')
    frames = list(iter_video_poses(video, max_people=3))
    assert len(frames) == 12 and len(_FakePose.created) == 3
    # two people every frame (the third instance finds nobody in the twice-masked frame)
    assert all(len(f.people) == 2 for f in frames)
    side = {}  # track id -> the side of the frame its person is on
    for f in frames:
        for p in f.people:
            side.setdefault(p.track_id, p.image[:, 0].mean() < 80)
            assert side[p.track_id] == (p.image[:, 0].mean() < 80), (f.index, p.track_id)
        # the single-person fields are the first person's: instance 1, which swapped
        np.testing.assert_array_equal(f.image, f.people[0].image)
    assert len(side) == 2
    assert frames[0].image[:, 0].mean() < 80 and frames[-1].image[:, 0].mean() > 80
    poses = estimate_poses(video, coords='image', max_people=2)
    assert poses.keypoint.shape == (2, 12, 33, 2) and poses.present.all()
    # max_people=1: one instance, no masking, one track
    assert [len(f.people) for f in iter_video_poses(video)] == [1] * 12
    assert estimate_poses(video).keypoint.shape == (1, 12, 33, 3)


def test_the_same_person_found_again_is_not_a_second_person(fake_mediapipe, monkeypatch,
                                                            tmp_path):
    from sfhead_mm.apis.video import iter_video_poses
    video = _boxes_video(tmp_path / 'boxes.avi', frames=3)
    first = _FakePose.process
    calls = []

    def echo(self, rgb):  # every instance returns what instance 1 found on the whole frame
        if self is _FakePose.created[0]:
            calls.append(first(self, rgb))
        return calls[-1]

    monkeypatch.setattr(_FakePose, 'process', echo)
    frames = list(iter_video_poses(video, max_people=3))
    assert [len(f.people) for f in frames] == [1, 1, 1]
    assert {f.people[0].track_id for f in frames} == {0}


def test_place_people_puts_skeletons_where_they_stand():
    from sfhead_mm.apis.video import place_people
    rng = np.random.default_rng(0)
    world = rng.standard_normal((2, 3, 33, 3)).astype(np.float32)
    world[:, :, [23, 24]] = [[0, 0, 0]] * 2      # hips at the origin
    world[:, :, [11, 12]] = [[0, 0.5, 0]] * 2    # shoulders 0.5 m above (y up)
    image = np.zeros((2, 3, 33, 2), np.float32)
    image[0, :, [23, 24]] = (100, 300)           # person 0: left of centre by 220 px
    image[1, :, [23, 24]] = (520, 300)           # person 1: right of centre by 200 px
    image[:, :, [11, 12]] = image[:, :, [23, 24]] - (0, 100)  # 100 px torso: 5 mm / px
    present = np.array([[True, True, True], [True, True, False]])
    out = place_people(world, image, present, img_shape=(480, 640))
    shift = out - world
    np.testing.assert_allclose(shift[0, :, :, 0], 220 * 0.005, atol=1e-5)  # Kinect x: left
    np.testing.assert_allclose(shift[1, :2, :, 0], -200 * 0.005, atol=1e-5)
    np.testing.assert_allclose(shift[:, :, :, 1][present], -60 * 0.005, atol=1e-5)  # y up
    assert not shift[..., 2].any() and not shift[1, 2].any()  # no depth; absent untouched


def _benchmark_tool():
    import importlib.util
    from tests.conftest import REPO
    spec = importlib.util.spec_from_file_location(
        'video_people_fps', osp.join(REPO, 'tools', 'benchmark', 'video_people_fps.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def two_people(shared_data, tmp_path_factory):
    folder = require_data(shared_data, 'videos')
    pytest.importorskip('mediapipe', reason=INSTALL_HINT)
    bench = _benchmark_tool()  # owns the composite: the two clips side by side, 40 frames
    for name in bench.CLIPS:
        if not osp.isfile(osp.join(folder, name)):
            pytest.skip(f'the two-person test composes {name}, not in {folder}')
    return bench.two_person_video(folder, tmp_path_factory.mktemp('two') / 'two_people.avi',
                                  frames=40)


def _sides(poses):
    """Per track: -1 when all its frames are on the left half, +1 on the right half, 0 both."""
    half, out = poses.img_shape[1] / 2, []
    for m in range(len(poses.track_ids)):
        x = poses.keypoint[m, poses.present[m], :, 0].mean(-1)
        out.append(-1 if (x < half).all() else 1 if (x > half).all() else 0)
    return out


def test_people_side_by_side_get_separate_stable_tracks(two_people):
    # The composite holds three people: NTU's (left half) and the two of MMAction2's demo
    # clip, shaking hands (right half).
    from sfhead_mm.apis.video import estimate_poses
    poses = estimate_poses(two_people, coords='image', max_people=2)
    assert poses.total_frames == 40
    assert len(poses.track_ids) == 2, poses.track_ids
    assert (poses.track_found_ratio >= 0.8).all(), poses.track_found_ratio
    # every frame of a track is on one half: separate people, stable identities
    assert sorted(_sides(poses)) == [-1, 1]
    three = estimate_poses(two_people, coords='image', max_people=3)
    assert len(three.track_ids) == 3 and (three.track_found_ratio >= 0.8).all(), (
        three.track_ids, three.track_found_ratio)
    sides = _sides(three)
    assert sorted(sides) == [-1, 1, 1], sides
    a, b = [m for m, side in enumerate(sides) if side == 1]
    both = three.present[a] & three.present[b]
    xa, xb = (three.keypoint[m, both, :, 0].mean(-1) for m in (a, b))
    assert (xa < xb).all() or (xa > xb).all()  # the two men keep their identities
    one = estimate_poses(two_people, coords='image', max_frames=10)
    assert len(one.track_ids) == 1 and one.keypoint.shape[:2] == (1, 10)


def test_video_to_one_label_per_person(two_people, tiny):
    from sfhead_mm.apis.inference import Prediction, init_recognizer
    from sfhead_mm.apis.video import predict_video
    model = init_recognizer(*tiny)  # NTU-25, 3D, num_person=2
    preds = predict_video(model, two_people, window=8, stride=8, max_frames=16, max_people=2)
    assert [p.name for p in preds] == ['two_people/person0', 'two_people/person1']
    for p in preds:
        assert np.isclose(p.scores.sum(), 1, atol=1e-4) and len(p.windows) == 2
        assert 'person track' in p.notes[0]
    both = predict_video(model, two_people, max_frames=16, max_people=2, persons='together')
    assert isinstance(both, Prediction) and '2 person track(s)' in both.notes[1]
    with pytest.raises(ValueError, match='persons='):
        predict_video(model, two_people, max_people=2, persons='pairs')


def test_tools_label_each_person_of_a_video(two_people, tiny, python, repo, tmp_path):
    import json
    out = tmp_path / 'labels.json'
    proc = subprocess.run(
        [python, osp.join(repo, 'tools', 'live.py'), tiny[0], tiny[1], two_people,
         '--window', '8', '--stride', '4', '--max-frames', '12', '--max-people', '2',
         '--out-json', str(out)], capture_output=True, text=True, cwd=repo, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    labels = json.loads(out.read_text())['labels']
    assert {r['track_id'] for r in labels} == {0, 1}  # a label per person
    import importlib.util
    spec = importlib.util.spec_from_file_location('tool_infer',
                                                  osp.join(repo, 'tools', 'infer.py'))
    infer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(infer)
    # (in-process; with --max-frames absent the whole 40-frame composite is estimated)
    assert infer.main([*tiny, two_people, '--max-people', '2', '--quiet',
                       '--out-json', str(tmp_path / 'preds.json')]) == 0
    preds = json.loads((tmp_path / 'preds.json').read_text())['predictions']
    assert [p['name'] for p in preds] == ['two_people/person0', 'two_people/person1']
