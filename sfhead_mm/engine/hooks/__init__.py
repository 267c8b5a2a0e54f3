from .check_data_hook import CheckDataHook
from .compile_forward_hook import CompileForwardHook
from .epoch_seed_hook import EpochSeedHook
from .finite_loss_hook import DivergedLossError, FiniteLossHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = ['CheckDataHook', 'CompileForwardHook', 'DivergedLossError', 'EpochSeedHook',
           'FiniteLossHook', 'SafeCheckpointHook']
