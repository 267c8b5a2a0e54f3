"""How well a skeleton layout fits recorded joints: do its bones behave like bones?

Two measures, per sample, for a layout's ``edges`` read as bones:

- ``bone_ratio``: the median bone length over the median distance between any two joints. Bones
  join neighbouring joints, so with the right layout this is small (0.31 on NTU RGB+D, 0.40 on
  NW-UCLA recordings); a layout read over joints in another order joins arbitrary joints and
  gives about 1 (0.92-1.01 for random joint orders of the same recordings).
- ``cv``: the median over bones of the coefficient of variation (std / mean over time) of the
  bone's length. Bones keep their length while the body moves; a pair of joints that is not a
  bone changes its distance. Clear on clean data (a recording of MSR Action3D gave 0.011 with its
  own order, 0.098 read as NW-UCLA, issue 20) but dominated by tracking noise on Kinect data
  (NW-UCLA: 0.127 right, 0.126-0.146 for random orders), hence ranked second.

Layouts are ranked by ``bone_ratio``, then ``cv``. The NTU / NW-UCLA numbers above come from
``python tools/analysis/layout_fit.py`` on /work/shared/data (docs/custom_dataset.md gives the
commands). Light: numpy and :mod:`.layout` only.

    from sfhead_mm.skeleton.fit import rank_layouts, layout_fit_warning
    rank_layouts([sample['keypoint'] for sample in samples], declared='nw-ucla')
"""
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple

import numpy as np

from .layout import LayoutSpec, SkeletonLayout, get_layout, list_layouts

#: Another layout is named when its bone_ratio is at most this fraction of the declared one's.
BETTER_FIT_RATIO = 0.7
#: A declared layout whose bone_ratio reaches this joins arbitrary joints (right ones: 0.3-0.4;
#: random joint orders: 0.9-1.0).
MAX_BONE_RATIO = 0.7


def _as_mtvc(keypoint) -> np.ndarray:
    kp = np.asarray(keypoint, dtype=np.float64)
    if kp.ndim == 3:  # (T, V, C): one person
        kp = kp[None]
    if kp.ndim != 4:
        raise ValueError(f'keypoint must be (M, T, V, C) or (T, V, C), got shape {kp.shape}')
    return kp


def _pair_stats(kp: np.ndarray):
    """Per person: mean and CV over time of every joint pair's distance, ``(V, V)`` each."""
    out = []
    for x in kp:
        present = np.any(x != 0, axis=-1)  # (T, V)
        x = x[np.all(present, axis=1)]  # frames with every joint tracked
        if len(x) < 2:
            continue
        dist = np.linalg.norm(x[:, :, None] - x[:, None], axis=-1)  # (T, V, V)
        mean, std = dist.mean(0), dist.std(0)
        out.append((mean, np.where(mean > 0, std / np.maximum(mean, 1e-12), 0.)))
    return out


def layout_scores(keypoint, layout: LayoutSpec) -> Tuple[float, float]:
    """``(bone_ratio, cv)`` of one sample under ``layout`` (see the module docstring).

    Args:
        keypoint (np.ndarray): ``(M, T, V, C)`` or ``(T, V, C)`` coordinates (2D or 3D, no
            score). Persons and frames with untracked (all-zero) joints are left out.

    Returns:
        tuple[float, float]: NaNs when no person has 2 fully tracked frames.
    """
    layout = get_layout(layout)
    kp = _as_mtvc(keypoint)
    if kp.shape[2] != layout.num_joints:
        raise ValueError(f'keypoint has {kp.shape[2]} joints, layout {layout.name!r} has '
                         f'{layout.num_joints}')
    edges = np.asarray(layout.edges, dtype=np.int64).reshape(-1, 2)
    stats = _pair_stats(kp)
    if not stats or not len(edges):
        return float('nan'), float('nan')
    iu = np.triu_indices(kp.shape[2], 1)
    ratios, cvs = [], []
    for mean, cv in stats:
        all_pairs = np.median(mean[iu])
        if all_pairs > 0:
            ratios.append(np.median(mean[edges[:, 0], edges[:, 1]]) / all_pairs)
        cvs.append(np.median(cv[edges[:, 0], edges[:, 1]]))
    return (float(np.median(ratios)) if ratios else float('nan'), float(np.median(cvs)))


def bone_length_cv(keypoint, layout: LayoutSpec) -> float:
    """Median over the layout's bones of the coefficient of variation of their length."""
    return layout_scores(keypoint, layout)[1]


@dataclass(frozen=True)
class LayoutFit:
    """A layout's scores on some recordings (medians over the samples)."""
    layout: str
    bone_ratio: float
    cv: float
    num_samples: int

    def __str__(self) -> str:
        return f'{self.layout}: bone/joint-distance {self.bone_ratio:.2f}, length CV {self.cv:.3f}'


def candidate_layouts(num_joints: int, declared: Optional[LayoutSpec] = None
                      ) -> List[SkeletonLayout]:
    """Registered layouts with ``num_joints`` joints (the declared one first, each once)."""
    found = []
    if declared is not None:
        found.append(get_layout(declared))
    for name in list_layouts():
        layout = get_layout(name)
        if layout.num_joints == num_joints and all(layout != f for f in found):
            found.append(layout)
    return found


def rank_layouts(keypoints: Iterable, declared: Optional[LayoutSpec] = None,
                 candidates: Optional[Sequence[LayoutSpec]] = None) -> List[LayoutFit]:
    """Score layouts on recordings, best (most stable bone lengths) first.

    Args:
        keypoints: ``(M, T, V, C)`` arrays (samples' ``keypoint``), all with the same ``V``.
        declared: The layout a config or the user names; always scored.
        candidates: Layouts to compare (default: every registered one with the same ``V``).
    """
    keypoints = [_as_mtvc(k) for k in keypoints]
    if not keypoints:
        return []
    V = keypoints[0].shape[2]
    layouts = ([get_layout(c) for c in candidates] if candidates is not None else
               candidate_layouts(V, declared))
    if declared is not None and all(get_layout(declared) != lay for lay in layouts):
        layouts.insert(0, get_layout(declared))
    fits = []
    for layout in layouts:
        if layout.num_joints != V:
            continue
        scores = np.array([layout_scores(k, layout) for k in keypoints if k.shape[2] == V])
        scores = scores[np.all(np.isfinite(scores), axis=1)] if len(scores) else scores
        if len(scores):
            fits.append(LayoutFit(layout.name, float(np.median(scores[:, 0])),
                                  float(np.median(scores[:, 1])), len(scores)))
    return sorted(fits, key=lambda f: (f.bone_ratio, f.cv))


def layout_fit_warning(keypoints: Iterable, declared: LayoutSpec, source: str = 'the data',
                       candidates: Optional[Sequence[LayoutSpec]] = None) -> Optional[str]:
    """One line when the declared layout does not fit the recordings, else None: another
    registered layout of the same size fits clearly better, or its bones join joints as far
    apart as arbitrary pairs (the joint order is not the layout's). ``candidates``: the layouts
    to compare with (default: every registered one of the same size)."""
    declared = get_layout(declared)
    fits = rank_layouts(keypoints, declared, candidates)
    mine = next((f for f in fits if f.layout == declared.name), None)
    if mine is None:
        return None
    best = fits[0]
    listing = '; '.join(str(f) for f in fits)
    if best.layout != declared.name and best.bone_ratio <= BETTER_FIT_RATIO * mine.bone_ratio:
        return (f'{source} fits layout {best.layout!r} better than the declared '
                f'{declared.name!r} ({listing}; medians of {mine.num_samples} sample(s): a '
                f'right layout gives short, stable bones). A wrong layout trains and tests '
                f'without an error, through the wrong graph: check the joint order')
    if mine.bone_ratio >= MAX_BONE_RATIO:
        return (f'{source} does not look like layout {declared.name!r}: its bones are as long '
                f'as the distance between arbitrary joints ({listing}; the right layout gives '
                f'about 0.3-0.4), so the joints are probably in another order. Declare the '
                f"file's own joint order as a layout (docs/layouts.md)")
    return None
