"""``torch.compile`` the model's forward only, for the config key ``compile_forward``.

Why: mmengine's ``compile=`` option compiles the whole ``train_step``, and with it two things
that change every step or every epoch. MMAction2's data preprocessor copies each sample's
metainfo, and Dynamo guards on those new objects, so it recompiles at every step until its
recompile limit (8), then runs eagerly. The optimizer step is guarded on the learning rate, so
it recompiles at every change of the learning rate (each warm-up epoch, each milestone), each
time for every parameter of the model. Measured with the tiny ST-GCN of the tests, 2 epochs with
one learning-rate step, Dynamo's ``eager`` backend (``pytest -s -k only
tests/engine/hooks/test_compile_forward_hook.py``): ``compile`` made Dynamo convert 58 frames,
with 8 cached versions of the preprocessor (its limit) and 3 of ``SGD.step``; this hook 9 frames,
none of either. Under inductor each of those versions is a compilation.

This hook compiles the recognizer's ``__call__`` (``nn.Module.compile``: the forward of every
mode, loss included) and leaves the data preprocessor and the optimizer step eager. The module is
compiled in place, so checkpoints keep their parameter names.

Declared in ``configs/_base_/default_runtime.py``; it does nothing unless the config sets
``compile_forward`` to True or to ``torch.compile`` arguments, e.g.
``compile_forward = dict(backend='cudagraphs')``. A config that also sets mmengine's ``compile``
is refused: the two would compile the forward twice.
"""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmaction.registry import HOOKS

#: The config key this hook reads.
KEY = 'compile_forward'


@HOOKS.register_module()
class CompileForwardHook(Hook):
    """Compile the model's forward before the run, with the config's ``compile_forward``.

    Args:
        **compile_kwargs: ``torch.compile`` arguments (``backend``, ``mode``, ``dynamic``,
            ``fullgraph``, ``options``). Given here, they take the place of the config key.
    """

    priority = 'VERY_LOW'

    def __init__(self, **compile_kwargs):
        self.compile_kwargs = compile_kwargs

    def before_run(self, runner) -> None:
        spec = self.compile_kwargs or runner.cfg.get(KEY, None)
        if not spec:
            return
        if spec is True:
            spec = {}
        if not isinstance(spec, dict):
            raise TypeError(f'{KEY}: expected True or a dict of torch.compile arguments, got '
                            f'{spec!r}')
        if runner.cfg.get('compile', None):
            raise ValueError(f'the config sets both `compile` (mmengine: the whole train_step) '
                             f'and `{KEY}` (the forward only); keep one')
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        model.compile(**spec)
        runner.logger.info(f'{type(model).__name__}.forward will be compiled '
                           f'(torch.compile {dict(spec)}); data preprocessor and optimizer '
                           f'step stay eager')
