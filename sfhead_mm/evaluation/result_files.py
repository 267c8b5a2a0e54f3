"""Read evaluation results back: ``tools/test.py --dump`` files and the group metric's JSON.

Three kinds of file, one loader (:func:`load_results`):

* a score file (``.json`` with ``"format": "sfhead_mm.scores/1"``): per-sample ids, labels and
  class scores as plain JSON, written by :func:`save_scores` (``tools/test.py --dump x.json``,
  the :class:`~sfhead_mm.evaluation.DumpScores` metric). Loading it runs no code, and it is
  about a tenth of the dump pickle's size: the file to keep, share or publish.
* a dump pickle (``.pkl``/``.pickle``): the list of per-sample dicts that MMAction2's
  ``DumpResults`` writes, each with ``pred_score`` (C,), ``gt_label`` and, when written by this
  package's ``tools/test.py``, the sample id ``frame_dir``. Read with a restricted unpickler
  (containers, numbers, arrays and tensors only).
* a JSON report written by :class:`~sfhead_mm.evaluation.AmbiguousGroupMetric`
  (``save_json=True``): the full confusion matrix and per-class accuracies, no per-sample scores.

The first two have per-sample scores: usable for score fusion, paired comparisons, confusion
matrices, per-class accuracy.
"""
import json
import os.path as osp
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

from ..utils.atomic_write import write_text
from ..utils.safe_pickle import PickleReadError, load_pickle
from .functional.group_accuracy import class_accuracy, confusion_matrix

#: ``format`` value of the metric's JSON report (bumped if its layout ever changes).
REPORT_FORMAT = 'sfhead_mm.ambiguous_group_report/1'
#: ``format`` value of a score file (:func:`save_scores`).
SCORES_FORMAT = 'sfhead_mm.scores/1'
#: A run's per-sample score files in the order :func:`run_scores` looks for them: the score file
#: ``tools/test.py --dump scores.json`` writes, then the dump pickle of runs made before it.
RUN_SCORE_FILES = ('scores.json', 'predictions.pkl')


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


def run_scores(run_dir: str) -> Optional[str]:
    """The path of a run's per-sample scores in ``run_dir`` (:data:`RUN_SCORE_FILES`, first
    found), or None when it has none."""
    for name in RUN_SCORE_FILES:
        if osp.isfile(osp.join(run_dir, name)):
            return osp.join(run_dir, name)
    return None


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
    fmt = data.get('format') if isinstance(data, dict) else None
    if isinstance(fmt, str) and fmt.startswith(SCORES_FORMAT.split('/')[0] + '/'):
        if fmt != SCORES_FORMAT:
            raise ValueError(f'{path}: score file format {fmt!r}; this version reads '
                             f'{SCORES_FORMAT!r}')
        return _load_scores(path, data)
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


def _float_text(value: float, single: bool) -> str:
    """Shortest digits that give ``value`` back: as a float32 with ``single``, else a float64;
    ``null`` (JSON has no NaN) for a non-finite value."""
    if not np.isfinite(value):
        return 'null'
    return str(np.float32(value)) if single else repr(float(value))


def save_scores(path: str, scores, labels, ids: Optional[List[str]] = None) -> str:
    """Write a score file (see the module docstring), atomically; returns ``path``.

    Args:
        path (str): Output ``.json`` file.
        scores: (N, C) class scores. Values that are float32 numbers (what MMAction2 dumps) are
            written with the shortest digits that give the same float32 back, others as float64:
            exact either way, one sample a line. A non-finite score (a diverged model) is
            written as ``null`` and read back as NaN.
        labels: (N,) true labels in ``0..C-1``.
        ids (list[str], optional): (N,) sample ids (``frame_dir``), to join files by sample.
    """
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels).reshape(-1)
    if scores.ndim != 2 or scores.shape[0] == 0 or scores.shape[0] != labels.size:
        raise ValueError(f'{path}: scores must be (N, C) with one label per row, got scores '
                         f'{scores.shape} and {labels.size} labels')
    if ids is not None and len(ids) != labels.size:
        raise ValueError(f'{path}: {len(ids)} ids for {labels.size} samples')
    try:  # labels in range
        confusion_matrix(labels, labels, scores.shape[1])
    except ValueError as e:
        raise ValueError(f'{path}: {e}') from None
    single = bool(np.array_equal(scores.astype(np.float32).astype(np.float64), scores,
                                 equal_nan=True))
    head = dict(format=SCORES_FORMAT, dtype='float32' if single else 'float64',
                num_classes=int(scores.shape[1]),
                ids=None if ids is None else [str(x) for x in ids],
                labels=[int(x) for x in labels])
    rows = ',\n'.join('[' + ', '.join(_float_text(v, single) for v in row) + ']'
                      for row in scores)
    text = json.dumps(head, ensure_ascii=False)[:-1] + ', "scores": [\n' + rows + ']}\n'
    return write_text(path, text)


def _load_scores(path: str, data: dict) -> ResultFile:
    dtype = data.get('dtype', 'float64')
    if dtype not in ('float32', 'float64'):
        raise ValueError(f'{path}: "dtype" must be "float32" or "float64", got {dtype!r}')
    try:
        # float32 digits are the shortest for the float32 value: parsed back through float32
        scores = np.asarray(data['scores'], dtype=dtype).astype(np.float64)
        labels = np.asarray(data['labels'])
    except KeyError as e:
        raise ValueError(f'{path}: score file without {e.args[0]!r}') from None
    except (TypeError, ValueError):
        raise ValueError(f'{path}: "scores" must be a list of rows of numbers, all of one '
                         f'length') from None
    num_classes = data.get('num_classes')
    if scores.ndim != 2 or scores.shape[0] != labels.size or scores.shape[0] == 0 or (
            num_classes is not None and scores.shape[1] != num_classes):
        raise ValueError(f'{path}: "scores" is {scores.shape} for {labels.size} labels and '
                         f'{num_classes} classes')
    if labels.dtype.kind not in 'iu':
        raise ValueError(f'{path}: "labels" must be integers')
    ids = data.get('ids')
    if ids is not None and len(ids) != labels.size:
        raise ValueError(f'{path}: {len(ids)} ids for {labels.size} samples')
    try:
        cm = confusion_matrix(labels, scores.argmax(1), scores.shape[1])
    except ValueError as e:
        raise ValueError(f'{path}: {e}') from None
    return ResultFile(path, cm, labels=labels.astype(np.int64), scores=scores,
                      ids=None if ids is None else [str(x) for x in ids])
