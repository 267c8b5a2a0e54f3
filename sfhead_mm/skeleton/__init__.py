"""Skeleton layouts: one declarative description per layout, registered by name."""
from .layout import (SkeletonLayout, bone_pairs_for, get_layout, is_registered,
                     layout_from_dict, list_layouts, register_layout)
from .builtin import BUILTIN_LAYOUTS, COCO_17, NTU_RGBD_25, NW_UCLA_20, OPENPOSE_18
from .config import layout_of_config, layout_refs

__all__ = [
    'SkeletonLayout', 'get_layout', 'register_layout', 'layout_from_dict', 'list_layouts',
    'is_registered', 'bone_pairs_for', 'BUILTIN_LAYOUTS', 'NTU_RGBD_25', 'NW_UCLA_20',
    'COCO_17', 'OPENPOSE_18', 'layout_of_config', 'layout_refs'
]
