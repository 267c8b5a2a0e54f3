"""Per-class and per-group accuracy from a confusion matrix (plain numpy, no framework).

Conventions shared by the metric and the analysis tools:

* ``cm[i, j]`` counts samples of true class ``i`` predicted as ``j`` (rows: truth).
* A class with no sample in the evaluated split is *absent*: its accuracy is ``nan`` here
  (``null`` in JSON, "absent" in tables) and it is left out of every mean.
* A group's accuracy is the mean of its present members' per-class accuracies (each class
  weighs the same, as in the SF-Head and FR-Head papers); its confusion rate is the share of its
  samples predicted as *another member of the same group*.
"""
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple

import numpy as np

#: FR-Head's difficulty levels by a reference model's per-class accuracy.
DIFFICULTY_LEVELS = ('hard', 'medium', 'easy')


def confusion_matrix(labels: Sequence[int], preds: Sequence[int], num_classes: int) -> np.ndarray:
    """Count matrix of shape (num_classes, num_classes), int64; rows are the true classes.

    Not ``mmaction.evaluation.functional.confusion_matrix``: that one keeps only the labels that
    occur, so a class absent from a test split shifts every row and column after it.
    """
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    preds = np.asarray(preds, dtype=np.int64).reshape(-1)
    if labels.shape != preds.shape:
        raise ValueError(f'{labels.size} labels but {preds.size} predictions')
    for what, arr in (('label', labels), ('prediction', preds)):
        bad = np.flatnonzero((arr < 0) | (arr >= num_classes))
        if bad.size:
            raise ValueError(f'sample {int(bad[0])} has {what} {int(arr[bad[0]])}, outside '
                             f'0..{num_classes - 1}')
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (labels, preds), 1)
    return cm


def class_accuracy(cm: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Per-class accuracy (``nan`` for absent classes) and support (samples per class)."""
    support = cm.sum(axis=1)
    with np.errstate(invalid='ignore', divide='ignore'):
        acc = np.where(support > 0, np.diag(cm) / np.maximum(support, 1), np.nan)
    return acc.astype(np.float64), support


def nanmean(values: Iterable[float]) -> float:
    """Mean of the non-nan values; ``nan`` when there are none (no warning)."""
    vals = [float(v) for v in values if not np.isnan(v)]
    return float(np.mean(vals)) if vals else float('nan')


def group_stats(cm: np.ndarray, classes: Sequence[int]) -> Dict:
    """Statistics of one group.

    Returns:
        dict: ``accuracy`` (per member, nan if absent), ``support`` (per member),
        ``mean_acc`` (mean over present members), ``confusion_rate`` (share of the group's
        samples predicted as another member), ``samples``, ``correct``, ``within_group``
        (count of those confusions), ``absent`` (members without samples).
    """
    classes = [int(c) for c in classes]
    acc, support = class_accuracy(cm)
    sub = cm[np.ix_(classes, classes)]
    samples = int(support[classes].sum())
    correct = int(np.trace(sub))
    within = int(sub.sum() - np.trace(sub))
    return dict(
        classes=classes,
        accuracy=[float(acc[c]) for c in classes],
        support=[int(support[c]) for c in classes],
        mean_acc=nanmean(acc[c] for c in classes),
        confusion_rate=within / samples if samples else float('nan'),
        samples=samples, correct=correct, within_group=within,
        absent=[c for c in classes if support[c] == 0])


def groups_summary(cm: np.ndarray, groups: Sequence[Tuple[str, Sequence[int]]]) -> Dict:
    """Every group's :func:`group_stats` plus the summary over all groups.

    Returns:
        dict: ``groups`` (name -> stats), ``group_mean`` (mean over groups that have a present
        member of their mean accuracy), ``top1`` (accuracy over every sample whose true class is
        in some group), ``confusion`` (share of those samples predicted as another member of a
        group of their class), ``samples``, ``absent`` (group classes without samples).
    """
    per_group = {name: group_stats(cm, classes) for name, classes in groups}
    members: Dict[int, set] = {}
    for _, classes in groups:
        for c in classes:
            members.setdefault(int(c), set()).update(int(o) for o in classes if o != c)
    union = sorted(members)
    support = cm.sum(axis=1)
    samples = int(support[union].sum()) if union else 0
    correct = int(sum(cm[c, c] for c in union))
    confused = int(sum(cm[c, sorted(o)].sum() for c, o in members.items() if o))
    return dict(
        groups=per_group,
        group_mean=nanmean(g['mean_acc'] for g in per_group.values()),
        top1=correct / samples if samples else float('nan'),
        confusion=confused / samples if samples else float('nan'),
        samples=samples,
        absent=[c for c in union if support[c] == 0])


def difficulty_levels(reference_acc: Sequence[float],
                      thresholds: Tuple[float, float] = (0.7, 0.9)) -> Dict[str, List[int]]:
    """FR-Head's split of the classes by a reference model's per-class accuracy.

    ``hard``: accuracy < low; ``medium``: low <= accuracy <= high; ``easy``: accuracy > high.
    Classes whose reference accuracy is ``nan`` (absent there) belong to no level.
    """
    low, high = thresholds
    if not 0 <= low <= high <= 1:
        raise ValueError(f'difficulty thresholds {thresholds} must satisfy 0 <= low <= high <= 1')
    levels: Dict[str, List[int]] = {k: [] for k in DIFFICULTY_LEVELS}
    for c, a in enumerate(reference_acc):
        if a is None or np.isnan(a):
            continue
        levels['hard' if a < low else 'easy' if a > high else 'medium'].append(c)
    return levels


def data_driven_groups(cm: np.ndarray, anchors: Iterable[int], k: int = 3) -> List[List[int]]:
    """FR-Head's data-driven groups: each anchor plus the ``k`` classes its samples are most
    often predicted as (ties broken by the lower class index; only classes that received at
    least one of its samples, so a group can be smaller than ``k + 1``).
    """
    if k < 1:
        raise ValueError(f'k must be >= 1, got {k}')
    out = []
    for a in anchors:
        row = cm[int(a)].astype(np.int64).copy()
        row[int(a)] = 0
        order = sorted((c for c in np.flatnonzero(row)), key=lambda c: (-row[c], c))
        out.append([int(a)] + [int(c) for c in order[:k]])
    return out


def mean_accuracy_of(acc: np.ndarray, classes: Iterable[int]) -> float:
    """Mean per-class accuracy over ``classes`` (absent ones left out)."""
    return nanmean(acc[int(c)] for c in classes)


def as_json_number(value: float):
    """``nan`` -> ``None`` (JSON ``null``), everything else a plain float."""
    return None if value is None or np.isnan(value) else float(value)


def json_list(values: Iterable[float]) -> List:
    return [as_json_number(v) for v in values]


def mapping_to_json(stats: Mapping) -> Dict:
    """A stats dict with every float made JSON-safe (nan -> null)."""
    out = {}
    for key, val in stats.items():
        if isinstance(val, float):
            out[key] = as_json_number(val)
        elif isinstance(val, list) and val and isinstance(val[0], float):
            out[key] = json_list(val)
        else:
            out[key] = val
    return out
