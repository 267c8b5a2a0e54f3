"""Horizontal flip of a skeleton whose left/right joint pairs come from its layout."""
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from ...skeleton import get_layout


@TRANSFORMS.register_module()
class LayoutFlip(BaseTransform):
    """Mirror a skeleton left-right and swap its left and right joints, for any layout.

    MMAction2's ``Flip`` mirrors keypoints as ``img_width - x``, which only suits 2D pixel
    coordinates, and needs the joint pairs spelled out. Here the pairs are the layout's
    ``left`` / ``right`` lists, and the mirror depends on the coordinates:

    * ``'center'``: ``x -> -x`` (3D, or coordinates already normalised around 0);
    * ``'image'``: ``x -> img_width - x`` for non-zero ``x`` (2D pixels, MMAction2's rule;
      ``img_shape`` is read from the sample);
    * ``'auto'`` (default): ``'image'`` when the keypoints are 2D and the sample has an
      ``img_shape``, ``'center'`` otherwise.

    Zero joints (absent persons, padding) stay zero.

    Required keys: ``keypoint`` (M, T, V, C). Optional: ``keypoint_score`` (M, T, V),
    ``img_shape``. Modified: ``keypoint``, ``keypoint_score``. Added: ``flip`` (bool).

    Args:
        layout (str | dict): Registered layout name or a layout dict.
        flip_ratio (float): Probability of flipping a sample. Defaults to 0.5.
        mirror (str): ``'auto'``, ``'center'`` or ``'image'``. Defaults to 'auto'.
        axis (int): Coordinate mirrored (0 = x). Defaults to 0.
    """

    MIRRORS = ('auto', 'center', 'image')

    def __init__(self, layout='nturgb+d', flip_ratio: float = 0.5, mirror: str = 'auto',
                 axis: int = 0) -> None:
        if mirror not in self.MIRRORS:
            raise ValueError(f'LayoutFlip: mirror={mirror!r}; choose one of {self.MIRRORS}')
        if not 0 <= flip_ratio <= 1:
            raise ValueError(f'LayoutFlip: flip_ratio={flip_ratio} is not in [0, 1]')
        self.layout = get_layout(layout)
        if not self.layout.left:
            raise ValueError(f'LayoutFlip: layout {self.layout.name!r} has no left/right joint '
                             f'pairs; add `left` and `right` to it')
        self.flip_ratio = flip_ratio
        self.mirror = mirror
        self.axis = axis
        self.index = np.asarray(self.layout.flip_index)

    def _mirror_of(self, results: Dict) -> str:
        if self.mirror != 'auto':
            return self.mirror
        is_2d = results['keypoint'].shape[-1] == 2
        return 'image' if is_2d and 'img_shape' in results else 'center'

    def transform(self, results: Dict) -> Optional[Dict]:
        flip = bool(np.random.rand() < self.flip_ratio)
        results['flip'] = flip
        if not flip:
            return results
        kp = results['keypoint']
        if kp.shape[-2] != len(self.index):
            raise ValueError(f'{results.get("frame_dir", "sample")}: keypoint has '
                             f'{kp.shape[-2]} joints, layout {self.layout.name!r} has '
                             f'{len(self.index)}')
        kp = kp[..., self.index, :].copy()
        x = kp[..., self.axis]
        if self._mirror_of(results) == 'image':
            width = results['img_shape'][1]
            x[x != 0] = width - x[x != 0]
        else:
            x *= -1
        results['keypoint'] = kp
        if 'keypoint_score' in results:
            results['keypoint_score'] = results['keypoint_score'][..., self.index].copy()
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(layout={self.layout.name!r}, '
                f'flip_ratio={self.flip_ratio}, mirror={self.mirror!r}, axis={self.axis})')
