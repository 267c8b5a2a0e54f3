"""HD-GCN's hierarchically decomposed graph (HD-Graph), built from any registered layout.

HD-GCN (Lee et al., ICCV 2023) sorts the joints into *levels* by their hop distance from a chosen
centre-of-mass joint (CoM) and connects every joint of one level with every joint of the next.
Layer ``l`` of the graph (``l = 0 .. L-1``, ``L = levels - 1``) has three subsets:

* identity on the joints of levels ``l`` and ``l + 1``;
* forward edges from every joint of level ``l`` to every joint of level ``l + 1``;
* reverse edges from every joint of level ``l + 1`` to every joint of level ``l``;

the two directed subsets normalised by out-degree (column-normalised, as the authors'
``normalize_digraph``), so ``A[l, s] @ x`` averages over the sources.

The authors write one table of levels per CoM (Jho-Yonsei/HD-GCN ``graph/tools.py::get_groups``;
NW-UCLA's tables are in their compiled ``tools`` module only). Every one of those tables is the
breadth-first levels of the skeleton tree from the CoM, with the levels beyond the seventh merged
into the seventh (that cap only changes NTU CoM 1, whose hand tips would be an eighth level). So
``max_levels=7`` and a CoM reproduce the authors' graph for NTU-25 (CoM 1, 2, 21) and NW-UCLA
(CoM 1, 2, 3) and give the same construction for any other registered layout.

CoM numbers in the HD-GCN repository are 1-based joint numbers; here a CoM is a joint *name* of the
layout or a 0-based index (NTU's CoM 21 is ``'spine_shoulder'``, index 20).
"""
from typing import List, Optional, Sequence, Union

import numpy as np

from ...skeleton import SkeletonLayout, get_layout

JointRef = Union[int, str]

#: The authors' cap on the number of levels (all their tables have at most 7).
DEFAULT_MAX_LEVELS = 7


def resolve_joint(layout: SkeletonLayout, joint: Optional[JointRef]) -> int:
    """0-based index of ``joint`` (a name or an index) in ``layout``; ``None`` is its centre."""
    if joint is None:
        return layout.center
    if isinstance(joint, str):
        if joint not in layout.joints:
            raise KeyError(f'HD-Graph: layout {layout.name!r} has no joint named {joint!r}; '
                           f'joints: {list(layout.joints)}')
        return layout.joints.index(joint)
    if isinstance(joint, (int, np.integer)) and not isinstance(joint, bool):
        if not 0 <= joint < layout.num_joints:
            raise ValueError(f'HD-Graph: com={joint} is outside 0..{layout.num_joints - 1} for '
                             f'layout {layout.name!r} (0-based; the HD-GCN repository numbers '
                             f'joints from 1)')
        return int(joint)
    raise TypeError(f'HD-Graph: com must be a joint name, a 0-based index or None, '
                    f'got {joint!r}')


def hierarchy_levels(layout: Union[str, SkeletonLayout, dict], com: Optional[JointRef] = None,
                     max_levels: Optional[int] = DEFAULT_MAX_LEVELS) -> List[List[int]]:
    """Joints grouped by hop distance from the CoM (level 0 is the CoM alone).

    Args:
        layout (str | dict | SkeletonLayout): A registered layout name, a layout dict or a layout.
        com (int | str, optional): Centre-of-mass joint, by name or 0-based index.
            Defaults to the layout's ``center``.
        max_levels (int, optional): Levels beyond this many are merged into the last one (the
            authors' tables use 7). ``None`` keeps every level.

    Returns:
        list[list[int]]: Sorted 0-based joint indices per level.
    """
    layout = get_layout(layout)
    root = resolve_joint(layout, com)
    hops = layout.hop_distance()[root]
    if (hops < 0).any():  # registered layouts are connected; a raw dict may not be
        raise ValueError(f'HD-Graph: joints {np.flatnonzero(hops < 0).tolist()} of layout '
                         f'{layout.name!r} are not connected to the CoM joint {root}')
    if max_levels is not None:
        if max_levels < 2:
            raise ValueError(f'HD-Graph: max_levels={max_levels}; at least 2 levels are needed')
        hops = np.minimum(hops, max_levels - 1)
    levels = [np.flatnonzero(hops == h).tolist() for h in range(int(hops.max()) + 1)]
    if len(levels) < 2:
        raise ValueError(f'HD-Graph: layout {layout.name!r} has a single joint; a hierarchy '
                         f'needs at least two levels')
    return levels


def _column_normalised(edges: Sequence, num_joints: int) -> np.ndarray:
    """``A[dst, src] = 1 / out_degree(src)`` for each directed ``(src, dst)`` edge."""
    A = np.zeros((num_joints, num_joints), dtype=np.float64)
    for src, dst in edges:
        A[dst, src] = 1
    degree = A.sum(0)
    return A / np.where(degree > 0, degree, 1)[None]


def hierarchical_adjacency(levels: Sequence[Sequence[int]], num_joints: int) -> np.ndarray:
    """The HD-Graph ``(L, 3, V, V)``: identity, forward and reverse subsets per layer.

    Args:
        levels (Sequence[Sequence[int]]): Joints per level, from :func:`hierarchy_levels`.
        num_joints (int): V.

    Returns:
        np.ndarray: float32 array, ``L = len(levels) - 1``; ``A[l, s] @ x`` aggregates the
        sources of subset ``s`` of layer ``l`` into each joint.
    """
    layers = []
    for upper, lower in zip(levels[:-1], levels[1:]):
        identity = np.zeros((num_joints, num_joints))
        identity[list(upper) + list(lower), list(upper) + list(lower)] = 1
        forward = _column_normalised([(j, k) for j in upper for k in lower], num_joints)
        reverse = _column_normalised([(k, j) for j in upper for k in lower], num_joints)
        layers.append(np.stack([identity, forward, reverse]))
    return np.stack(layers).astype(np.float32)


class HierarchicalGraph:
    """The HD-Graph of a layout for one CoM choice.

    Args:
        layout (str | dict | SkeletonLayout): Layout name (``'nturgb+d'``, ``'nw-ucla'``, any
            registered one) or a layout dict. Defaults to 'nturgb+d'.
        com (int | str, optional): Centre-of-mass joint by name or 0-based index; defaults to the
            layout's centre (NTU: ``spine_shoulder``, the authors' CoM 21).
        max_levels (int, optional): See :func:`hierarchy_levels`. Defaults to 7.
        mode (str): Only ``'spatial'`` (the authors' ``labeling_mode``); accepted so that a
            ``graph_cfg`` inherited from a stock MMAction2 config works unchanged.

    Attributes:
        A (np.ndarray): ``(L, 3, V, V)`` adjacency (:func:`hierarchical_adjacency`).
        levels (list[list[int]]): Joints per level.
        layers (list[list[int]]): Joints of each layer (levels ``l`` and ``l + 1``), which the
            attention-guided hierarchy aggregation pools.
    """

    def __init__(self, layout='nturgb+d', com: Optional[JointRef] = None,
                 max_levels: Optional[int] = DEFAULT_MAX_LEVELS, mode: str = 'spatial'):
        if mode != 'spatial':
            raise ValueError(f'HD-Graph: mode={mode!r} is not supported; HD-GCN uses '
                             f'"spatial" (its hierarchy replaces the partition strategies)')
        self.layout = get_layout(layout)
        self.com = resolve_joint(self.layout, com)
        self.levels = hierarchy_levels(self.layout, self.com, max_levels)
        self.layers = [a + b for a, b in zip(self.levels[:-1], self.levels[1:])]
        self.A = hierarchical_adjacency(self.levels, self.layout.num_joints)

    @property
    def num_layers(self) -> int:
        return self.A.shape[0]

    @property
    def num_joints(self) -> int:
        return self.layout.num_joints

    def __repr__(self) -> str:
        names = self.layout.joints
        return (f'{type(self).__name__}(layout={self.layout.name!r}, '
                f'com={names[self.com]!r}, levels={self.levels})')
