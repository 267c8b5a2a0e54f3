from .hooks import *  # noqa: F401,F403
from .cpu_amp_optim_wrapper import CPUAmpOptimWrapper  # noqa: F401
