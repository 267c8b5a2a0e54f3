"""Registering a backbone whose name another OpenMMLab package may also register.

MMAction2's ``projects/ctrgcn`` (not in the wheel) registers its own ``CTRGCN`` in the same
``MODELS`` registry when a user imports it. Registering ours there unconditionally would make
whichever import comes second crash (mmengine refuses a taken name), or silently replace the
project's class under the project's own configs and checkpoints. The rule here:

* our class is always registered under an unambiguous alias (e.g. ``CTRGCN_sfhead_mm``);
* it also takes the common name (``CTRGCN``) when that name is free, or already ours (a
  re-import); when another package holds it, that package keeps it and a warning says how to
  build ours.

The other order (this package imported first, the project second) cannot be handled from here:
the project's own registration then raises mmengine's ``KeyError: 'CTRGCN is already registered
... at sfhead_mm...'``. Import the project first (``custom_imports=dict(imports=['models',
'sfhead_mm.models', ...])``), as docs/backbones.md says.
"""
import warnings
from typing import Type

from mmengine.registry import Registry


def _same_class(a: type, b: type) -> bool:
    # A reloaded module defines a new class object with the same origin: still ours.
    return a is b or (a.__module__ == b.__module__ and a.__qualname__ == b.__qualname__)


def register_beside(registry: Registry, cls: Type, name: str, alias: str) -> Type:
    """Register ``cls`` as ``alias``, and as ``name`` unless another class already holds it.

    Args:
        registry (Registry): E.g. ``mmaction.registry.MODELS``.
        cls (type): The class to register.
        name (str): The common name (``'CTRGCN'``).
        alias (str): The name only this package uses (``'CTRGCN_sfhead_mm'``).

    Returns:
        type: ``cls``, so the function can be used after a class definition.
    """
    registry.register_module(name=alias, module=cls, force=True)
    holder = registry.module_dict.get(name)
    if holder is None or _same_class(holder, cls):
        registry.register_module(name=name, module=cls, force=True)
    else:
        warnings.warn(
            f'{name!r} is already registered in {registry.name} by {holder.__module__} (e.g. '
            f'MMAction2\'s projects/{name.lower()}); type={name!r} keeps building that one. '
            f'This package\'s {name} is type={alias!r}.', stacklevel=2)
    return cls
