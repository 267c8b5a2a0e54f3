"""Multi-stream score fusion (joint, bone, joint-motion, bone-motion), joined by sample id.

Score files written by separate test runs need not list the samples in the same order (a
distributed run, a different sampler, a re-sorted split): joining them by position silently
mixes samples (a known pitfall, 2s-AGCN issue #10). Here every file must carry the sample id
(``frame_dir``, which ``tools/test.py --dump`` records) and the streams are joined on it.

Default weights are those of CTR-GCN's ``ensemble.py`` (Uason-Chen/CTR-GCN): joint 0.6,
bone 0.6, joint-motion 0.4, bone-motion 0.4 with three or four streams; with two streams
``joint + alpha * bone`` with ``alpha = 1``, i.e. equal weights. The scores are fused as the
files hold them: CTR-GCN saves logits, MMAction2's ``GCNHead`` dumps probabilities (its default
``average_clips='prob'``: softmax, averaged over clips). ``apply_softmax`` turns raw scores
(``average_clips=None``/``'score'``) into probabilities first, so that all streams agree.
"""
from collections import OrderedDict
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import numpy as np

from .result_files import ResultFile

#: Stream names in CTR-GCN's order, with their weight when three or four streams are fused.
STREAM_WEIGHTS = OrderedDict([('joint', 0.6), ('bone', 0.6), ('joint_motion', 0.4),
                              ('bone_motion', 0.4)])


def default_weights(streams: Sequence[str]) -> List[float]:
    """CTR-GCN's weights for the given streams (names from :data:`STREAM_WEIGHTS`)."""
    for s in streams:
        if s not in STREAM_WEIGHTS:
            raise ValueError(f'no default weight for stream {s!r} (known: '
                             f'{", ".join(STREAM_WEIGHTS)}); give the weights explicitly')
    if len(streams) <= 2:
        return [1.0] * len(streams)
    return [STREAM_WEIGHTS[s] for s in streams]


@dataclass
class JoinedScores:
    """Streams aligned on the same samples.

    Args:
        ids (list[str]): Sample ids, in the first stream's order.
        labels (np.ndarray): (N,) true labels.
        scores (dict[str, np.ndarray]): Stream name -> (N, C) scores, rows in ``ids`` order.
    """
    ids: List[str]
    labels: np.ndarray
    scores: Dict[str, np.ndarray]


def join_by_id(streams: Dict[str, ResultFile], by_position: bool = False) -> JoinedScores:
    """Align the streams' samples by ``frame_dir``.

    Args:
        streams (dict[str, ResultFile]): Stream name -> loaded dump (with per-sample scores).
        by_position (bool): Trust the files' order instead of ids (only when ids are missing;
            the lengths and the labels must still agree position by position).

    Raises:
        ValueError: Missing ids, duplicated ids, different sample sets (naming some missing
            ids), labels that disagree for a sample, or different numbers of classes.
    """
    if not streams:
        raise ValueError('no score file to fuse')
    names = list(streams)
    first = streams[names[0]]
    for name, res in streams.items():
        res.require_samples('score fusion')
        if res.num_classes != first.num_classes:
            raise ValueError(f'{res.path} ({name}) has {res.num_classes} classes, '
                             f'{first.path} ({names[0]}) has {first.num_classes}')
    if by_position:
        return _join_by_position(streams)
    for name, res in streams.items():
        if res.ids is None:
            raise ValueError(
                f'{res.path} ({name}) has no sample ids ("frame_dir"): re-dump it with this '
                f"package's tools/test.py --dump (it records them), or pass --join-by-position "
                f'if you are sure every file lists the samples in the same order')
        seen = set()
        for sid in res.ids:
            if sid in seen:
                raise ValueError(f'{res.path} ({name}) lists sample {sid!r} twice')
            seen.add(sid)
    ids = list(first.ids)
    ref = set(ids)
    for name, res in streams.items():
        ids_here = set(res.ids)
        if ids_here != ref:
            missing, extra = sorted(ref - ids_here), sorted(ids_here - ref)
            raise ValueError(
                f'{res.path} ({name}) does not hold the samples of {first.path}: '
                f'{len(missing)} missing (e.g. {missing[:3]}), {len(extra)} extra '
                f'(e.g. {extra[:3]})')
    labels = first.labels
    scores = {}
    for name, res in streams.items():
        row = {sid: i for i, sid in enumerate(res.ids)}
        order = np.fromiter((row[sid] for sid in ids), dtype=np.int64, count=len(ids))
        bad = np.flatnonzero(res.labels[order] != labels)
        if bad.size:
            i = int(bad[0])
            raise ValueError(f'sample {ids[i]!r} has label {int(res.labels[order][i])} in '
                             f'{res.path} ({name}) but {int(labels[i])} in {first.path}')
        scores[name] = res.scores[order]
    return JoinedScores(ids, labels.copy(), scores)


def _join_by_position(streams: Dict[str, ResultFile]) -> JoinedScores:
    names = list(streams)
    first = streams[names[0]]
    for name, res in streams.items():
        if res.labels.shape != first.labels.shape:
            raise ValueError(f'{res.path} ({name}) has {res.labels.size} samples, '
                             f'{first.path} {first.labels.size}: cannot join by position')
        bad = np.flatnonzero(res.labels != first.labels)
        if bad.size:
            raise ValueError(f'position {int(bad[0])}: label {int(res.labels[bad[0]])} in '
                             f'{res.path} but {int(first.labels[bad[0]])} in {first.path}: '
                             f'the files are not in the same order')
    ids = first.ids or [str(i) for i in range(first.labels.size)]
    return JoinedScores(list(ids), first.labels.copy(),
                        {n: r.scores for n, r in streams.items()})


def looks_like_probabilities(scores: np.ndarray) -> bool:
    """Every row non-negative and summing to 1 (a softmax output)."""
    return bool((scores >= 0).all() and np.allclose(scores.sum(axis=1), 1.0, atol=1e-4))


def softmax(scores: np.ndarray) -> np.ndarray:
    z = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fuse(joined: JoinedScores, weights: Optional[Sequence[float]] = None,
         apply_softmax: bool = False) -> np.ndarray:
    """Weighted sum of the streams' scores, (N, C). ``weights`` in the streams' order.

    The sum is MMAction2's ``get_weighted_score`` (``mmaction.evaluation.functional``).
    """
    from mmaction.evaluation.functional import get_weighted_score
    names = list(joined.scores)
    if weights is None:
        weights = default_weights(names)
    if len(weights) != len(names):
        raise ValueError(f'{len(weights)} weights for {len(names)} streams ({", ".join(names)})')
    scores = [softmax(joined.scores[n]) if apply_softmax else joined.scores[n] for n in names]
    return np.stack(get_weighted_score(scores, [float(w) for w in weights]))


def topk_accuracy(scores: np.ndarray, labels: np.ndarray, k: int = 1) -> float:
    """Share of samples whose label is among the ``k`` highest scores.

    MMAction2's ``top_k_accuracy`` (what ``AccMetric`` reports as ``acc/top1``), so fused
    numbers compare with ``tools/test.py``'s.
    """
    from mmaction.evaluation.functional import top_k_accuracy
    k = min(k, scores.shape[1])
    return float(top_k_accuracy(scores, np.asarray(labels).reshape(-1), (k, ))[0])
