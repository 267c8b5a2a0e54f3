"""sfhead_mm: SF-Head and its peers for skeleton-based ambiguous action recognition.

Importing this package (directly, or through ``custom_imports`` in a config) first applies the
pinned stack's compatibility fixes (:mod:`sfhead_mm.compat`), then registers everything the package
provides into MMAction2's registries (``mmaction.registry.MODELS``, ``METRICS``, ``TRANSFORMS``,
``HOOKS``, ...).
"""
from . import compat

compat.apply_all()

from . import skeleton  # noqa: E402  (layouts before the bridge that reads them)
from .skeleton import mmaction_bridge  # noqa: E402

mmaction_bridge.install()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from .version import __version__  # noqa: E402

__all__ = ['__version__', 'compat', 'skeleton', 'datasets', 'engine', 'evaluation', 'models']
