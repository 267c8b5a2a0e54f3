from .epoch_seed_hook import EpochSeedHook

__all__ = ['EpochSeedHook']
from .check_data_hook import CheckDataHook, ensure_check_data_hook  # noqa: E402,F401
