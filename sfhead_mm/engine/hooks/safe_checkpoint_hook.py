"""Let a run load mmengine checkpoints with torch's ``weights_only=True``.

torch >= 2.6 refuses the message-hub objects and numpy values that every mmengine checkpoint holds,
so ``resume``, ``load_from`` and testing fail in MMAction2's own tools. This hook allows exactly
those globals (:func:`sfhead_mm.utils.checkpoint.checkpoint_globals`) from ``before_run``, which
mmengine calls before it loads or resumes, to ``after_run``. A crafted checkpoint is still
refused; nothing changes outside the run. Declared in ``configs/_base_/default_runtime.py``.
"""
import contextlib

from mmengine.hooks import Hook

from mmaction.registry import HOOKS
from ...utils.checkpoint import checkpoint_globals


@HOOKS.register_module()
class SafeCheckpointHook(Hook):
    """Allow the globals of mmengine checkpoints (and nothing else) for the run's loads."""

    priority = 'VERY_HIGH'

    def __init__(self):
        self._scope = None

    def before_run(self, runner) -> None:
        if self._scope is None:
            self._scope = contextlib.ExitStack()
            self._scope.enter_context(checkpoint_globals())

    def after_run(self, runner) -> None:
        if self._scope is not None:
            self._scope.close()
            self._scope = None
