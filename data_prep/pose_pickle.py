"""The converters' side of the ``PoseDataset`` annotation format.

The format itself (load, split selection, per-sample validation, writing) has one owner,
:mod:`sfhead_mm.formats.annotation`; this module only adapts it to the converters: samples are
made with :func:`make_annotation`, every sample is validated where it is made (a bad one becomes
an error of its input file, never an abort of the run), and :func:`build_pose_pickle` assembles
the checked samples and splits.
"""
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from sfhead_mm.formats import annotation
from sfhead_mm.formats.annotation import SampleRules


def make_annotation(frame_dir: str, label: int, keypoint: np.ndarray,
                    img_shape: Tuple[int, int],
                    keypoint_score: Optional[np.ndarray] = None) -> dict:
    """One ``PoseDataset`` sample (``keypoint`` as contiguous float32).

    Args:
        frame_dir (str): Unique sample name (what ``split`` lists refer to).
        label (int): 0-based class index.
        keypoint (np.ndarray): ``(M, T, V, C)`` joint coordinates (C = 3 for 3D, 2 for pixels).
        img_shape (tuple[int, int]): ``(height, width)`` of the sensor's colour image; only 2D
            pipelines use it, it is stored for completeness.
        keypoint_score (np.ndarray, optional): ``(M, T, V)`` confidences of 2D keypoints.
    """
    return annotation.make_sample(frame_dir, label, keypoint, img_shape=img_shape,
                                  keypoint_score=keypoint_score)


def converter_rules(num_joints: Optional[int] = None,
                    num_classes: Optional[int] = None) -> SampleRules:
    """What every converted sample must satisfy: the layout's joints, the labels, float32."""
    return SampleRules(num_joints=num_joints, joints_source='the layout',
                       num_classes=num_classes, num_classes_key='the dataset\'s classes',
                       dtype='float32')


def sample_problems(ann: Mapping, rules: SampleRules) -> List[str]:
    """Problems of one sample as short messages (empty when it is fit for ``PoseDataset``)."""
    _, problems = annotation.check_sample(ann, 0, rules)
    return [f'{p.key}: {p.message}' for p in problems]


def build_pose_pickle(annotations: Sequence[dict], split: Mapping[str, Sequence[str]],
                      num_joints: Optional[int] = None, num_classes: Optional[int] = None,
                      path: str = '<new annotations>') -> dict:
    """Check every sample and every split, and return the ``PoseDataset`` dict.

    Samples are checked by :func:`sfhead_mm.formats.annotation.check_samples` (unique names
    included); every split member must be a sample. An empty split is allowed (a subset of a
    dataset may have no sample of one split); :func:`empty_splits` names them.

    Raises:
        AnnotationError: One line with the first problems (the runner has already removed the
            samples with problems, so this means a bug, not bad input).
    """
    problems, _, _ = annotation.check_samples(
        annotations, converter_rules(num_joints, num_classes), path)
    if problems:
        raise annotation.AnnotationError(path, annotation.problems_line(problems))
    names = {a['frame_dir'] for a in annotations}
    for split_name, members in split.items():
        unknown = [m for m in members if m not in names]
        if unknown:
            raise annotation.AnnotationError(
                path, f'split {split_name!r} lists {len(unknown)} samples with no annotation, '
                      f'e.g. {unknown[:3]}')
    return dict(split={k: list(v) for k, v in split.items()}, annotations=list(annotations))


def empty_splits(data: Mapping) -> List[str]:
    """Names of the splits without a sample."""
    return [k for k, v in data['split'].items() if not v]


def class_histogram(labels: Sequence[int], num_classes: int) -> List[int]:
    """Samples per class, ``num_classes`` long."""
    return np.bincount(np.asarray(labels, dtype=np.int64), minlength=num_classes).tolist()


def split_summary(data: Mapping, num_classes: int) -> Dict[str, dict]:
    """Per split: number of samples and class histogram."""
    label_of = {a['frame_dir']: a['label'] for a in data['annotations']}
    out = {}
    for name, members in data['split'].items():
        out[name] = dict(count=len(members),
                         histogram=class_histogram([label_of[m] for m in members],
                                                   num_classes))
    return out
