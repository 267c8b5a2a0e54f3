"""Let MMAction2's own graph and bone code accept any registered layout.

MMAction2 1.2.0 hard-codes three layouts (``openpose``, ``nturgb+d``, ``coco``) in
``mmaction.models.utils.Graph`` and in ``JointToBone`` (used by ``GenSkeFeat``). We wrap their
constructors once so that any name registered with :func:`sfhead_mm.skeleton.register_layout` (or a
full layout dict) works too; the three native names keep MMAction2's own code path unchanged.
So ``STGCN(graph_cfg=dict(layout='nw-ucla'))`` and ``GenSkeFeat(dataset='nw-ucla', feats=['b'])``
work in stock configs once ``sfhead_mm`` is imported, and so do layout dicts written in a config
(``graph_cfg=dict(layout=my_layout)``, ``GenSkeFeat(dataset=my_layout)``), registered on first use.
"""
from collections.abc import Mapping

from .layout import SkeletonLayout, get_layout, is_registered, list_layouts

MMACTION_NATIVE = ('openpose', 'nturgb+d', 'coco')
_PATCHED = '_sfhead_layout_bridge'


def _resolve_graph_layout(layout):
    if isinstance(layout, str):
        if layout in MMACTION_NATIVE:
            return layout
        if is_registered(layout):
            return get_layout(layout).graph_dict()
        raise KeyError(f'graph_cfg.layout={layout!r} is not a known skeleton layout; '
                       f'registered: {list_layouts()}')
    if isinstance(layout, SkeletonLayout) or (isinstance(layout, Mapping) and 'joints' in layout):
        return get_layout(layout).graph_dict()
    return layout


def _patch_graph():
    from mmaction.models.utils import graph as graph_module
    cls = graph_module.Graph
    if getattr(cls.__init__, _PATCHED, False):
        return
    original = cls.__init__

    def __init__(self, layout='coco', mode='spatial', max_hop=1):
        original(self, _resolve_graph_layout(layout), mode, max_hop)

    setattr(__init__, _PATCHED, True)
    __init__.__doc__ = original.__doc__
    cls.__init__ = __init__


def _patch_joint_to_bone():
    from mmaction.datasets.transforms import pose_transforms
    cls = pose_transforms.JointToBone
    if getattr(cls.__init__, _PATCHED, False):
        return
    original = cls.__init__

    def __init__(self, dataset='nturgb+d', target='keypoint'):
        # A layout dict (written in a config) or object is resolved (and registered) here.
        is_layout = isinstance(dataset, (Mapping, SkeletonLayout))
        if not is_layout and (dataset in MMACTION_NATIVE or not is_registered(dataset)):
            # Native names, and unknown ones (MMAction2 raises its own ValueError).
            original(self, dataset=dataset, target=target)
            return
        layout = get_layout(dataset)
        original(self, dataset='nturgb+d', target=target)
        self.dataset = layout.name
        self.pairs = tuple(layout.bones)

    setattr(__init__, _PATCHED, True)
    cls.__init__ = __init__


def install() -> None:
    """Install the wrappers (idempotent)."""
    _patch_graph()
    _patch_joint_to_bone()
