"""The NW-UCLA augmentation and scaling of the CTR-GCN family of pipelines."""
from typing import Dict, Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomViewTransform3D(BaseTransform):
    """Random rotation about the X and Y axes and isotropic scaling of 3D keypoints.

    The cross-view NW-UCLA protocol tests on a camera never seen in training; CTR-GCN's NW-UCLA
    feeder therefore rotates every training clip by angles drawn uniformly (in whole degrees) from
    ``[-max_angle, max_angle]`` about X and Y, and scales it by a factor drawn from
    ``scale_range``: ``X' = X @ (R_y @ R_x @ S)``. Zero (absent) joints stay zero.

    Args:
        max_angle (float): Largest rotation in degrees. Defaults to 60.
        scale_range (Sequence[float]): Scale factor range. Defaults to (0.5, 1.5).
    """

    def __init__(self, max_angle: float = 60., scale_range: Sequence[float] = (0.5, 1.5)):
        self.max_angle = max_angle
        self.scale_range = tuple(scale_range)

    @staticmethod
    def matrix(ax: float, ay: float, s: float) -> np.ndarray:
        """``R_y @ R_x @ S`` for angles in degrees, as in CTR-GCN's ``rand_view_transform``."""
        ax, ay = np.radians(ax), np.radians(ay)
        rx = np.array([[1, 0, 0], [0, np.cos(ax), np.sin(ax)], [0, -np.sin(ax), np.cos(ax)]])
        ry = np.array([[np.cos(ay), 0, -np.sin(ay)], [0, 1, 0], [np.sin(ay), 0, np.cos(ay)]])
        return ry @ rx @ (s * np.eye(3))

    def transform(self, results: Dict) -> Dict:
        kp = results['keypoint']
        ax = np.random.randint(-self.max_angle, self.max_angle + 1)
        ay = np.random.randint(-self.max_angle, self.max_angle + 1)
        s = np.random.uniform(*self.scale_range)
        present = np.any(kp != 0, axis=-1, keepdims=True)
        results['keypoint'] = ((kp @ self.matrix(ax, ay, s)) * present).astype(np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(max_angle={self.max_angle}, '
                f'scale_range={self.scale_range})')


@TRANSFORMS.register_module()
class MinMaxNormalize3D(BaseTransform):
    """Scale each coordinate axis of a clip to [-1, 1] over all its frames and joints.

    CTR-GCN's NW-UCLA feeder does this after the view transform, per clip. Only joints that are
    present (not all-zero) enter the min/max and are scaled; absent ones stay zero.
    """

    def transform(self, results: Dict) -> Dict:
        kp = results['keypoint']
        present = np.any(kp != 0, axis=-1)
        if not present.any():
            return results
        pts = kp[present]
        lo, hi = pts.min(0), pts.max(0)
        span = np.where(hi - lo > 1e-8, hi - lo, 1.0)
        out = np.zeros_like(kp)
        out[present] = (pts - lo) / span * 2 - 1
        results['keypoint'] = out.astype(np.float32)
        return results
