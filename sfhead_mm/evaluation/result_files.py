"""Read evaluation results back: ``tools/test.py --dump`` pickles and the group metric's JSON.

Two kinds of file, one loader (:func:`load_results`):

* a dump pickle (``.pkl``/``.pickle``): the list of per-sample dicts that MMAction2's
  ``DumpResults`` writes, each with ``pred_score`` (C,), ``gt_label`` and, when written by this
  package's ``tools/test.py``, the sample id ``frame_dir``. Per-sample scores: usable for score
  fusion, confusion matrices, per-class accuracy.
* a JSON report written by :class:`~sfhead_mm.evaluation.AmbiguousGroupMetric`
  (``save_json=True``): the full confusion matrix and per-class accuracies, no per-sample scores.

Unpickling runs code from the file: load only result files you trust.
"""
import json
import os.path as osp
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

from ..utils.safe_pickle import PickleReadError, load_pickle
from .functional.group_accuracy import class_accuracy, confusion_matrix

#: ``format`` value of the metric's JSON report (bumped if its layout ever changes).
REPORT_FORMAT = 'sfhead_mm.ambiguous_group_report/1'


@dataclass
class ResultFile:
    """Results of one evaluation.

    Args:
        path (str): Where they were read from.
        confusion (np.ndarray): (C, C) counts, rows are the true classes.
        labels (np.ndarray, optional): (N,) true labels (dump pickles only).
        scores (np.ndarray, optional): (N, C) class scores as dumped (dump pickles only).
        ids (list[str], optional): (N,) sample ids (``frame_dir``), when the dump has them.
        class_names (list[str], optional): As recorded in a JSON report.
    """
    path: str
    confusion: np.ndarray
    labels: Optional[np.ndarray] = None
    scores: Optional[np.ndarray] = None
    ids: Optional[List[str]] = None
    class_names: Optional[List[str]] = None

    @property
    def num_classes(self) -> int:
        return int(self.confusion.shape[0])

    @property
    def num_samples(self) -> int:
        return int(self.confusion.sum())

    def class_accuracy(self) -> Tuple[np.ndarray, np.ndarray]:
        """Per-class accuracy (``nan`` = absent) and support."""
        return class_accuracy(self.confusion)

    def require_samples(self, what: str) -> None:
        if self.scores is None:
            raise ValueError(f'{self.path}: {what} needs per-sample scores; a JSON report has '
                             f'only the confusion matrix (use the `tools/test.py --dump` pickle)')


def load_results(path: str) -> ResultFile:
    """Load a dump pickle or a JSON report (see the module docstring); errors name the file."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'result file {path!r} does not exist')
    if path.endswith('.json'):
        return _load_report(path)
    if path.endswith(('.pkl', '.pickle')):
        return _load_dump(path)
    raise ValueError(f'{path}: unknown result file type (expected a `tools/test.py --dump` '
                     f'.pkl or a .json report of AmbiguousGroupMetric)')


def _load_report(path: str) -> ResultFile:
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f'{path}: not valid JSON ({e})') from None
    if not isinstance(data, dict) or 'confusion_matrix' not in data:
        raise ValueError(f'{path}: not a report of AmbiguousGroupMetric (no "confusion_matrix")')
    cm = np.asarray(data['confusion_matrix'], dtype=np.int64)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f'{path}: "confusion_matrix" must be square, got shape {cm.shape}')
    return ResultFile(path, cm, class_names=data.get('class_names'))


def _to_numpy(value) -> np.ndarray:
    if hasattr(value, 'detach'):  # a torch tensor, without importing torch here
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _load_dump(path: str) -> ResultFile:
    # The restricted unpickler: a result file holds containers, numbers, numpy arrays and torch
    # tensors (MMAction2's DumpResults); anything else is refused (UnsafePickleError, one line).
    try:
        records = load_pickle(path, tensors=True)
    except PickleReadError as e:  # a truncated or foreign file: say which one
        raise ValueError(str(e)) from None
    if not isinstance(records, (list, tuple)) or not records:
        raise ValueError(f'{path}: expected a non-empty list of per-sample results (the file '
                         f'`tools/test.py --dump` writes), got {type(records).__name__}')
    scores, labels, ids = [], [], []
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise ValueError(f'{path}: sample {i} is a {type(rec).__name__}, not a dict')
        for key in ('pred_score', 'gt_label'):
            if key not in rec:
                raise ValueError(f'{path}: sample {i} has no {key!r} (keys: {sorted(rec)})')
        if isinstance(rec['pred_score'], dict):
            raise ValueError(f'{path}: sample {i} has several score streams '
                             f'({sorted(rec["pred_score"])}); only single-stream results are '
                             f'supported')
        score = _to_numpy(rec['pred_score']).astype(np.float64).reshape(-1)
        label = _to_numpy(rec['gt_label']).reshape(-1)
        if label.size != 1:
            raise ValueError(f'{path}: sample {i} has {label.size} labels; multi-label results '
                             f'are not supported')
        if scores and score.size != scores[0].size:
            raise ValueError(f'{path}: sample {i} has {score.size} class scores, sample 0 has '
                             f'{scores[0].size}')
        scores.append(score)
        labels.append(int(label[0]))
        ids.append(rec.get('frame_dir'))
    have = [x is not None for x in ids]
    if any(have) and not all(have):
        raise ValueError(f'{path}: sample {have.index(False)} has no "frame_dir" while others '
                         f'do')
    score_arr = np.stack(scores)
    label_arr = np.asarray(labels, dtype=np.int64)
    num_classes = score_arr.shape[1]
    try:
        cm = confusion_matrix(label_arr, score_arr.argmax(1), num_classes)
    except ValueError as e:
        raise ValueError(f'{path}: {e}') from None
    return ResultFile(path, cm, labels=label_arr, scores=score_arr,
                      ids=[str(x) for x in ids] if all(have) else None)
