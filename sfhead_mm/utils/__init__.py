"""Small helpers shared across the package (and data_prep)."""
from .atomic_write import (atomic_open, atomic_path, save_figure, write_json, write_pickle,
                           write_text)

__all__ = ['atomic_path', 'atomic_open', 'write_json', 'write_text', 'write_pickle',
           'save_figure']
