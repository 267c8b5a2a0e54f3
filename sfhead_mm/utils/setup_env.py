"""Register everything the package provides into MMAction2's registries."""
import importlib

#: The subpackages that register on import; configs list them in ``custom_imports``.
REGISTERING_MODULES = ('sfhead_mm.models', 'sfhead_mm.datasets', 'sfhead_mm.engine',
                       'sfhead_mm.evaluation')


def register_all_modules(init_default_scope: bool = False) -> None:
    """Import the registering subpackages (idempotent; changes nothing outside the registries).

    Args:
        init_default_scope (bool): Also make ``mmaction`` the default registry scope, as
            ``mmaction.utils.register_all_modules(True)`` does (a process-wide setting, for
            scripts that build modules outside a runner). Defaults to False.
    """
    for name in REGISTERING_MODULES:
        importlib.import_module(name)
    if init_default_scope:
        from mmaction.utils import register_all_modules as mmaction_register
        mmaction_register(init_default_scope=True)
