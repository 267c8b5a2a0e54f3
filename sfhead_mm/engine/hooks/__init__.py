from .check_data_hook import CheckDataHook
from .epoch_seed_hook import EpochSeedHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = ['CheckDataHook', 'EpochSeedHook', 'SafeCheckpointHook']
