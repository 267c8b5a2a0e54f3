"""Skeleton inputs for inference: every format read into one sample type.

Formats (chosen by the file, see :func:`read_skeleton_file`):

* NTU RGB+D ``.skeleton`` text, and the authors' txt2npy ``.skeleton.npy`` dict: parsed and cleaned
  by ``data_prep`` (the same parser and actor selection that build the training pickles);
* NW-UCLA json ``{file_name, skeletons: T x V x 3, ...}``;
* ``.npy`` arrays ``(M, T, V, C)`` or ``(C, T, V, M)`` (a leading ``N`` reads ``N`` samples;
  ``(T, V, C)`` is one person); trailing all-zero frames (padding to a fixed length) and
  all-zero persons are dropped;
* PoseDataset pickles: the 1.x ``{'split', 'annotations'}`` dict, the 0.x list, or one sample
  dict; all samples, one split, or named samples; samples are passed on as stored;
* MMPose json: per-frame instances with ``keypoints`` / ``keypoint_scores`` (the
  ``instance_info`` list that MMPose's demos save, a plain list of frames, or a list of
  per-frame instance lists).

Every problem is a :class:`InputError` naming the file (and line, sample or key).
"""
import json
import os.path as osp
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

NPY_ORDERS = ('auto', 'MTVC', 'CTVM')


class InputError(ValueError):
    """An input file that cannot be used; the message names the file and the problem."""

    def __init__(self, path: str, message: str):
        self.path = path
        super().__init__(f'{path}: {message}')


@dataclass
class SkeletonSample:
    """One skeleton sequence, ready for a test pipeline.

    Args:
        name (str): Sample name (``frame_dir`` in predictions).
        keypoint (np.ndarray): ``(M, T, V, C)`` coordinates (float32; pickles: as stored).
        keypoint_score (np.ndarray, optional): ``(M, T, V)`` confidences (2D pose estimates).
        source (str): File it came from.
        img_shape (tuple[int, int], optional): ``(height, width)`` of the frames 2D keypoints
            are measured in (2D normalisation reads it).
        label (int, optional): Ground-truth label, when the file has one.
        extra (dict): Further annotation keys passed to the pipeline unchanged (pickles).
        notes (list[str]): What the reader changed (frames trimmed, persons dropped, ...).
    """

    name: str
    keypoint: np.ndarray
    keypoint_score: Optional[np.ndarray] = None
    source: str = ''
    img_shape: Optional[Tuple[int, int]] = None
    label: Optional[int] = None
    extra: Dict = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)

    @property
    def num_frames(self) -> int:
        return int(self.keypoint.shape[1])

    def to_results(self) -> Dict:
        """The dict a ``PoseDataset`` hands its pipeline (``keypoint``, ``total_frames``, ...)."""
        results = dict(self.extra)
        results.update(frame_dir=self.name, keypoint=self.keypoint,
                       total_frames=self.num_frames, modality='Pose',
                       start_index=results.get('start_index', 0))
        if self.keypoint_score is not None:
            results['keypoint_score'] = self.keypoint_score
        if self.img_shape is not None:
            results['img_shape'] = tuple(self.img_shape)
            results.setdefault('original_shape', tuple(self.img_shape))
        if self.label is not None:
            results['label'] = self.label
        return results

    def window(self, start: int, end: int) -> 'SkeletonSample':
        """Frames ``[start, end)`` as a sample of their own."""
        sub = SkeletonSample(
            name=f'{self.name}[{start}:{end}]', keypoint=self.keypoint[:, start:end],
            keypoint_score=(None if self.keypoint_score is None
                            else self.keypoint_score[:, start:end]),
            source=self.source, img_shape=self.img_shape, label=self.label,
            extra={k: v for k, v in self.extra.items() if k != 'total_frames'})
        return sub


# --------------------------------------------------------------------------------- helpers
def _as_float32(path: str, array, what: str) -> np.ndarray:
    try:
        out = np.asarray(array, dtype=np.float32)
    except (TypeError, ValueError):
        raise InputError(path, f'{what} is not an array of numbers') from None
    if not np.isfinite(out).all():
        idx = np.argwhere(~np.isfinite(out))[0].tolist()
        raise InputError(path, f'{what} holds NaN or inf (first at index {idx})')
    return out


def trim_padding(sample: SkeletonSample) -> SkeletonSample:
    """Drop all-zero persons (keeping one) and trailing all-zero frames (fixed-length padding)."""
    kp = sample.keypoint
    persons = np.flatnonzero(np.abs(kp).reshape(kp.shape[0], -1).sum(-1) > 0)
    if len(persons) == 0:
        raise InputError(sample.source, f'{sample.name}: every coordinate is zero')
    if len(persons) < kp.shape[0]:
        sample.notes.append(f'dropped {kp.shape[0] - len(persons)} all-zero person(s)')
        sample.keypoint = kp = kp[persons]
        if sample.keypoint_score is not None:
            sample.keypoint_score = sample.keypoint_score[persons]
    frames = np.flatnonzero(np.abs(kp).sum(axis=(0, 2, 3)) > 0)
    last = int(frames[-1]) + 1
    if last < kp.shape[1]:
        sample.notes.append(f'dropped {kp.shape[1] - last} trailing all-zero frames '
                            f'(padding): {last} of {kp.shape[1]} frames kept')
        sample.keypoint = kp[:, :last]
        if sample.keypoint_score is not None:
            sample.keypoint_score = sample.keypoint_score[:, :last]
    return sample


def _check_joints(path: str, name: str, V: int, num_joints: Optional[int],
                  layout_name: Optional[str]) -> None:
    if num_joints is not None and V != num_joints:
        raise InputError(path, f'{name}: {V} joints per person, but the model\'s layout '
                               f'{layout_name!r} has {num_joints}')


# ------------------------------------------------------------------------------------ NTU
def _data_prep():
    """The NTU reader of ``data_prep`` (the repository's data preparation package)."""
    try:
        from data_prep import ntu_denoise, ntu_skeleton
    except ImportError as err:
        raise ImportError('reading NTU .skeleton files uses data_prep/ of the sfhead_mm source '
                          'checkout (the parser that builds the training pickles); run from '
                          f'the repository or put it on PYTHONPATH ({err})') from None
    return ntu_skeleton, ntu_denoise


def read_ntu(path: str) -> SkeletonSample:
    """NTU RGB+D ``.skeleton`` (or txt2npy ``.skeleton.npy``) -> ``(M<=2, T, 25, 3)``.

    Parsing and actor selection are ``data_prep``'s, so a file gives the same array here as in
    the pickle ``python -m data_prep.ntu`` writes.
    """
    ntu_skeleton, ntu_denoise = _data_prep()
    try:
        raw = ntu_skeleton.read_any(path)
        keypoint, notes = ntu_denoise.denoise(raw)
    except ValueError as err:  # data_prep's SampleError: "<file>:<line>: <message>"
        message = str(err)
        if message.startswith(path):
            message = message[len(path):].lstrip(':')
            if message.split(':', 1)[0].isdigit():  # keep the line number readable
                line, _, rest = message.partition(':')
                message = f'line {line}:{rest}'
        raise InputError(path, message.strip()) from None
    except OSError as err:
        raise InputError(path, f'cannot read: {err.strerror or err}') from None
    name = osp.basename(path)
    for suffix in ('.skeleton.npy', '.skeleton', '.npy'):
        if name.endswith(suffix):
            name = name[:-len(suffix)]
            break
    label = None
    if len(name) >= 20 and name[-4] == 'A' and name[-3:].isdigit():
        label = int(name[-3:]) - 1  # SsssCcccPpppRrrrAaaa: action id, 1-based
    return SkeletonSample(name=name, keypoint=keypoint, source=path, label=label,
                          img_shape=(1080, 1920), notes=list(notes))


# -------------------------------------------------------------------------------- NW-UCLA
def read_nwucla_json(path: str, data: Mapping) -> SkeletonSample:
    """NW-UCLA json ``{file_name, skeletons: T x V x 3[, label]}`` -> ``(1, T, V, 3)``."""
    frames = data['skeletons']
    if not isinstance(frames, list) or not frames:
        raise InputError(path, '"skeletons" is empty; expected T frames of V [x, y, z] joints')
    try:
        xyz = np.asarray(frames, dtype=np.float32)
    except (TypeError, ValueError):
        xyz = None
    if xyz is None or xyz.ndim != 3 or xyz.shape[-1] != 3:
        for t, frame in enumerate(frames):  # name the first frame that breaks the shape
            if not isinstance(frame, list) or len(frame) != len(frames[0]) or any(
                    not isinstance(j, list) or len(j) != 3 for j in frame):
                raise InputError(path, f'skeletons[{t}] is not a list of {len(frames[0])} '
                                       f'[x, y, z] joints')
        raise InputError(path, '"skeletons" is not a T x V x 3 array of numbers')
    xyz = _as_float32(path, xyz, '"skeletons"')
    name = str(data.get('file_name') or osp.splitext(osp.basename(path))[0])
    label = data.get('label')
    # The json release's labels are 1-based (CTR-GCN's convention).
    label = int(label) - 1 if isinstance(label, int) and label >= 1 else None
    return SkeletonSample(name=name, keypoint=xyz[None], source=path, label=label,
                          img_shape=(480, 640))


# --------------------------------------------------------------------------------- MMPose
def _mmpose_frames(path: str, data) -> Tuple[List[list], Optional[Tuple[int, int]]]:
    """Per-frame instance lists, and the image shape when the file gives one."""
    img_shape = None
    if isinstance(data, Mapping):
        for key in ('img_shape', 'image_size'):
            if key in data and len(data[key]) == 2:
                img_shape = tuple(int(v) for v in data[key])
        meta = data.get('meta_info') or {}
        if img_shape is None and isinstance(meta, Mapping) and 'img_shape' in meta:
            img_shape = tuple(int(v) for v in meta['img_shape'][:2])
        for key in ('instance_info', 'predictions', 'frames'):
            if key in data:
                data = data[key]
                break
        else:
            raise InputError(path, 'a json object without "skeletons" (NW-UCLA) or '
                                   '"instance_info" / "predictions" (MMPose)')
    if not isinstance(data, list) or not data:
        raise InputError(path, 'expected a non-empty list of frames')
    frames = []
    for t, frame in enumerate(data):
        if isinstance(frame, Mapping) and 'instances' in frame:
            frame = frame['instances']
        if not isinstance(frame, list):
            raise InputError(path, f'frame {t}: expected {{"instances": [...]}} or a list of '
                                   f'instances, got {type(frame).__name__}')
        frames.append(frame)
    return frames, img_shape


def read_mmpose_json(path: str, data, max_persons: Optional[int] = None) -> SkeletonSample:
    """MMPose per-frame results -> ``keypoint (M, T, V, 2)`` and ``keypoint_score (M, T, V)``.

    MMPose does not track people: in every frame the instances are ranked by mean keypoint
    score (the most confident first), and rank ``m`` becomes person ``m``. Frames without
    instances stay zero. ``keypoints`` given as ``[x, y, score]`` triples are split.

    Args:
        path (str): The json file.
        data: Its parsed content.
        max_persons (int, optional): Keep at most this many persons.
    """
    frames, img_shape = _mmpose_frames(path, data)
    per_frame = []
    V = None
    for t, instances in enumerate(frames):
        ranked = []
        for i, inst in enumerate(instances):
            where = f'frame {t}, instance {i}'
            if not isinstance(inst, Mapping) or 'keypoints' not in inst:
                raise InputError(path, f'{where}: no "keypoints"')
            kp = _as_float32(path, inst['keypoints'], f'{where}: "keypoints"')
            if kp.ndim != 2 or kp.shape[1] not in (2, 3):
                raise InputError(path, f'{where}: "keypoints" has shape {kp.shape}; expected '
                                       f'(V, 2) or (V, 3)')
            if kp.shape[1] == 3 and 'keypoint_scores' not in inst:
                kp, score = kp[:, :2], kp[:, 2]
            else:
                kp = kp[:, :2]
                score = _as_float32(path, inst.get('keypoint_scores', np.ones(len(kp))),
                                    f'{where}: "keypoint_scores"').reshape(-1)
            if len(score) != len(kp):
                raise InputError(path, f'{where}: {len(kp)} keypoints but {len(score)} '
                                       f'keypoint_scores')
            if V is None:
                V = len(kp)
            elif len(kp) != V:
                raise InputError(path, f'{where}: {len(kp)} keypoints, earlier instances '
                                       f'have {V}')
            ranked.append((float(score.mean()), kp, score))
        ranked.sort(key=lambda r: -r[0])
        per_frame.append(ranked)
    if V is None:
        raise InputError(path, 'no instance in any frame')
    M = max(len(r) for r in per_frame)
    if max_persons is not None:
        M = min(M, max_persons)
    T = len(per_frame)
    keypoint = np.zeros((M, T, V, 2), dtype=np.float32)
    score = np.zeros((M, T, V), dtype=np.float32)
    for t, ranked in enumerate(per_frame):
        for m, (_, kp, sc) in enumerate(ranked[:M]):
            keypoint[m, t], score[m, t] = kp, sc
    name = osp.splitext(osp.basename(path))[0]
    return SkeletonSample(name=name, keypoint=keypoint, keypoint_score=score, source=path,
                          img_shape=img_shape)


def read_json(path: str, max_persons: Optional[int] = None) -> SkeletonSample:
    """NW-UCLA or MMPose json, told apart by their keys."""
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except json.JSONDecodeError as err:
        raise InputError(path, f'line {err.lineno}: invalid json ({err.msg})') from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(path, f'cannot read: {err}') from None
    if isinstance(data, Mapping) and 'skeletons' in data:
        return read_nwucla_json(path, data)
    return read_mmpose_json(path, data, max_persons)


# ----------------------------------------------------------------------------------- .npy
def _orient(path: str, arr: np.ndarray, order: str, channels: Optional[int]) -> np.ndarray:
    """``(M, T, V, C)`` from a 4-d array in ``order`` (``'auto'``: decide from its shape)."""
    if order == 'MTVC':
        return arr
    if order == 'CTVM':
        return arr.transpose(3, 1, 2, 0)
    plausible = (2, 3, 4) if channels is None else (channels, )
    mtvc, ctvm = arr.shape[-1] in plausible, arr.shape[0] in plausible
    if mtvc and ctvm and channels is None and arr.shape[0] != arr.shape[-1]:
        # (3, T, V, 2): 3 coordinates and 2 persons is the common CTR-GCN / PaddleVideo layout
        mtvc, ctvm = arr.shape[-1] > arr.shape[0], arr.shape[0] > arr.shape[-1]
    if mtvc and not ctvm:
        return arr
    if ctvm and not mtvc:
        return arr.transpose(3, 1, 2, 0)
    expect = f'C={channels} coordinates' if channels else 'C in 2..4 coordinates'
    raise InputError(path, f'cannot tell (M, T, V, C) from (C, T, V, M) for shape {arr.shape} '
                           f'({expect}); pass npy_order="MTVC" or "CTVM" (--npy-order)')


def read_npy(path: str, order: str = 'auto', channels: Optional[int] = None
             ) -> List[SkeletonSample]:
    """A ``.npy`` array (or the NTU txt2npy dict) -> samples.

    Args:
        path (str): The file.
        order (str): ``'auto'``, ``'MTVC'`` or ``'CTVM'`` for 4-d (and 5-d batched) arrays.
        channels (int, optional): Coordinates per joint the model reads (2 or 3); settles
            ``'auto'`` for shapes such as ``(3, T, V, 2)`` vs ``(2, T, V, 3)``.
    """
    if order not in NPY_ORDERS:
        raise ValueError(f'npy order {order!r}; choose one of {NPY_ORDERS}')
    try:
        arr = np.load(path, allow_pickle=False)
    except ValueError as err:
        if 'allow_pickle' in str(err):  # an object array: the NTU txt2npy dict
            return [read_ntu(path)]
        raise InputError(path, f'not a .npy array: {err}') from None
    except OSError as err:
        raise InputError(path, f'cannot read: {err}') from None
    stem = osp.splitext(osp.basename(path))[0]
    if arr.ndim == 3:  # (T, V, C): one person
        batch = arr[None, None]
    elif arr.ndim == 4:
        batch = arr[None]
    elif arr.ndim == 5:
        batch = arr
    else:
        raise InputError(path, f'array of shape {arr.shape}; expected (M, T, V, C), '
                               f'(C, T, V, M), (T, V, C) or a batch (N, ...) of them')
    samples = []
    for i, item in enumerate(batch):
        kp = _orient(path, item, order if arr.ndim > 3 else 'MTVC', channels)
        kp = _as_float32(path, kp, 'the array')
        name = stem if len(batch) == 1 else f'{stem}_{i}'
        samples.append(trim_padding(SkeletonSample(name=name, keypoint=kp, source=path)))
    return samples


# -------------------------------------------------------------------------------- pickles
def _sample_from_annotation(path: str, ann, index: int) -> SkeletonSample:
    if not isinstance(ann, Mapping):
        raise InputError(path, f'sample #{index} is a {type(ann).__name__}, not a dict')
    name = ann.get('frame_dir', ann.get('filename', f'{osp.basename(path)}#{index}'))
    if 'keypoint' not in ann:
        raise InputError(path, f'sample {name!r}: missing key "keypoint"')
    kp = ann['keypoint']
    if not isinstance(kp, np.ndarray) or kp.ndim != 4:
        raise InputError(path, f'sample {name!r}: keypoint has shape '
                               f'{getattr(kp, "shape", None)}; expected (M, T, V, C)')
    extra = {k: v for k, v in ann.items()
             if k not in ('keypoint', 'keypoint_score', 'frame_dir', 'label', 'img_shape')}
    label = ann.get('label')
    return SkeletonSample(name=str(name), keypoint=kp, keypoint_score=ann.get('keypoint_score'),
                          source=path, img_shape=ann.get('img_shape'),
                          label=None if label is None else int(label), extra=extra)


def read_pose_pickle(path: str, split: Optional[str] = None,
                     names: Optional[Sequence[str]] = None) -> List[SkeletonSample]:
    """Samples of a PoseDataset pickle (1.x dict, 0.x list or one sample dict).

    Args:
        path (str): The pickle.
        split (str, optional): Only the samples of this split (1.x files).
        names (Sequence[str], optional): Only these ``frame_dir`` names, in this order.
    """
    try:
        with open(path, 'rb') as f:
            data = pickle.load(f)
    except OSError as err:
        raise InputError(path, f'cannot read: {err}') from None
    except Exception as err:
        raise InputError(path, f'not a readable pickle ({type(err).__name__}: {err})') from None
    if isinstance(data, Mapping) and 'keypoint' in data:
        annotations = [data]
    elif isinstance(data, Mapping) and 'annotations' in data:
        annotations = data['annotations']
    elif isinstance(data, list):
        annotations = data
    else:
        raise InputError(path, 'expected a PoseDataset pickle ({"split", "annotations"}, a list '
                               'of samples, or one sample dict)')
    if split is not None:
        splits = data.get('split') if isinstance(data, Mapping) else None
        if not isinstance(splits, Mapping) or split not in splits:
            have = sorted(splits) if isinstance(splits, Mapping) else 'none'
            raise InputError(path, f'no split {split!r}; splits in the file: {have}')
        keep = set(splits[split])
        annotations = [a for a in annotations
                       if isinstance(a, Mapping) and a.get('frame_dir') in keep]
    samples = [_sample_from_annotation(path, a, i) for i, a in enumerate(annotations)]
    if names:
        by_name = {s.name: s for s in samples}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise InputError(path, f'no sample named {missing[:3]} '
                                   f'({len(missing)} missing of {len(names)})')
        samples = [by_name[n] for n in names]
    if not samples:
        raise InputError(path, 'no sample selected')
    return samples


# ------------------------------------------------------------------------------- dispatch
def read_skeleton_file(path: str, *, num_joints: Optional[int] = None,
                       layout_name: Optional[str] = None, channels: Optional[int] = None,
                       npy_order: str = 'auto', split: Optional[str] = None,
                       names: Optional[Sequence[str]] = None,
                       max_persons: Optional[int] = None) -> List[SkeletonSample]:
    """Read any supported file into samples (see the module docstring for the formats).

    Args:
        path (str): The input file.
        num_joints (int, optional): V the model expects; a file with another V is refused.
        layout_name (str, optional): The model's layout, for that message.
        channels (int, optional): Coordinates per joint the model reads (for ``.npy``).
        npy_order (str): ``'auto'``, ``'MTVC'`` or ``'CTVM'``.
        split (str, optional): For pickles: only this split.
        names (Sequence[str], optional): For pickles: only these samples.
        max_persons (int, optional): For MMPose json: keep at most this many persons.

    Raises:
        InputError: Unreadable, unknown or inconsistent input, naming the file.
    """
    if not osp.isfile(path):
        raise InputError(path, 'no such file')
    lower = path.lower()
    if lower.endswith('.skeleton') or lower.endswith('.skeleton.npy'):
        samples = [read_ntu(path)]
    elif lower.endswith('.npy'):
        samples = read_npy(path, npy_order, channels)
    elif lower.endswith(('.pkl', '.pickle')):
        samples = read_pose_pickle(path, split, names)
    elif lower.endswith('.json'):
        samples = [read_json(path, max_persons)]
    else:
        raise InputError(path, 'unknown input format; expected .skeleton (NTU), .json (NW-UCLA '
                               'or MMPose), .npy (M, T, V, C) / (C, T, V, M) or .pkl '
                               '(PoseDataset)')
    for s in samples:
        _check_joints(path, s.name, s.keypoint.shape[2], num_joints, layout_name)
    return samples
