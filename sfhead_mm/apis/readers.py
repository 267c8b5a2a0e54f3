"""Skeleton inputs for inference: every format read into one sample type.

The parsers are :mod:`sfhead_mm.formats`' (the ones the converters of ``data_prep`` use, so a file
gives the same arrays here as in a training pickle); this module picks the parser by the file and
wraps the result as a :class:`SkeletonSample`. Formats (see :func:`read_skeleton_file`):

* NTU RGB+D ``.skeleton`` text, and the authors' txt2npy ``.skeleton.npy`` dict: parsed and cleaned
  (the same parser and actor selection that build the training pickles);
* NW-UCLA json ``{file_name, skeletons: T x V x 3, ...}``;
* ``.npy`` arrays ``(M, T, V, C)`` or ``(C, T, V, M)`` (a leading ``N`` reads ``N`` samples;
  ``(T, V, C)`` is one person); trailing all-zero frames (padding to a fixed length) and
  all-zero persons are dropped;
* PoseDataset pickles: the 1.x ``{'split', 'annotations'}`` dict, the 0.x list, or one sample
  dict; all samples, one split, or named samples; samples are passed on as stored;
* MMPose json: per-frame instances with ``keypoints`` / ``keypoint_scores`` (the
  ``instance_info`` list that MMPose's demos save, a plain list of frames, or a list of
  per-frame instance lists).

Every problem is an :class:`InputError` (the formats' :class:`~sfhead_mm.formats.FormatError`):
one line naming the file (and line, sample or key); ``err.record`` holds the parts.
"""
import os.path as osp
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..formats import mmpose as mmpose_format
from ..formats import npy as npy_format
from ..formats import ntu as ntu_format
from ..formats import nwucla as nwucla_format
from ..formats.errors import FormatError
from ..formats.json_io import load_json
from ..formats.npy import NPY_ORDERS

#: The error of every reader: the formats' error (``str()`` one line, ``.record`` its parts).
InputError = FormatError


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
def trim_padding(sample: SkeletonSample) -> SkeletonSample:
    """Drop all-zero persons (keeping one) and trailing all-zero frames (fixed-length padding)."""
    sample.keypoint, sample.keypoint_score, notes = npy_format.trim_padding(
        sample.source, sample.name, sample.keypoint, sample.keypoint_score)
    sample.notes.extend(notes)
    return sample


def _check_joints(path: str, name: str, V: int, num_joints: Optional[int],
                  layout_name: Optional[str]) -> None:
    if num_joints is not None and V != num_joints:
        raise InputError(path, f'{name}: {V} joints per person, but the model\'s layout '
                               f'{layout_name!r} has {num_joints}')


# ------------------------------------------------------------------------------------ NTU
def read_ntu(path: str) -> SkeletonSample:
    """NTU RGB+D ``.skeleton`` (or txt2npy ``.skeleton.npy``) -> ``(M<=2, T, 25, 3)``.

    Parsing and actor selection are :mod:`sfhead_mm.formats.ntu` /
    :mod:`~sfhead_mm.formats.ntu_denoise`, the converter's, so a file gives the same array here as
    in the pickle ``python -m data_prep.ntu`` writes.
    """
    from ..formats.ntu_denoise import read_actors
    keypoint, notes = read_actors(path)
    name = ntu_format.sample_name_from_path(path)
    label = None
    if len(name) >= 20 and name[-4] == 'A' and name[-3:].isdigit():
        label = int(name[-3:]) - 1  # SsssCcccPpppRrrrAaaa: action id, 1-based
    return SkeletonSample(name=name, keypoint=keypoint, source=path, label=label,
                          img_shape=(1080, 1920), notes=list(notes))


# -------------------------------------------------------------------------------- NW-UCLA
def read_nwucla_json(path: str, data: Mapping) -> SkeletonSample:
    """NW-UCLA json ``{file_name, skeletons: T x V x 3[, label]}`` -> ``(1, T, V, 3)``.

    The one NW-UCLA parser and label rule (:mod:`sfhead_mm.formats.nwucla`).
    """
    clip = nwucla_format.parse_nwucla(path, dict(data))
    return SkeletonSample(name=clip.name, keypoint=clip.keypoint, source=path, label=clip.label,
                          img_shape=nwucla_format.KINECT_V1_SHAPE)


# --------------------------------------------------------------------------------- MMPose
def read_mmpose_json(path: str, data, max_persons: Optional[int] = None) -> SkeletonSample:
    """MMPose per-frame results -> ``keypoint (M, T, V, 2)`` and ``keypoint_score (M, T, V)``.

    See :func:`sfhead_mm.formats.mmpose.parse_mmpose` (persons ranked per frame by mean score).
    """
    result = mmpose_format.parse_mmpose(path, data, max_persons)
    name = osp.splitext(osp.basename(path))[0]
    return SkeletonSample(name=name, keypoint=result.keypoint,
                          keypoint_score=result.keypoint_score, source=path,
                          img_shape=result.img_shape)


def read_json(path: str, max_persons: Optional[int] = None) -> SkeletonSample:
    """NW-UCLA or MMPose json, told apart by their keys."""
    data = load_json(path)
    if isinstance(data, Mapping) and 'skeletons' in data:
        return read_nwucla_json(path, data)
    return read_mmpose_json(path, data, max_persons)


# ----------------------------------------------------------------------------------- .npy
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
        arr = npy_format.load_array(path)
    except npy_format.ObjectArrayError:
        return [read_ntu(path)]  # an object array: the NTU txt2npy dict
    stem = osp.splitext(osp.basename(path))[0]
    items = npy_format.split_samples(path, arr, order, channels)
    samples = []
    for i, kp in enumerate(items):
        name = stem if len(items) == 1 else f'{stem}_{i}'
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

    Reading, split and name selection are :mod:`sfhead_mm.formats.annotation`'s (the owner of the
    format; the file is read with the restricted unpickler: nothing in it can execute).

    Args:
        path (str): The pickle.
        split (str, optional): Only the samples of this split (1.x files).
        names (Sequence[str], optional): Only these ``frame_dir`` names, in this order.
    """
    from ..formats import annotation
    try:
        data = annotation.read_annotation_file(path)
        selected = annotation.samples_of(data, path, split=split, names=names)
    except annotation.AnnotationError as err:
        raise InputError(path, err.reason) from None
    return [_sample_from_annotation(path, a, i) for i, a in enumerate(selected)]


# ------------------------------------------------------------------------------- dispatch
SUFFIXES = ('.skeleton', '.skeleton.npy', '.npy', '.pkl', '.pickle', '.json')


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
        InputError: Unreadable, unknown or inconsistent input, naming the file (a folder: "is a
            directory").
    """
    path = str(path)
    if osp.isdir(path):
        raise InputError(path, 'is a directory; give the files in it (tools/infer.py expands '
                               'folders)')
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
