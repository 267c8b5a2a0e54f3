"""Bone streams for any registered layout, without touching MMAction2's ``JointToBone``.

MMAction2 1.2.0's ``JointToBone`` (and so ``GenSkeFeat``) knows three layouts by name
(``nturgb+d``, ``openpose``, ``coco``). :class:`LayoutJointToBone` and :class:`LayoutGenSkeFeat`
take their bone pairs from the layout registry instead (a name or a layout dict), and are
drop-in replacements: same arguments, same keys, same outputs for the three native layouts.
"""
from typing import Dict, List

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.datasets.transforms import GenSkeFeat, JointToBone
from mmaction.registry import TRANSFORMS
from ...skeleton import get_layout

NATIVE = ('nturgb+d', 'openpose', 'coco')  # the layouts MMAction2's own transforms know
NATIVE_2D = ('openpose', 'coco')  # ... of which these carry a score as channel 2 when C == 3


@TRANSFORMS.register_module()
class LayoutJointToBone(JointToBone):
    """``JointToBone`` whose pairs come from a layout: ``bone[v] = joint[v] - joint[parent(v)]``.

    Required keys: ``keypoint`` (M, T, V, C). Modified: ``target`` (default ``keypoint``).

    Args:
        dataset (str | dict): Registered layout name or a layout dict.
        target (str): Key written. Defaults to ``'keypoint'``.
        score_channel (bool): Treat channel 2 of C == 3 input as a confidence score (2D + score,
            as MMAction2 does for ``openpose``/``coco``): a bone's score is the mean of its two
            joints' scores. Defaults to False; the native 2D layouts keep MMAction2's rule.
    """

    def __init__(self, dataset='nturgb+d', target: str = 'keypoint',
                 score_channel: bool = False) -> None:
        layout = get_layout(dataset)
        self.dataset = layout.name
        self.target = target
        self.pairs = tuple(layout.bones)
        self.score_channel = score_channel or layout.name in NATIVE_2D

    def transform(self, results: Dict) -> Dict:
        keypoint = results['keypoint']
        if keypoint.shape[-1] not in (2, 3):
            raise ValueError(f'{type(self).__name__}: keypoint has {keypoint.shape[-1]} channels '
                             f'(shape {keypoint.shape}); expected 2 or 3')
        child = np.array([v1 for v1, _ in self.pairs])
        parent = np.array([v2 for _, v2 in self.pairs])
        bone = np.zeros(keypoint.shape, dtype=np.float32)
        bone[..., child, :] = keypoint[..., child, :] - keypoint[..., parent, :]
        if keypoint.shape[-1] == 3 and self.score_channel:
            bone[..., child, 2] = (keypoint[..., child, 2] + keypoint[..., parent, 2]) / 2
        results[self.target] = bone
        return results


@TRANSFORMS.register_module()
class LayoutGenSkeFeat(BaseTransform):
    """``GenSkeFeat`` (joint, bone, motion streams) for any registered layout.

    Identical to MMAction2's ``GenSkeFeat`` except that bones come from
    :class:`LayoutJointToBone`. With ``keypoint_score`` present the score is appended as a channel
    (as ``GenSkeFeat`` does) and averaged over each bone's two joints.

    Required keys: ``keypoint``, optional ``keypoint_score``. Modified: ``keypoint``.

    Args:
        dataset (str | dict): Registered layout name or a layout dict.
        feats (list[str]): Streams among ``'j'``, ``'b'``, ``'jm'``, ``'bm'``. Defaults to ['j'].
        axis (int): Axis along which the streams are joined. Defaults to -1.
    """

    def __init__(self, dataset='nturgb+d', feats: List[str] = ('j', ), axis: int = -1) -> None:
        layout = get_layout(dataset)
        self.dataset = layout.name
        self.feats = list(feats)
        self.axis = axis
        # MMAction2's own op chain, built for a native layout; only its bone step is replaced.
        self._plain = self._chain(layout, score_channel=False)
        self._scored = self._chain(layout, score_channel=True)

    def _chain(self, layout, score_channel: bool):
        # ToMotion reads the dataset name only for its score rule (average over two frames for
        # 'openpose'/'coco'): give it a native name with the same rule as this chain.
        if layout.name in NATIVE:
            native = layout.name
        else:
            native = 'coco' if score_channel else 'nturgb+d'
        chain = GenSkeFeat(dataset=native, feats=self.feats, axis=self.axis).ops
        chain.transforms = [
            LayoutJointToBone(layout, target='b', score_channel=score_channel)
            if isinstance(op, JointToBone) else op for op in chain.transforms
        ]
        return chain

    def transform(self, results: Dict) -> Dict:
        if 'keypoint_score' in results and 'keypoint' in results:
            if results['keypoint'].shape[-1] != 2:
                raise ValueError(f'{type(self).__name__}: keypoint_score given with '
                                 f'{results["keypoint"].shape[-1]}-channel keypoints; only 2D '
                                 'keypoints carry a separate score')
            score = results.pop('keypoint_score')
            results['keypoint'] = np.concatenate([results['keypoint'], score[..., None]], -1)
            return self._scored(results)
        return self._plain(results)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(dataset={self.dataset}, feats={self.feats}, '
                f'axis={self.axis})')
