"""Graph inputs of the backbones, derived from the registered skeleton layouts.

One place turns a backbone's ``graph_cfg`` into what its GCN units need, so no backbone carries its
own joint table: the layout (:mod:`sfhead_mm.skeleton`), MMAction2's partitioned adjacency
(``Graph``: its three native layouts by name, every other layout as the dict it accepts), and the
bone-tree ancestor matrices of InfoGCN's relative-position embedding.
"""
from collections.abc import Mapping
from typing import Optional

import numpy as np

from ...skeleton import SkeletonLayout, get_layout


def layout_of(graph_cfg: Mapping, owner: str = 'backbone') -> SkeletonLayout:
    """The :class:`SkeletonLayout` named (or given as a dict) by ``graph_cfg['layout']``.

    Args:
        graph_cfg (dict): A backbone's ``graph_cfg``; only ``layout`` is read.
        owner (str): Who asks, for the error message.
    """
    if not isinstance(graph_cfg, Mapping) or 'layout' not in graph_cfg:
        raise KeyError(f'{owner}: graph_cfg must be a dict with a `layout` key (a registered '
                       f'layout name such as "nturgb+d" or "nw-ucla", or a layout dict), '
                       f'got {graph_cfg!r}')
    try:
        return get_layout(graph_cfg['layout'])
    except KeyError as err:
        raise KeyError(f'{owner}: graph_cfg.layout: {err.args[0]}') from None


GRAPH_EDGES = ('layout', 'bones')
#: The layouts MMAction2's ``Graph`` knows by name (kept on its own code path).
MMACTION_NATIVE = ('openpose', 'nturgb+d', 'coco')


def build_graph(graph_cfg: Mapping, owner: str = 'backbone'):
    """MMAction2's ``Graph(**graph_cfg)``; its ``A`` holds the subsets ``(K, V, V)``.

    ``mode='spatial'`` gives the three subsets of CTR-GCN / 2s-AGCN: identity, inward and outward
    edges, each column-normalised (``A[k] @ x`` averages over the neighbours of the subset).

    Args:
        graph_cfg (dict): ``layout``, ``mode``, ``max_hop`` of ``Graph``, and optionally
            ``edges``: ``'layout'`` (the layout's ``edges``, MMAction2's graph) or ``'bones'``
            (the bone-stream tree ``layout.bones``). They differ on NTU's hands only: the bone tree
            chains hand tip -> thumb -> hand, as the graphs of the CTR-GCN and InfoGCN code bases
            do, where MMAction2 links tip and thumb to the hand. Defaults to ``'layout'``.
        owner (str): Who asks, for error messages.
    """
    from mmaction.models.utils import Graph  # imported late: mmaction.models is heavy
    cfg = dict(graph_cfg)
    edges = cfg.pop('edges', 'layout')
    if edges not in GRAPH_EDGES:
        raise ValueError(f'{owner}: graph_cfg.edges={edges!r}; choose one of {GRAPH_EDGES}')
    if edges == 'bones':
        layout = layout_of(cfg, owner)
        cfg['layout'] = dict(num_node=layout.num_joints, center=layout.center,
                             inward=[(j, ref) for j, ref in layout.bones if j != ref])
    elif not (isinstance(cfg['layout'], str) and cfg['layout'] in MMACTION_NATIVE):
        cfg['layout'] = layout_of(cfg, owner).graph_dict()
    return Graph(**cfg)


def partitioned_adjacency(graph_cfg: Mapping, owner: str = 'backbone') -> np.ndarray:
    """``build_graph(graph_cfg).A`` as float32, shape ``(K, V, V)``."""
    return np.asarray(build_graph(graph_cfg, owner).A, dtype=np.float32)


def bone_tree_parents(layout: SkeletonLayout, root: Optional[int] = None) -> np.ndarray:
    """Parent of every joint on the layout's bone tree rooted at ``root``; -1 for the root.

    The tree is the layout's bone pairs (``layout.bones``, the bone stream's definition) taken as
    undirected edges, so re-rooting changes only the joints on the path to the new root.

    Args:
        layout (SkeletonLayout): The layout.
        root (int, optional): Root joint. Defaults to the layout's normalisation centre (the joint
            that 3D normalisation moves to the origin), else its graph centre.
    """
    V = layout.num_joints
    if root is None:
        root = layout.normalization['center']
    if not 0 <= int(root) < V:
        raise ValueError(f'layout {layout.name!r}: root joint {root} outside 0..{V - 1}')
    neighbours = [[] for _ in range(V)]
    for joint, ref in layout.bones:
        if joint != ref:
            neighbours[joint].append(ref)
            neighbours[ref].append(joint)
    parents = np.full(V, -2, dtype=np.int64)  # -2: not reached yet
    parents[root] = -1
    frontier = [int(root)]
    while frontier:
        nxt = []
        for j in frontier:
            for k in neighbours[j]:
                if parents[k] == -2:
                    parents[k] = j
                    nxt.append(k)
        frontier = nxt
    unreached = np.flatnonzero(parents == -2)
    if unreached.size:
        raise ValueError(f'layout {layout.name!r}: joints {unreached.tolist()} are not connected '
                         f'to joint {root} by the bone pairs')
    return parents


def ancestor_matrix(layout: SkeletonLayout, k: int, root: Optional[int] = None) -> np.ndarray:
    """``P`` with ``P[j, a] = 1`` when ``a`` is the ``k``-th ancestor of ``j``, shape ``(V, V)``.

    ``(I - P) @ x`` gives each joint's position relative to its ``k``-th ancestor on the bone
    tree (joints with fewer than ``k`` ancestors keep their own position): InfoGCN's "k-th mode"
    relative-position representation; ``k = 1`` is the bone vector.

    Args:
        layout (SkeletonLayout): The layout.
        k (int): Number of hops towards the root, >= 1.
        root (int, optional): Root of the tree, see :func:`bone_tree_parents`.
    """
    if int(k) < 1:
        raise ValueError(f'ancestor_matrix: k={k}; k must be >= 1 (k=0 would subtract every '
                         f'joint from itself and zero the input)')
    parents = bone_tree_parents(layout, root)
    V = layout.num_joints
    step = np.zeros((V, V), dtype=np.float32)
    for j, p in enumerate(parents):
        if p >= 0:
            step[j, p] = 1
    return np.linalg.matrix_power(step, int(k)).astype(np.float32)
