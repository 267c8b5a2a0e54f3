"""One declarative description per skeleton layout, and the registry that names them.

Everything that depends on the joint layout reads it from a :class:`SkeletonLayout`: the graph of
every backbone (MMAction2's own ``Graph`` through :meth:`SkeletonLayout.graph_dict`), the bone and
motion streams, 3D normalisation, flipping and plotting. A new layout is one ``register_layout``
call (or one dict in a config), not edits in five places.
"""
from dataclasses import dataclass, field, fields
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

Edge = Tuple[int, int]


@dataclass(frozen=True)
class SkeletonLayout:
    """A skeleton layout: joints, bones and the conventions derived from them.

    All indices are 0-based joint indices.

    Args:
        name (str): Registry name, e.g. ``'nturgb+d'`` (MMAction2's own names are kept).
        joints (Sequence[str]): Joint names; ``V = len(joints)``.
        edges (Sequence[tuple[int, int]]): Bones as ``(child, parent)`` pairs, child being the
            joint further from ``center`` (MMAction2's ``inward`` convention).
        center (int): Centre joint of the graph (ST-GCN's spatial partition).
        bone_pairs (Sequence[tuple[int, int]], optional): ``(joint, reference)`` pairs of the
            bone stream (``bone[j] = x[j] - x[ref]``). Defaults to each joint's parent on the
            tree rooted at ``center``, the centre paired with itself.
        left (Sequence[int]): Left-side joints; ``right[i]`` mirrors ``left[i]``.
        right (Sequence[int]): Right-side joints.
        norm_center (int, optional): Joint moved to the origin by 3D normalisation.
            Defaults to ``center``.
        norm_zaxis (tuple[int, int], optional): ``(bottom, top)`` joints aligned with +Z.
        norm_xaxis (tuple[int, int], optional): ``(right, left)`` joints aligned with +X.
        aliases (Sequence[str]): Other names accepted by :func:`get_layout`.
        description (str): One line for listings.
    """

    name: str
    joints: Tuple[str, ...]
    edges: Tuple[Edge, ...]
    center: int
    bone_pairs: Optional[Tuple[Edge, ...]] = None
    left: Tuple[int, ...] = ()
    right: Tuple[int, ...] = ()
    norm_center: Optional[int] = None
    norm_zaxis: Optional[Tuple[int, int]] = None
    norm_xaxis: Optional[Tuple[int, int]] = None
    aliases: Tuple[str, ...] = ()
    description: str = ''
    _checked: bool = field(default=False, repr=False, compare=False)

    def __post_init__(self):
        # Normalise sequences to tuples so a layout is hashable and immutable.
        set_ = object.__setattr__
        set_(self, 'joints', tuple(self.joints))
        set_(self, 'edges', tuple(tuple(int(i) for i in e) for e in self.edges))
        set_(self, 'left', tuple(int(i) for i in self.left))
        set_(self, 'right', tuple(int(i) for i in self.right))
        set_(self, 'aliases', tuple(self.aliases))
        if self.bone_pairs is not None:
            set_(self, 'bone_pairs',
                 tuple(tuple(int(i) for i in p) for p in self.bone_pairs))
        for key in ('norm_zaxis', 'norm_xaxis'):
            value = getattr(self, key)
            if value is not None:
                set_(self, key, tuple(int(i) for i in value))
        self._validate()

    # ------------------------------------------------------------------ checks
    def _validate(self) -> None:
        V = len(self.joints)
        where = f'skeleton layout {self.name!r}'
        if V == 0:
            raise ValueError(f'{where}: `joints` is empty')

        def check(idx, key):
            if not 0 <= idx < V:
                raise ValueError(f'{where}: `{key}` uses joint {idx}, '
                                 f'outside 0..{V - 1} ({V} joints)')

        check(self.center, 'center')
        for key in ('edges', 'bone_pairs'):
            for pair in getattr(self, key) or ():
                if len(pair) != 2:
                    raise ValueError(f'{where}: `{key}` entry {pair} is not a pair')
                for idx in pair:
                    check(idx, key)
        if len(self.left) != len(self.right):
            raise ValueError(f'{where}: `left` has {len(self.left)} joints but '
                             f'`right` has {len(self.right)}')
        for key in ('left', 'right'):
            for idx in getattr(self, key):
                check(idx, key)
        for key in ('norm_center', 'norm_zaxis', 'norm_xaxis'):
            value = getattr(self, key)
            for idx in ((value, ) if isinstance(value, int) else value or ()):
                check(idx, key)
        unreached = set(range(V)) - set(self._parents())
        if unreached:
            raise ValueError(f'{where}: joints {sorted(unreached)} are not connected '
                             f'to the centre joint {self.center} by `edges`')

    # --------------------------------------------------------------- derived
    @property
    def num_joints(self) -> int:
        """Number of joints ``V``."""
        return len(self.joints)

    def _parents(self) -> Dict[int, int]:
        """Parent of every joint reachable from ``center`` (breadth-first)."""
        neighbours: Dict[int, List[int]] = {i: [] for i in range(len(self.joints))}
        for a, b in self.edges:
            neighbours[a].append(b)
            neighbours[b].append(a)
        parents = {self.center: self.center}
        frontier = [self.center]
        while frontier:
            nxt = []
            for j in frontier:
                for k in neighbours[j]:
                    if k not in parents:
                        parents[k] = j
                        nxt.append(k)
            frontier = nxt
        return parents

    @property
    def bones(self) -> Tuple[Edge, ...]:
        """``(joint, reference)`` pairs of the bone stream, one per joint."""
        if self.bone_pairs is not None:
            return self.bone_pairs
        parents = self._parents()
        return tuple((j, parents[j]) for j in range(self.num_joints))

    @property
    def inward(self) -> List[Edge]:
        """Edges in MMAction2's ``inward`` convention (child, parent)."""
        return list(self.edges)

    @property
    def normalization(self) -> Dict[str, object]:
        """Arguments of 3D normalisation: origin joint and the Z / X axis joint pairs."""
        return dict(
            center=self.center if self.norm_center is None else self.norm_center,
            zaxis=self.norm_zaxis,
            xaxis=self.norm_xaxis)

    @property
    def flip_pairs(self) -> List[Edge]:
        """``(left, right)`` joint pairs that a horizontal flip swaps."""
        return list(zip(self.left, self.right))

    def mmaction_flip_kwargs(self) -> Dict[str, List[int]]:
        """``left_kp`` / ``right_kp`` of MMAction2's ``Flip`` (2D pixel keypoints) for this layout.

        Example: ``dict(type='Flip', flip_ratio=0.5, **get_layout('coco').mmaction_flip_kwargs())``.
        For 3D (or already normalised) coordinates use :class:`~sfhead_mm.datasets.transforms.
        LayoutFlip`, which mirrors around 0 instead of the image width.
        """
        return dict(left_kp=list(self.left), right_kp=list(self.right))

    @property
    def flip_index(self) -> List[int]:
        """Permutation of joints that mirrors left and right."""
        perm = list(range(self.num_joints))
        for a, b in zip(self.left, self.right):
            perm[a], perm[b] = b, a
        return perm

    def adjacency(self, self_loops: bool = False) -> np.ndarray:
        """Symmetric 0/1 adjacency matrix ``(V, V)``."""
        A = np.zeros((self.num_joints, self.num_joints), dtype=np.float32)
        for a, b in self.edges:
            A[a, b] = A[b, a] = 1
        if self_loops:
            A += np.eye(self.num_joints, dtype=np.float32)
        return A

    def hop_distance(self) -> np.ndarray:
        """Shortest-path hop count between every pair of joints, ``(V, V)`` ints."""
        V = self.num_joints
        dist = np.full((V, V), -1, dtype=np.int64)
        A = self.adjacency() > 0
        for src in range(V):
            dist[src, src] = 0
            frontier = [src]
            while frontier:
                nxt = []
                for j in frontier:
                    for k in np.flatnonzero(A[j]):
                        if dist[src, k] < 0:
                            dist[src, k] = dist[src, j] + 1
                            nxt.append(k)
                frontier = nxt
        return dist

    def graph_dict(self) -> Dict[str, object]:
        """The ``dict(num_node, inward, center)`` form MMAction2's ``Graph`` accepts."""
        return dict(num_node=self.num_joints, inward=self.inward, center=self.center)

    def to_dict(self) -> Dict[str, object]:
        """Plain-data form, the inverse of :func:`layout_from_dict`."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if not f.name.startswith('_')}


LayoutSpec = Union[str, Mapping, SkeletonLayout]

_LAYOUTS: Dict[str, SkeletonLayout] = {}
_ALIASES: Dict[str, str] = {}


def layout_from_dict(spec: Mapping) -> SkeletonLayout:
    """Build a layout from a dict (e.g. written in a config).

    Accepts the keys of :class:`SkeletonLayout`; ``joints`` may be an int (unnamed joints).
    MMAction2's own dict form (``num_node``, ``inward``, ``center``) is accepted too.
    """
    spec = dict(spec)
    if 'num_node' in spec and 'joints' not in spec:
        spec['joints'] = spec.pop('num_node')
        spec['edges'] = spec.pop('inward')
    if isinstance(spec.get('joints'), int):
        spec['joints'] = tuple(f'joint{i}' for i in range(spec['joints']))
    spec.setdefault('name', f'custom-{len(spec["joints"])}')
    known = {f.name for f in fields(SkeletonLayout) if not f.name.startswith('_')}
    unknown = set(spec) - known
    if unknown:
        raise KeyError(f'skeleton layout {spec["name"]!r}: unknown keys {sorted(unknown)}; '
                       f'expected some of {sorted(known)}')
    missing = {'joints', 'edges', 'center'} - set(spec)
    if missing:
        raise KeyError(f'skeleton layout {spec["name"]!r}: missing keys {sorted(missing)}')
    return SkeletonLayout(**spec)


def register_layout(layout: Union[SkeletonLayout, Mapping],
                    force: bool = False) -> SkeletonLayout:
    """Register a layout under its name and aliases; returns it.

    Re-registering an identical layout is a no-op; a different one under a taken name raises
    unless ``force=True``.
    """
    if not isinstance(layout, SkeletonLayout):
        layout = layout_from_dict(layout)
    for key in (layout.name, ) + layout.aliases:
        owner = _ALIASES.get(key)
        if owner is not None and not force and _LAYOUTS[owner] != layout:
            raise KeyError(f'skeleton layout name {key!r} is already registered '
                           f'(by {owner!r}); pass force=True to replace it')
    _LAYOUTS[layout.name] = layout
    for key in (layout.name, ) + layout.aliases:
        _ALIASES[key] = layout.name
    return layout


def get_layout(spec: LayoutSpec) -> SkeletonLayout:
    """Resolve a layout name, alias, dict or :class:`SkeletonLayout`.

    A dict that carries a ``name`` (a layout written in a config) is registered under it on
    first use, so that every later reference by that name, in this process, finds the same
    layout; a dict that differs from the layout already registered under its name raises (one
    name, one layout). A dict without ``name`` is used as is and not registered.
    """
    if isinstance(spec, SkeletonLayout):
        return spec
    if isinstance(spec, Mapping):
        if 'num_node' in spec and 'joints' not in spec and 'name' not in spec:
            # MMAction2's graph dict (what a config hands its Graph): the registered layout
            # with exactly this graph, when there is one, carries the rest of the description.
            match = _registered_with_graph(spec)
            if match is not None:
                return match
        layout = layout_from_dict(spec)
        if 'name' not in spec:
            return layout
        owner = _ALIASES.get(layout.name)
        if owner is not None and _LAYOUTS[owner] == layout:
            return _LAYOUTS[owner]
        if owner is not None:
            raise KeyError(f'skeleton layout {layout.name!r} given as a dict differs from the '
                           f'layout already registered under that name; give the new one '
                           f'another name (or register it with force=True)')
        return register_layout(layout)
    if isinstance(spec, str) and spec in _ALIASES:
        return _LAYOUTS[_ALIASES[spec]]
    raise KeyError(f'unknown skeleton layout {spec!r}; registered: '
                   f'{sorted(_LAYOUTS)} (add one with sfhead_mm.skeleton.register_layout)')


def _graph_key(graph: Mapping) -> tuple:
    return (int(graph['num_node']), int(graph['center']),
            frozenset(tuple(int(j) for j in edge) for edge in graph['inward']))


def _registered_with_graph(graph: Mapping) -> Optional[SkeletonLayout]:
    try:
        key = _graph_key(graph)
    except (KeyError, TypeError, ValueError):
        return None
    for layout in _LAYOUTS.values():  # in registration order: the built-ins first
        if _graph_key(layout.graph_dict()) == key:
            return layout
    return None


def is_registered(name: str) -> bool:
    """Whether ``name`` is a registered layout name or alias."""
    return isinstance(name, str) and name in _ALIASES


def list_layouts() -> List[str]:
    """Names of the registered layouts."""
    return sorted(_LAYOUTS)


def bone_pairs_for(spec: LayoutSpec) -> Sequence[Edge]:
    """Bone-stream pairs of a layout (convenience for transforms)."""
    return get_layout(spec).bones
