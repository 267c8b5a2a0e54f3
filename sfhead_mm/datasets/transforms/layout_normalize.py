"""3D normalisation that reads the skeleton layout instead of assuming NTU's joint numbering."""
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from ...skeleton import get_layout


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v)
    return v / n if n > 1e-6 else v


def _rotation_to(vector: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Rotation matrix turning ``vector`` onto ``target`` (3,), identity when degenerate."""
    v, t = _unit(vector), _unit(target)
    axis = np.cross(v, t)
    s, c = np.linalg.norm(axis), float(np.clip(np.dot(v, t), -1.0, 1.0))
    if np.abs(vector).sum() < 1e-6 or s < 1e-8:
        return np.eye(3)
    k = axis / s
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    theta = np.arctan2(s, c)
    return np.eye(3) + np.sin(theta) * K + (1 - np.cos(theta)) * K @ K


@TRANSFORMS.register_module()
class LayoutPreNormalize3D(BaseTransform):
    """``PreNormalize3D`` for any registered layout.

    MMAction2's ``PreNormalize3D`` centres on joint 1 when there are 25 joints and on the *last*
    joint otherwise, and its default axes are NTU's; on NW-UCLA's 20 Kinect-v1 joints that centres
    on the right foot. Here the origin joint and the axis joints come from the layout
    (``norm_center``, ``norm_zaxis``, ``norm_xaxis``), the same way for every layout.

    Steps (each optional): drop frames where the main person is absent (and put the person with
    more valid frames first), move the origin joint of the first frame to 0, rotate so that the
    ``norm_zaxis`` bone of the first frame points along +Z, then so that the ``norm_xaxis`` bone
    points along +X.

    Required keys: ``keypoint`` (M, T, V, 3). Modified: ``keypoint``, ``total_frames``.
    Added: ``body_center``.

    Args:
        layout (str | dict): Registered layout name (``'nturgb+d'``, ``'nw-ucla'``, ...) or a
            layout dict.
        align_center (bool): Centre on the layout's origin joint. Defaults to True.
        align_spine (bool): Align the Z axis. Defaults to True.
        align_shoulder (bool): Align the X axis. Defaults to True.
    """

    def __init__(self, layout='nturgb+d', align_center: bool = True,
                 align_spine: bool = True, align_shoulder: bool = True) -> None:
        self.layout = get_layout(layout)
        norm = self.layout.normalization
        self.center = norm['center']
        self.zaxis, self.xaxis = norm['zaxis'], norm['xaxis']
        if align_spine and self.zaxis is None:
            raise ValueError(f'layout {self.layout.name!r} has no norm_zaxis; pass '
                             f'align_spine=False or define the axis in the layout')
        if align_shoulder and self.xaxis is None:
            raise ValueError(f'layout {self.layout.name!r} has no norm_xaxis; pass '
                             f'align_shoulder=False or define the axis in the layout')
        self.align_center = align_center
        self.align_spine = align_spine
        self.align_shoulder = align_shoulder

    def transform(self, results: Dict) -> Optional[Dict]:
        skeleton = results['keypoint']
        M, T, V, C = skeleton.shape
        if V != self.layout.num_joints or C != 3:
            raise ValueError(f'{results.get("frame_dir", "sample")}: keypoint shape '
                             f'{skeleton.shape} does not fit layout {self.layout.name!r} '
                             f'({self.layout.num_joints} joints, 3D)')
        if not np.any(skeleton):
            return results
        valid = np.abs(skeleton).reshape(M, T, -1).max(-1) > 1e-8  # (M, T)
        main = 0
        if M > 1 and valid[1].sum() > valid[0].sum():
            main = 1
            skeleton = skeleton[[1, 0] + list(range(2, M))]
            valid = valid[[1, 0] + list(range(2, M))]
        skeleton = skeleton[:, valid[0]]
        center = skeleton[0, 0, self.center].copy()
        if self.align_center:
            present = (skeleton != 0).any(-1, keepdims=True)
            skeleton = (skeleton - center) * present
        if self.align_spine:
            bottom, top = skeleton[0, 0, self.zaxis[0]], skeleton[0, 0, self.zaxis[1]]
            skeleton = skeleton @ _rotation_to(top - bottom, np.array([0., 0., 1.])).T
        if self.align_shoulder:
            right, left = skeleton[0, 0, self.xaxis[0]], skeleton[0, 0, self.xaxis[1]]
            skeleton = skeleton @ _rotation_to(right - left, np.array([1., 0., 0.])).T
        results['keypoint'] = skeleton.astype(np.float32)
        results['total_frames'] = skeleton.shape[1]
        results['body_center'] = center
        results['main_person'] = main
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(layout={self.layout.name!r}, '
                f'align_center={self.align_center}, align_spine={self.align_spine}, '
                f'align_shoulder={self.align_shoulder})')
