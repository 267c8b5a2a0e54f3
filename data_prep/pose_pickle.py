"""The MMAction2 ``PoseDataset`` annotation format, built and checked in one place.

``{'split': {name: [frame_dir, ...]}, 'annotations': [{frame_dir, label, img_shape,
original_shape, total_frames, keypoint (M, T, V, C) float32}]}`` is what MMAction2 1.x's
``PoseDataset`` reads (the 0.x list-only format fails there with ``list indices must be
integers``). Every converter goes through :func:`make_annotation` and :func:`build_pose_pickle`,
so a malformed sample is caught here with its name, not at training time.
"""
from collections import Counter
from typing import Dict, List, Mapping, Sequence, Tuple

import numpy as np


def make_annotation(frame_dir: str, label: int, keypoint: np.ndarray,
                    img_shape: Tuple[int, int]) -> dict:
    """One ``PoseDataset`` sample.

    Args:
        frame_dir (str): Unique sample name (what ``split`` lists refer to).
        label (int): 0-based class index.
        keypoint (np.ndarray): ``(M, T, V, C)`` joint coordinates (C = 3 for 3D).
        img_shape (tuple[int, int]): ``(height, width)`` of the sensor's colour image; only 2D
            pipelines use it, it is stored for completeness.

    Returns:
        dict: The annotation, ``keypoint`` as contiguous float32.
    """
    keypoint = np.ascontiguousarray(keypoint, dtype=np.float32)
    if keypoint.ndim != 4:
        raise ValueError(f'{frame_dir}: keypoint must be (M, T, V, C), got shape '
                         f'{keypoint.shape}')
    return dict(frame_dir=str(frame_dir), label=int(label), img_shape=tuple(img_shape),
                original_shape=tuple(img_shape), total_frames=int(keypoint.shape[1]),
                keypoint=keypoint)


def check_annotation(ann: Mapping, num_joints: int = None, num_classes: int = None) -> None:
    """Raise ValueError naming the sample when an annotation does not fit ``PoseDataset``."""
    name = ann.get('frame_dir', '<no frame_dir>')
    for key in ('frame_dir', 'label', 'img_shape', 'original_shape', 'total_frames',
                'keypoint'):
        if key not in ann:
            raise ValueError(f'sample {name}: missing key {key!r}')
    kp = ann['keypoint']
    if not isinstance(kp, np.ndarray) or kp.dtype != np.float32 or kp.ndim != 4:
        raise ValueError(f'sample {name}: keypoint must be a float32 (M, T, V, C) array, got '
                         f'{type(kp).__name__} {getattr(kp, "dtype", "")} '
                         f'{getattr(kp, "shape", "")}')
    M, T, V, C = kp.shape
    if M < 1 or T < 1:
        raise ValueError(f'sample {name}: empty keypoint array {kp.shape}')
    if ann['total_frames'] != T:
        raise ValueError(f'sample {name}: total_frames={ann["total_frames"]} but keypoint has '
                         f'{T} frames (UniformSampleFrames would fail)')
    if num_joints is not None and V != num_joints:
        raise ValueError(f'sample {name}: {V} joints, the layout has {num_joints}')
    if not np.isfinite(kp).all():
        raise ValueError(f'sample {name}: keypoint holds NaN or inf')
    if num_classes is not None and not 0 <= ann['label'] < num_classes:
        raise ValueError(f'sample {name}: label {ann["label"]} outside 0..{num_classes - 1}')


def build_pose_pickle(annotations: Sequence[dict], split: Mapping[str, Sequence[str]],
                      num_joints: int = None, num_classes: int = None) -> dict:
    """Check every sample and every split, and return the ``PoseDataset`` dict.

    Args:
        annotations (Sequence[dict]): Samples from :func:`make_annotation`.
        split (Mapping[str, Sequence[str]]): Split name -> ``frame_dir`` list.
        num_joints (int, optional): Joints every sample must have.
        num_classes (int, optional): Labels must lie in ``0..num_classes-1``.

    Returns:
        dict: ``{'split': {...}, 'annotations': [...]}``.
    """
    names = Counter(a['frame_dir'] for a in annotations)
    dup = [n for n, c in names.items() if c > 1]
    if dup:
        raise ValueError(f'duplicate frame_dir {dup[:5]} ({len(dup)} in all)')
    for ann in annotations:
        check_annotation(ann, num_joints, num_classes)
    for split_name, members in split.items():
        unknown = [m for m in members if m not in names]
        if unknown:
            raise ValueError(f'split {split_name!r} lists {len(unknown)} samples with no '
                             f'annotation, e.g. {unknown[:3]}')
    return dict(split={k: list(v) for k, v in split.items()}, annotations=list(annotations))


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
