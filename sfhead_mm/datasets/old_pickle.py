"""MMAction2 0.x skeleton pickles (one list of samples per split) -> the 1.x PoseDataset format.

0.x wrote one file per split, each a list of sample dicts; 1.x's ``PoseDataset`` reads one file
``{'split': {name: [frame_dir, ...]}, 'annotations': [sample, ...]}`` and fails on the old one
with ``TypeError: list indices must be integers`` (mmaction2 #2800, #2290). The samples themselves
did not change, except that some 0.x files lack ``total_frames``, which is filled in from
``keypoint``.
"""
from collections.abc import Mapping
from typing import Dict, List, Sequence, Tuple

import numpy as np

from ..utils.atomic_write import write_pickle
from .checks import DataCheckError, load_annotation_file


def _same_sample(a: Mapping, b: Mapping) -> bool:
    if set(a) != set(b):
        return False
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray)
                    and x.shape == y.shape and np.array_equal(x, y)):
                return False
        elif x != y:
            return False
    return True


def convert_old_splits(split_files: Sequence[Tuple[str, str]]) -> Dict:
    """Merge 0.x split files into one 1.x annotation dict.

    Args:
        split_files (Sequence[tuple[str, str]]): ``(split name, path)`` pairs, e.g.
            ``[('xsub_train', 'ntu60_xsub_train.pkl'), ('xsub_val', 'ntu60_xsub_val.pkl')]``.
            A sample listed in several files (e.g. the same clip in an x-sub and an x-view
            split) is stored once and named in each split; it must be identical everywhere.

    Returns:
        dict: ``{'split': {...}, 'annotations': [...]}``.

    Raises:
        DataCheckError: A file that is not a 0.x list, a sample without ``frame_dir`` or
            ``keypoint``, two different samples under one name, a split named twice.
    """
    split: Dict[str, List[str]] = {}
    annotations: List[dict] = []
    index: Dict[str, int] = {}
    for name, path in split_files:
        if name in split:
            raise DataCheckError(f'split {name!r} is given twice')
        data = load_annotation_file(path)
        if isinstance(data, Mapping) and 'annotations' in data:
            raise DataCheckError(f'{path}: already in the 1.x format (it has "annotations" and '
                                 f'"split"); nothing to convert')
        if not isinstance(data, list):
            raise DataCheckError(f'{path}: holds a {type(data).__name__}; a 0.x file is a list '
                                 f'of sample dicts')
        members = []
        for i, ann in enumerate(data):
            if not isinstance(ann, Mapping):
                raise DataCheckError(f'{path}: sample #{i} is a {type(ann).__name__}, not a '
                                     f'dict')
            ann = dict(ann)
            key = ann.get('frame_dir', ann.get('filename'))
            if key is None:
                raise DataCheckError(f'{path}: sample #{i} has no frame_dir')
            if 'keypoint' not in ann:
                raise DataCheckError(f'{path}: sample {key!r}: missing key "keypoint"')
            ann.setdefault('total_frames', int(np.shape(ann['keypoint'])[1]))
            if key in index:
                if not _same_sample(annotations[index[key]], ann):
                    raise DataCheckError(f'{path}: sample {key!r} differs from the sample of '
                                         f'the same name in an earlier split file')
            else:
                index[key] = len(annotations)
                annotations.append(ann)
            members.append(key)
        split[name] = members
    return dict(split=split, annotations=annotations)


def write_pickle_atomic(data, path: str) -> str:
    """Pickle ``data`` to ``path`` through a temporary file and a rename."""
    return write_pickle(path, data)
