"""Stop a training run at the first iteration whose loss is nan or inf.

Why: a diverged run (a learning rate too high for the model, a bad sample) otherwise goes on for
hours: mmengine trains on nan weights to the last epoch, and its checkpoints and validations
say only that the accuracy fell to chance. This hook stops the run at the iteration that
diverged, before that epoch's checkpoint is written; the error names the iteration and the loss
terms that are not finite, and goes to the run's log as well as to the tool's one-line
``error:``.

mmengine has no such hook (MMDetection's ``CheckInvalidLossHook`` checks every 50 iterations and
raises a bare ``AssertionError``). The check reads the step's loss values, which mmengine's
``RuntimeInfoHook`` already brings to the host every iteration (``.item()``), so in one process
it adds no device synchronisation. In a distributed run every rank checks its own loss (mmengine
does not average ``log_vars`` across ranks), and one all-reduce of a world-size vector per
iteration tells every rank which ranks' losses are not finite, so all of them stop at that
iteration with the same error naming those ranks. Without it, a bad sample on rank 1 stops rank
1 alone; the others wait in the next backward's gradient all-reduce until torchrun ends them,
and rank 0's log, the one written to the work directory, does not say why.

Declared in ``configs/_base_/default_runtime.py``; ``check_loss = False`` in a config turns it
off (the run then goes on over nan, as mmengine's does).
"""
import math
from typing import Dict, List, Optional

import torch
from mmengine.dist import all_reduce, get_rank, get_world_size
from mmengine.hooks import Hook

from mmaction.registry import HOOKS


class DivergedLossError(RuntimeError):
    """The training loss of an iteration is nan or inf. In a distributed run every rank raises
    it at the same iteration (:class:`FiniteLossHook`), so a handler may synchronise on it."""


def nonfinite_terms(outputs: Optional[Dict]) -> Dict[str, float]:
    """The entries of a training step's ``log_vars`` whose value is nan or inf (as floats).

    Shapes:
        outputs: ``{name: scalar tensor or number}``, as ``model.train_step`` returns.
    """
    bad = {}
    for name, value in (outputs or {}).items():
        if not isinstance(value, (torch.Tensor, int, float)):
            continue
        value = float(torch.as_tensor(value).detach().float().sum())
        if not math.isfinite(value):
            bad[name] = value
    return bad


def ranks_not_finite(local: bool) -> List[int]:
    """The ranks whose flag ``local`` is true, the same list on every rank (one all-reduce in a
    distributed run; without one, ``[0]`` or ``[]``). Every rank must call it."""
    world = get_world_size()
    if world == 1:
        return [0] if local else []
    flags = torch.zeros(world)
    flags[get_rank()] = float(local)
    all_reduce(flags)
    return [rank for rank, flag in enumerate(flags.tolist()) if flag]


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Raise :class:`DivergedLossError` after the first training iteration whose ``loss`` (the
    sum the optimizer minimises) is nan or inf."""

    priority = 'LOW'  # after the logger: an iteration that is logged is logged before the stop

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs: Optional[Dict] = None) -> None:
        if runner.cfg.get('check_loss', True) is False or not outputs or 'loss' not in outputs:
            return
        bad = nonfinite_terms(outputs)
        ranks = ranks_not_finite('loss' in bad)
        if not ranks:
            return
        value = bad.get('loss', 'not finite')  # a rank whose own loss is finite: 'not finite'
        world = get_world_size()
        where = (f' on rank{"s" if len(ranks) > 1 else ""} {", ".join(map(str, ranks))} of '
                 f'{world}' if world > 1 else '')
        terms = ', '.join(f'{k}={v}' for k, v in bad.items() if k != 'loss')
        try:
            steps = f' of {len(runner.train_dataloader)}'
        except TypeError:  # a loader without a length
            steps = ''
        message = (f'the training loss is {value}{where} at iteration {runner.iter + 1} (epoch '
                   f'{runner.epoch + 1}, step {batch_idx + 1}{steps})'
                   f'{f"; not finite: {terms}" if terms else ""}: the run diverged and was '
                   f'stopped, its checkpoints from before this iteration kept; lower '
                   f'optim_wrapper.optimizer.lr or check the data (tools/check_data.py), or set '
                   f'check_loss=False to train on regardless')
        runner.logger.error(message)
        raise DivergedLossError(message)
