"""Live, multi-person recognition on a stream of per-frame poses.

    from sfhead_mm.apis.stream import LiveRecognizer, TorchClassifier
    live = LiveRecognizer(TorchClassifier(model), window=64, stride=16)
    for poses in source:                    # per frame: (P, V, C) array or list of (V, C)
        for r in live.push(poses):          # ids=... when the source tracks people itself
            print(r.frame, r.track_id, r.name, f'{r.score:.2f}')

Each frame's people are matched to the tracks of the previous frames (:class:`PoseTracker`:
Hungarian assignment on the mean joint distance, gated), unless the source gives identities.
Every track keeps a sliding window of its last ``window`` poses (a bounded deque); every
``stride`` new frames of a track, its window goes through the config's test pipeline and the
model, as one person, and a :class:`LiveResult` ``(frame, track_id, label, name, score)`` is
emitted. Tracks unseen for ``max_missed`` frames are dropped, and at most ``max_tracks`` are
kept, so memory is bounded whatever the stream's length.

Windows of all the tracks due at one frame are classified in one batch. Backends:
:class:`TorchClassifier` (the PyTorch model) and :class:`OnnxClassifier` (a file of
``tools/export_onnx.py`` in onnxruntime); both run the same preprocessing (the config's test
pipeline with one clip per window by default).

Each person is classified alone (the other persons' slots of the model input are zero), so
two-person classes (hugging, handshakes) are seen from one side only.
"""
import copy
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

PoseFrame = Union[np.ndarray, Sequence[np.ndarray]]


# ------------------------------------------------------------------------------ tracker
def pose_distance(a: np.ndarray, b: np.ndarray, dims: int) -> float:
    """Mean distance between the joints of two poses ``(V, C)`` over the first ``dims``
    coordinates, ignoring joints that are all-zero (missing) in either pose."""
    a, b = a[:, :dims], b[:, :dims]
    valid = np.any(a != 0, axis=1) & np.any(b != 0, axis=1)
    if not valid.any():
        return float('inf')
    return float(np.linalg.norm(a[valid] - b[valid], axis=1).mean())


def pose_size(pose: np.ndarray, dims: int) -> float:
    """Diagonal of the bounding box of a pose's present joints."""
    p = pose[np.any(pose[:, :dims] != 0, axis=1), :dims]
    if len(p) == 0:
        return 0.0
    return float(np.linalg.norm(p.max(0) - p.min(0)))


class PoseTracker:
    """Identities for untracked detections: Hungarian assignment on joint distances.

    A detection joins the track whose last pose is nearest (mean joint distance, optimal
    assignment over all pairs), when that distance is below ``max_distance`` (absolute) or,
    by default, below ``rel_distance`` times the track's pose size; other detections start new
    tracks. Tracks not matched for more than ``max_missed`` frames are forgotten.

    Args:
        dims (int): Coordinates that measure position (2 for image keypoints with a score
            channel, 3 for 3D). Defaults to 3 (or C when fewer).
        max_distance (float, optional): Gate in the poses' units.
        rel_distance (float): Gate relative to the track's pose size. Defaults to 0.5.
        max_missed (int): Frames a track survives without a detection. Defaults to 30.
    """

    def __init__(self, dims: int = 3, max_distance: Optional[float] = None,
                 rel_distance: float = 0.5, max_missed: int = 30):
        self.dims = dims
        self.max_distance = max_distance
        self.rel_distance = rel_distance
        self.max_missed = max_missed
        self.last: Dict[int, np.ndarray] = {}
        self.last_seen: Dict[int, int] = {}
        self.next_id = 0
        self.frame = -1

    def _gate(self, pose: np.ndarray) -> float:
        if self.max_distance is not None:
            return self.max_distance
        return self.rel_distance * max(pose_size(pose, self.dims), 1e-6)

    def update(self, poses: Sequence[np.ndarray]) -> List[int]:
        """Track ids of this frame's poses (in their order)."""
        from scipy.optimize import linear_sum_assignment
        self.frame += 1
        dims = min(self.dims, poses[0].shape[-1]) if len(poses) else self.dims
        for tid in [t for t, f in self.last_seen.items()
                    if self.frame - f > self.max_missed]:
            del self.last[tid], self.last_seen[tid]
        tids = list(self.last)
        ids: List[Optional[int]] = [None] * len(poses)
        if tids and len(poses):
            cost = np.array([[pose_distance(p, self.last[t], dims) for t in tids]
                             for p in poses])
            big = 1e12
            rows, cols = linear_sum_assignment(np.where(np.isfinite(cost), cost, big))
            for r, c in zip(rows, cols):
                if cost[r, c] <= self._gate(self.last[tids[c]]):
                    ids[r] = tids[c]
        for i, pose in enumerate(poses):
            if ids[i] is None:
                ids[i] = self.next_id
                self.next_id += 1
            self.last[ids[i]] = pose
            self.last_seen[ids[i]] = self.frame
        return ids  # type: ignore[return-value]


# --------------------------------------------------------------------------- classifiers
def _live_pipeline(cfg, num_clips: Optional[int]):
    """The config's test pipeline, with ``num_clips`` clips per window (None: as configured)."""
    from .inference import build_test_pipeline
    pipeline = build_test_pipeline(cfg)
    if num_clips is not None:
        for t in pipeline.transforms:
            if hasattr(t, 'num_clips'):
                t.num_clips = num_clips
    return pipeline


def _prepare(pipeline, keypoint: np.ndarray, score: Optional[np.ndarray],
             img_shape: Optional[Tuple[int, int]]) -> np.ndarray:
    results = dict(frame_dir='live', keypoint=keypoint[None].astype(np.float32),
                   total_frames=int(keypoint.shape[0]), modality='Pose', start_index=0)
    if score is not None:
        results['keypoint_score'] = score[None].astype(np.float32)
    if img_shape is not None:
        results['img_shape'] = results['original_shape'] = tuple(img_shape)
    data = pipeline(copy.deepcopy(results))
    inputs = data['inputs']
    return inputs.numpy() if hasattr(inputs, 'numpy') else np.asarray(inputs)


class _Classifier:
    """Windows ``(T, V, C)`` of single persons -> class probabilities, through the pipeline."""

    num_joints: Optional[int] = None
    channels: Optional[int] = None
    class_names: Optional[List[str]] = None

    def __init__(self, cfg, num_clips: Optional[int] = 1,
                 img_shape: Optional[Tuple[int, int]] = None):
        self.pipeline = _live_pipeline(cfg, num_clips) if cfg is not None else None
        self.img_shape = img_shape
        self._fill_spec(cfg)

    def _fill_spec(self, cfg) -> None:
        if cfg is None:
            return
        from .onnx_export import config_spec
        spec = config_spec(cfg)
        if spec is not None:  # else the model decides at the first window
            self.num_joints = spec.num_joints
            self.channels = spec.channels

    def inputs(self, windows: Sequence[np.ndarray],
               scores: Optional[Sequence[Optional[np.ndarray]]] = None
               ) -> Tuple[np.ndarray, List[int]]:
        """Model inputs ``(sum of clips, M, T, V, C)`` and the clips of each window."""
        scores = scores or [None] * len(windows)
        arrays = [_prepare(self.pipeline, w, s, self.img_shape) for w, s in zip(windows, scores)]
        return np.concatenate(arrays, 0), [len(a) for a in arrays]

    def logits(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, windows, scores=None) -> np.ndarray:
        from .onnx_export import softmax
        x, clips = self.inputs(windows, scores)
        probs = softmax(self.logits(x))
        out, start = [], 0
        for n in clips:  # the head's average_clips='prob': mean of the clips' softmax
            out.append(probs[start:start + n].mean(0))
            start += n
        return np.stack(out)


class TorchClassifier(_Classifier):
    """The PyTorch model (from ``init_recognizer``) on windows, after its test pipeline.

    Args:
        model (nn.Module): The recognizer; it carries its ``cfg``.
        num_clips (int, optional): Clips sampled per window (test configs often sample 10).
            Defaults to 1; None keeps the config's.
        img_shape (tuple, optional): ``(height, width)`` for 2D keypoints in pixels.
    """

    def __init__(self, model, num_clips: Optional[int] = 1,
                 img_shape: Optional[Tuple[int, int]] = None, label_map=None):
        super().__init__(model.cfg, num_clips, img_shape)
        self.model = model.eval()
        try:
            from .inference import class_names_of
            self.class_names = class_names_of(model, label_map)
        except Exception:
            self.class_names = None

    def logits(self, x: np.ndarray) -> np.ndarray:
        from .onnx_export import clip_logits
        return clip_logits(self.model, x).numpy()


class OnnxClassifier(_Classifier):
    """An exported ONNX file in onnxruntime on windows, after the config's test pipeline.

    Args:
        path (str): File of ``tools/export_onnx.py``.
        config (str | Config): The model's config (its test pipeline prepares the windows).
        num_clips, img_shape: As :class:`TorchClassifier`.
        threads (int, optional): onnxruntime intra-op threads.
    """

    def __init__(self, path: str, config, num_clips: Optional[int] = 1,
                 img_shape: Optional[Tuple[int, int]] = None, threads: Optional[int] = None,
                 label_map=None):
        from mmengine.config import Config

        from .onnx_export import OnnxRecognizer
        if isinstance(config, str):
            try:
                from ..engine.runner_setup import load_config
                config = load_config(config)
            except ImportError:
                config = Config.fromfile(config)
        super().__init__(config, num_clips, img_shape)
        self.runner = OnnxRecognizer(path, threads=threads)
        meta = self.runner.meta
        self.num_joints = meta.get('num_joints', self.num_joints)
        self.channels = meta.get('channels', self.channels)
        self.class_names = (list(label_map) if isinstance(label_map, (list, tuple))
                            else meta.get('class_names'))

    def logits(self, x: np.ndarray) -> np.ndarray:
        return self.runner.logits(x)


# ---------------------------------------------------------------------------- live loop
@dataclass
class LiveResult:
    """One label of one person: the window ``[frame - frames + 1, frame]`` of ``track_id``."""

    frame: int
    track_id: int
    label: int
    score: float
    name: str
    frames: int
    latency_s: float = 0.0
    scores: Optional[np.ndarray] = field(default=None, repr=False)

    def to_dict(self) -> Dict:
        return dict(frame=self.frame, track_id=self.track_id, label=self.label,
                    name=self.name, score=self.score, frames=self.frames,
                    latency_ms=round(1e3 * self.latency_s, 3))


@dataclass
class _Track:
    poses: deque
    scores: Optional[deque]
    new: int = 0
    last_seen: int = 0


class LiveRecognizer:
    """Sliding-window recognition of every person in a stream of pose frames.

    Args:
        classifier (Callable): Windows ``[(T, V, C)]`` (and optional scores ``[(T, V)]``) ->
            probabilities ``(B, K)``: a :class:`TorchClassifier` or :class:`OnnxClassifier`.
        window (int): Frames per person window (the deque's length). Defaults to 64.
        stride (int): New frames of a person between two of its labels. Defaults to 16.
        min_frames (int, optional): Frames a new person needs before a first label.
            Defaults to ``window`` (full windows only).
        max_missed (int): Frames a person may be unseen before the track is dropped.
            Defaults to 30.
        max_tracks (int): Most tracks kept; the longest-unseen go first. Defaults to 16.
        tracker (PoseTracker, optional): For frames without identities. Defaults to a
            :class:`PoseTracker` with ``max_missed``.
    """

    def __init__(self, classifier: Callable, window: int = 64, stride: int = 16,
                 min_frames: Optional[int] = None, max_missed: int = 30,
                 max_tracks: int = 16, tracker: Optional[PoseTracker] = None):
        if window <= 0 or stride <= 0:
            raise ValueError(f'window={window}, stride={stride}: both must be positive')
        self.classifier = classifier
        self.window = window
        self.stride = stride
        self.min_frames = min(window, min_frames or window)
        self.max_missed = max_missed
        self.max_tracks = max_tracks
        self.tracker = tracker or PoseTracker(max_missed=max_missed)
        self.tracks: 'OrderedDict[int, _Track]' = OrderedDict()
        self.frame = -1
        self.num_joints = getattr(classifier, 'num_joints', None)
        self.channels = getattr(classifier, 'channels', None)
        self.class_names = getattr(classifier, 'class_names', None)

    # -------------------------------------------------------------------------- input
    def _as_poses(self, poses: PoseFrame) -> List[np.ndarray]:
        if poses is None:
            return []
        if isinstance(poses, np.ndarray):
            if poses.ndim == 2:
                poses = poses[None]
            if poses.ndim != 3:
                raise ValueError(f'a frame of poses has shape {poses.shape}; expected '
                                 f'(persons, joints, channels)')
            poses = list(poses)
        out = []
        for p in poses:
            p = np.asarray(p, dtype=np.float32)
            if self.num_joints is not None and p.shape[0] != self.num_joints:
                raise ValueError(f'a pose has {p.shape[0]} joints, the model takes '
                                 f'{self.num_joints} (convert the layout first, e.g. '
                                 f'sfhead_mm.apis.video.convert_layout)')
            if self.channels is not None and p.shape[-1] != self.channels:
                raise ValueError(f'a pose has {p.shape[-1]} channels, the model takes '
                                 f'{self.channels}')
            if np.any(p != 0):  # all-zero poses are padding, not people
                out.append(p)
        return out

    # ----------------------------------------------------------------------- the loop
    def push(self, poses: PoseFrame, ids: Optional[Sequence[int]] = None,
             scores: Optional[Sequence[np.ndarray]] = None) -> List[LiveResult]:
        """Add one frame; returns the labels due at this frame (possibly none).

        Args:
            poses: This frame's people, ``(P, V, C)`` or a list of ``(V, C)``; all-zero poses
                are ignored. ``(V, C)`` is one person.
            ids (Sequence[int], optional): Their identities, when the source tracks people.
            scores (Sequence[np.ndarray], optional): Per-joint confidences ``(V,)`` of each
                pose (2D estimators), kept with the window.
        """
        t0 = time.perf_counter()
        self.frame += 1
        raw = poses
        poses = self._as_poses(poses)
        if ids is None:
            ids = self.tracker.update(poses)
        elif len(ids) != len(poses):
            raise ValueError(f'{len(ids)} ids for {len(poses)} non-empty poses'
                             + (' (all-zero poses are dropped)' if raw is not None else ''))
        due: List[int] = []
        for i, (tid, pose) in enumerate(zip(ids, poses)):
            track = self.tracks.get(tid)
            if track is None:
                track = _Track(deque(maxlen=self.window),
                               deque(maxlen=self.window) if scores is not None else None)
                self.tracks[tid] = track
            track.poses.append(pose)
            if track.scores is not None and scores is not None:
                track.scores.append(np.asarray(scores[i], dtype=np.float32))
            track.new += 1
            track.last_seen = self.frame
            self.tracks.move_to_end(tid)
            if track.new >= self.stride and len(track.poses) >= self.min_frames:
                due.append(tid)
        self._forget()
        if not due:
            return []
        windows = [np.stack(self.tracks[t].poses) for t in due]
        wscores = ([np.stack(self.tracks[t].scores) if self.tracks[t].scores else None
                    for t in due] if scores is not None else None)
        probs = self.classifier(windows, wscores)
        latency = time.perf_counter() - t0
        results = []
        for tid, w, p in zip(due, windows, probs):
            self.tracks[tid].new = 0
            label = int(np.argmax(p))
            name = (self.class_names[label] if self.class_names
                    and label < len(self.class_names) else f'class {label}')
            results.append(LiveResult(frame=self.frame, track_id=int(tid), label=label,
                                      score=float(p[label]), name=name, frames=len(w),
                                      latency_s=latency, scores=p))
        return results

    def _forget(self) -> None:
        for tid in [t for t, tr in self.tracks.items()
                    if self.frame - tr.last_seen > self.max_missed]:
            del self.tracks[tid]
        while len(self.tracks) > self.max_tracks:
            self.tracks.popitem(last=False)  # least recently seen

    def run(self, frames) -> Iterator[LiveResult]:
        """Push every frame of an iterable (of pose frames, or ``(poses, ids)`` pairs)."""
        for item in frames:
            if isinstance(item, tuple) and len(item) == 2:
                yield from self.push(*item)
            else:
                yield from self.push(item)


# ----------------------------------------------------------------------- test streams
def synthetic_stream(num_people: int = 2, num_frames: int = 200, num_joints: int = 25,
                     channels: int = 3, spacing: float = 2.0,
                     schedule: Optional[Sequence[Tuple[int, int]]] = None, seed: int = 0
                     ) -> Iterator[np.ndarray]:
    """Frames ``(P, V, C)`` of ``num_people`` people standing ``spacing`` apart and moving.

    Each person has a random rest pose about one unit tall and moves smoothly; ``schedule``
    gives each person's ``[enter, leave)`` frames (default: always present). Persons appear
    in a shuffled order in each frame, as from a detector.
    """
    rng = np.random.default_rng(seed)
    rest = rng.uniform(-0.3, 0.3, (num_people, num_joints, channels)).astype(np.float32)
    rest[..., 1 % channels] *= 3
    rest[:, :, 0] += spacing * np.arange(num_people)[:, None]
    phase = rng.uniform(0, 2 * np.pi, (num_people, num_joints, channels))
    schedule = schedule or [(0, num_frames)] * num_people
    for t in range(num_frames):
        present = [p for p in range(num_people) if schedule[p][0] <= t < schedule[p][1]]
        rng.shuffle(present)
        frame = np.stack([rest[p] + 0.05 * np.sin(0.2 * t + phase[p]) for p in present]) \
            if present else np.zeros((0, num_joints, channels), np.float32)
        yield frame.astype(np.float32)
