"""Small helpers shared across the package (and data_prep). Light: no torch or mmaction here."""
from .atomic_write import (atomic_open, atomic_path, save_figure, write_json, write_pickle,
                           write_text)
from .setup_env import REGISTERING_MODULES, register_all_modules

__all__ = ['atomic_path', 'atomic_open', 'write_json', 'write_text', 'write_pickle',
           'save_figure', 'register_all_modules', 'REGISTERING_MODULES']
