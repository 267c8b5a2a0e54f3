"""sfhead_mm: SF-Head and its peers for skeleton-based ambiguous action recognition.

Importing ``sfhead_mm`` itself is light and changes nothing. The subpackages that hold models,
transforms, hooks and metrics register them into MMAction2's registries when imported, and do
nothing else::

    custom_imports = dict(imports=['sfhead_mm.models', 'sfhead_mm.datasets', 'sfhead_mm.engine',
                                   'sfhead_mm.evaluation'], allow_failed_imports=False)

(what ``configs/_base_/default_runtime.py`` declares), or in Python
``sfhead_mm.utils.register_all_modules()``.
"""
from .version import __version__

__all__ = ['__version__']
