"""Drawing a skeleton frame from its layout: bones from ``edges``, sides from ``left``/``right``.

Only geometry and colours live here; :mod:`sfhead_mm.apis.visualize` turns frames into GIF,
MP4 or PNG files. matplotlib is imported by the caller (any backend; the tools use Agg).
"""
from typing import Dict, List, Optional, Sequence

import numpy as np

from .layout import SkeletonLayout

#: Colours of the body's left side, right side and middle (matplotlib's tab10).
SIDE_COLOURS = {'left': '#1f77b4', 'right': '#d62728', 'middle': '#555555'}
#: Views of 3D data: which coordinates go to the horizontal and vertical axis.
VIEWS = {'xy': (0, 1), 'xz': (0, 2), 'zy': (2, 1)}


def joint_sides(layout: SkeletonLayout) -> List[str]:
    """``'left'``, ``'right'`` or ``'middle'`` for every joint."""
    sides = ['middle'] * layout.num_joints
    for j in layout.left:
        sides[j] = 'left'
    for j in layout.right:
        sides[j] = 'right'
    return sides


def edge_colours(layout: SkeletonLayout) -> List[str]:
    """Colour of every edge: the side of its child joint (the one further from the centre)."""
    sides = joint_sides(layout)
    return [SIDE_COLOURS[sides[child]] for child, _ in layout.edges]


def project(frame: np.ndarray, view: str) -> np.ndarray:
    """``(V, C)`` coordinates -> ``(V, 2)`` plot coordinates for the given view."""
    if frame.shape[-1] == 2 or view == 'image':
        return frame[..., :2]
    if view not in VIEWS:
        raise ValueError(f'unknown view {view!r}; choose one of {sorted(VIEWS)} or "image"')
    h, v = VIEWS[view]
    return frame[..., [h, v]]


def plot_limits(points: np.ndarray, margin: float = 0.08) -> Dict[str, tuple]:
    """Axis limits holding every non-zero point of ``(..., 2)``, with a margin, equal aspect."""
    flat = points.reshape(-1, 2)
    flat = flat[np.abs(flat).sum(-1) > 0]
    if not len(flat):
        return dict(xlim=(-1, 1), ylim=(-1, 1))
    lo, hi = flat.min(0), flat.max(0)
    centre, half = (lo + hi) / 2, max(float((hi - lo).max()) / 2, 1e-3) * (1 + margin)
    return dict(xlim=(centre[0] - half, centre[0] + half),
                ylim=(centre[1] - half, centre[1] + half))


def draw_frame(ax, persons: np.ndarray, layout: SkeletonLayout,
               scores: Optional[np.ndarray] = None, score_thr: float = 0.0,
               linewidth: float = 2.0, joint_size: float = 10.0) -> None:
    """Draw one frame of every person on ``ax``.

    Args:
        ax (matplotlib.axes.Axes): Target axes.
        persons (np.ndarray): ``(M, V, 2)`` projected coordinates.
        layout (SkeletonLayout): The layout (edges, sides).
        scores (np.ndarray, optional): ``(M, V)`` keypoint scores; joints at or below
            ``score_thr`` are not drawn, nor their bones.
        score_thr (float): Threshold on ``scores``.
        linewidth (float): Bone line width.
        joint_size (float): Joint marker size.
    """
    colours = edge_colours(layout)
    sides = joint_sides(layout)
    joint_colours = [SIDE_COLOURS[s] for s in sides]
    for m, pts in enumerate(persons):
        present = np.abs(pts).sum(-1) > 0
        if scores is not None:
            present &= scores[m] > score_thr
        if not present.any():
            continue
        for (a, b), colour in zip(layout.edges, colours):
            if present[a] and present[b]:
                ax.plot(pts[[a, b], 0], pts[[a, b], 1], color=colour, linewidth=linewidth,
                        solid_capstyle='round')
        idx = np.flatnonzero(present)
        ax.scatter(pts[idx, 0], pts[idx, 1], s=joint_size,
                   c=[joint_colours[i] for i in idx], zorder=3)


def side_legend(ax, names: Sequence[str] = ('left', 'right')) -> None:
    """A small legend naming the side colours."""
    from matplotlib.lines import Line2D
    handles = [Line2D([0], [0], color=SIDE_COLOURS[n], lw=2, label=n) for n in names]
    ax.legend(handles=handles, loc='lower right', fontsize=7, frameon=False)
