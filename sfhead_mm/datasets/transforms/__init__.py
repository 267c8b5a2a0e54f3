"""Skeleton transforms that read the layout registry, and the NW-UCLA pipeline's steps."""
from .layout_bones import LayoutGenSkeFeat, LayoutJointToBone
from .layout_normalize import LayoutPreNormalize3D
from .resample_frames import ResampleFrames
from .view_augment import MinMaxNormalize3D, RandomViewTransform3D

__all__ = ['LayoutGenSkeFeat', 'LayoutJointToBone', 'LayoutPreNormalize3D', 'ResampleFrames',
           'RandomViewTransform3D', 'MinMaxNormalize3D']
from .layout_flip import LayoutFlip  # noqa: E402,F401
