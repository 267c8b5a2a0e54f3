"""Resample a clip to a fixed number of frames keeping temporal order (CTR-GCN's NW-UCLA way)."""
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ResampleFrames(BaseTransform):
    """Pick ``clip_len`` frame indices in temporal order, stretching short clips.

    MMAction2's ``UniformSampleFrames`` *loops* clips shorter than ``clip_len`` (the end jumps back
    to the start); NW-UCLA clips are mostly shorter than the 52 frames its pipelines use, so the
    CTR-GCN family resamples instead: training draws ``clip_len`` indices at random with
    replacement and sorts them, testing takes ``linspace(0, T - 1, clip_len)``.
    Sets ``frame_inds`` (used by ``PoseDecode``), ``clip_len``, ``num_clips``, ``frame_interval``.

    Args:
        clip_len (int): Frames per output clip. Defaults to 52.
        test_mode (bool): Deterministic evenly spaced indices. Defaults to False.
    """

    def __init__(self, clip_len: int = 52, test_mode: bool = False):
        if clip_len < 1:
            raise ValueError(f'ResampleFrames: clip_len must be >= 1, got {clip_len}')
        self.clip_len = clip_len
        self.test_mode = test_mode

    def transform(self, results: Dict) -> Dict:
        T = int(results['total_frames'])
        if T < 1:
            raise ValueError(f'{results.get("frame_dir", "sample")}: no frames to sample')
        if self.test_mode:
            inds = np.linspace(0, T - 1, self.clip_len).astype(np.int64)
        else:
            inds = np.sort(np.random.randint(0, T, self.clip_len))
        results['frame_inds'] = inds + results.get('start_index', 0)
        results['clip_len'] = self.clip_len
        results['frame_interval'] = None
        results['num_clips'] = 1
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(clip_len={self.clip_len}, test_mode={self.test_mode})'
