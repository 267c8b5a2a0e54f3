"""Reseed every random generator at the start of each epoch, from (seed, epoch, rank).

Why: mmengine seeds the generators once, when the run starts, and does not save their state in
checkpoints. A run resumed at epoch k therefore draws different augmentations (and dropout masks)
from an uninterrupted run, and ends with different weights. Reseeding from ``(seed, epoch, rank)``
makes every epoch's randomness a function of where it is, not of what ran before, so ``--resume``
reproduces an uninterrupted run exactly (with ``num_workers=0`` or non-persistent workers, whose
seeds mmengine also derives from the seed). It also undoes ``UniformSampleFrames``' habit of
calling ``np.random.seed(255)`` on the global generator during validation.

Declared in ``configs/_base_/default_runtime.py``; ``epoch_reseed = False`` in a config turns it
off.
"""
import random

import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from mmaction.registry import HOOKS


@HOOKS.register_module()
class EpochSeedHook(Hook):
    """Reseed python, numpy and torch before every training epoch.

    Args:
        seed (int, optional): Base seed. Defaults to the runner's seed (``randomness.seed``).
    """

    priority = 'VERY_HIGH'

    def __init__(self, seed=None):
        self.seed = seed

    def before_train_epoch(self, runner) -> None:
        if runner.cfg.get('epoch_reseed', True) is False:
            return  # the config opts out: mmengine's once-per-run seeding
        base = self.seed if self.seed is not None else runner.seed
        seed = (int(base) * 1000003 + runner.epoch * 1009 + get_rank()) % (2**31)
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)
