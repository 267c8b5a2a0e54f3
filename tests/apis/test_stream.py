"""Live multi-person recognition on synthetic pose streams: tracking, windows, bounded memory."""
import numpy as np
import pytest

from sfhead_mm.apis.stream import (LiveRecognizer, PoseTracker, TorchClassifier,
                                   synthetic_stream)


class CountingClassifier:
    """Records the windows it sees; class = number of frames modulo 3 (deterministic)."""

    num_joints, channels, class_names = 25, 3, ['a', 'b', 'c']

    def __init__(self):
        self.calls = []

    def __call__(self, windows, scores=None):
        self.calls.append([w.shape for w in windows])
        out = np.zeros((len(windows), 3), np.float32)
        for i, w in enumerate(windows):
            out[i, len(w) % 3] = 1
        return out


def test_tracker_keeps_identities_of_shuffled_people():
    tracker = PoseTracker()
    first = None
    for frame in synthetic_stream(num_people=3, num_frames=40, seed=2):
        ids = tracker.update(list(frame))
        # person p stands at x ~ 2p: identity must follow the position, not the order
        by_x = [i for _, i in sorted(zip(frame[:, :, 0].mean(1), ids))]
        first = first or by_x
        assert by_x == first
    assert tracker.next_id == 3


def test_people_enter_and_leave_and_memory_stays_bounded():
    schedule = [(0, 300), (50, 120), (100, 300), (150, 170)]  # the last one: 20 frames only
    clf = CountingClassifier()
    live = LiveRecognizer(clf, window=32, stride=8, max_missed=5, max_tracks=8)
    results = []
    for frame in synthetic_stream(num_people=4, num_frames=300, schedule=schedule, seed=0):
        results.extend(live.push(frame))
        assert len(live.tracks) <= 3  # never more than present + recently left
        assert all(len(t.poses) <= 32 for t in live.tracks.values())
    per_track = {}
    for r in results:
        per_track.setdefault(r.track_id, []).append(r)
    assert len(per_track) == 3  # person 3 (20 frames) never fills a window of 32
    counts = sorted(len(v) for v in per_track.values())
    # first label at a track's 32nd frame, then every 8: 300 frames -> 34, 70 -> 5, 200 -> 22
    assert counts == [5, 22, 34]
    for rs in per_track.values():
        frames = [r.frame for r in rs]
        assert np.all(np.diff(frames) == 8)
        assert all(r.frames == 32 and r.name == 'c' and r.score == 1 for r in rs)
    assert set(live.tracks) == {0, 2}  # person 1 left at 120 and was dropped
    assert max(len(c) for c in clf.calls) <= 3  # tracks due together are batched


def test_given_identities_skip_the_tracker():
    clf = CountingClassifier()
    live = LiveRecognizer(clf, window=4, stride=2)
    out = []
    for t in range(6):
        out += live.push(np.ones((2, 25, 3)) * (t + 1), ids=[7, 9])
    assert sorted({r.track_id for r in out}) == [7, 9]
    assert live.tracker.next_id == 0
    with pytest.raises(ValueError, match='joints'):
        live.push(np.ones((1, 20, 3)))
    with pytest.raises(ValueError, match='ids'):
        live.push(np.ones((2, 25, 3)), ids=[1])


def test_min_frames_gives_early_labels():
    live = LiveRecognizer(CountingClassifier(), window=32, stride=4, min_frames=8)
    out = [r for frame in synthetic_stream(1, 16) for r in live.push(frame)]
    assert [r.frame for r in out] == [7, 11, 15] and [r.frames for r in out] == [8, 12, 16]


@pytest.fixture(scope='module')
def tiny_model(tmp_path_factory):
    from sfhead_mm.apis.inference import init_recognizer
    from tests.apis.helpers import TINY, initialised_checkpoint
    ckpt = initialised_checkpoint(TINY, str(tmp_path_factory.mktemp('stream') / 'init.pth'))
    return init_recognizer(TINY, ckpt)


def test_torch_classifier_matches_inference_on_the_window(tiny_model):
    """A window's label is what offline inference gives for the same frames."""
    from sfhead_mm.apis.inference import predict_skeletons
    clf = TorchClassifier(tiny_model)
    live = LiveRecognizer(clf, window=24, stride=12)
    frames = list(synthetic_stream(2, 48, seed=3))
    results = [r for f in frames for r in live.push(f)]
    assert len(results) == 2 * 3  # frames 23, 35, 47 for both people
    last = [r for r in results if r.frame == 47]
    assert all(r.latency_s > 0 for r in last)
    # offline: person at x ~ 0 over frames [24, 48)
    tracks = {tid: np.stack(tr.poses) for tid, tr in live.tracks.items()}
    for r in last:
        window = tracks[r.track_id][None]  # (1, T, V, C)
        offline = predict_skeletons(tiny_model, window)[0]
        np.testing.assert_allclose(r.scores, offline.scores, atol=1e-5)


def test_onnx_classifier_matches_torch(tiny_model, tmp_path):
    pytest.importorskip('onnxruntime', reason='needs the [onnx] extra')
    from sfhead_mm.apis.onnx_export import export_onnx
    from sfhead_mm.apis.stream import OnnxClassifier
    path = export_onnx(tiny_model, str(tmp_path / 'tiny.onnx')).path
    frames = list(synthetic_stream(2, 40, seed=4))
    res = {}
    for name, clf in (('torch', TorchClassifier(tiny_model)),
                      ('onnx', OnnxClassifier(path, tiny_model.cfg, threads=1))):
        live = LiveRecognizer(clf, window=20, stride=10)
        res[name] = [r for f in frames for r in live.push(f)]
    assert len(res['torch']) == len(res['onnx']) == 6
    for a, b in zip(res['torch'], res['onnx']):
        assert (a.frame, a.track_id, a.label) == (b.frame, b.track_id, b.label)
        np.testing.assert_allclose(a.scores, b.scores, atol=1e-5)


def test_live_tool_on_synthetic_people_and_a_pose_file(tiny_model, tmp_path, python, repo):
    import json
    import os.path as osp
    import subprocess

    from tests.apis.helpers import TINY
    ckpt = str(tmp_path / 'w.pth')
    import torch
    torch.save(dict(meta={}, state_dict=tiny_model.state_dict()), ckpt)
    out = tmp_path / 'labels.json'
    proc = subprocess.run([python, osp.join(repo, 'tools', 'live.py'), TINY, ckpt, 'synthetic:2',
                           '--window', '16', '--stride', '8', '--max-frames', '60',
                           '--out-json', str(out)], capture_output=True, text=True, cwd=repo,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    labels = json.loads(out.read_text())['labels']
    assert {r['track_id'] for r in labels} == {0, 1} and 'frames/s' in proc.stdout
    # a pose file: (M=2, T, V, C) array, people as untracked detections
    arr = np.stack([np.stack(list(f)) for f in synthetic_stream(2, 30, seed=5)], 1)
    np.save(tmp_path / 'two.npy', arr)
    proc = subprocess.run([python, osp.join(repo, 'tools', 'live.py'), TINY, ckpt,
                           str(tmp_path / 'two.npy'), '--window', '10', '--stride', '10',
                           '--out-json', str(out)], capture_output=True, text=True, cwd=repo,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(json.loads(out.read_text())['labels']) == 2 * 3
