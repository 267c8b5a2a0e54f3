"""Check the data against the config when a run starts, before the first step.

``tools/train.py`` adds :class:`CheckDataHook` by default (:func:`ensure_check_data_hook`); with
MMAction2's stock tools add it yourself::

    custom_hooks = [dict(type='CheckDataHook')]

It runs in ``before_run``, after the runner has built its datasets and before the first
iteration, on the annotations already in memory (nothing is loaded twice). What fails earlier,
while the runner loads a file (a 0.x list pickle, a missing file), is caught by
:func:`ensure_check_data_hook` from the file's first bytes. ``tools/check_data.py CONFIG`` runs the
same checks without starting a run.
"""
import os.path as osp

from mmengine.hooks import Hook
from mmengine.runner import BaseLoop

from mmaction.registry import HOOKS
from ...datasets.checks import (DataCheckError, check_built_datasets, conversion_command,
                                is_pickle_path, loaders_of, old_format_message,
                                sniff_pickle_container)


@HOOKS.register_module()
class CheckDataHook(Hook):
    """Verify the built datasets against the model before the first step.

    Args:
        run_pipeline (bool): Also dry-run each dataset's pipeline on one sample and compare the
            model input with the model. Defaults to True.
        max_lines (int): Lines shown per kind of problem; the rest are counted.
            Defaults to 5.
        strict (bool): Stop the run (``DataCheckError``) when a problem is found; otherwise
            log the report as a warning. Defaults to True.
    """

    priority = 'VERY_HIGH'

    def __init__(self, run_pipeline: bool = True, max_lines: int = 5, strict: bool = True):
        self.run_pipeline = run_pipeline
        self.max_lines = max_lines
        self.strict = strict

    @staticmethod
    def _built_datasets(runner) -> dict:
        # Only loops the runner has built (train() builds train + val, test() builds test);
        # reading the public properties would build the others as a side effect.
        datasets = {}
        for name in ('train', 'val', 'test'):
            loop = getattr(runner, f'_{name}_loop', None)
            if isinstance(loop, BaseLoop) and hasattr(loop, 'dataloader'):
                datasets[name] = loop.dataloader.dataset
        return datasets

    def before_run(self, runner) -> None:
        datasets = self._built_datasets(runner)
        if not datasets:
            return
        report = check_built_datasets(runner.cfg, datasets, self.run_pipeline)
        text = report.format(self.max_lines)
        if report.ok:
            runner.logger.info('CheckDataHook: ' + text.replace('\n', '\n  '))
            return
        message = ('the data does not fit the config (set check_data=False or remove '
                   'CheckDataHook to skip this check):\n' + text)
        if self.strict:
            raise DataCheckError(message)
        runner.logger.warning('CheckDataHook: ' + message)


def ensure_check_data_hook(cfg) -> None:
    """Add :class:`CheckDataHook` to a config, and refuse files a runner could not even load.

    Set ``check_data = False`` in a config (or ``--cfg-options check_data=False``) to skip both.
    A missing annotation file of the training or validation loader, or one in MMAction2 0.x's
    list format under a config that names a split, raises :class:`DataCheckError` here, before
    the runner is built (with the command that converts a 0.x file).
    """
    if cfg.get('check_data', True) is False:
        return
    problems, old = [], []
    # The loaders a training run builds: train, and val unless validation is off.
    names = ['train'] + (['val'] if cfg.get('val_cfg', None) and cfg.get('val_dataloader', None)
                         else [])
    for loader in loaders_of(cfg, names):
        ann_file = loader.ann_file
        if not is_pickle_path(ann_file) or '://' in str(ann_file):
            continue  # other datasets, and remote files (read by mmengine's backends)
        if not osp.isfile(ann_file):
            problems.append(f'[{loader.where}] ann_file: {ann_file} not found')
        elif loader.split is not None and sniff_pickle_container(ann_file) == 'list':
            problems.append(f'[{loader.where}] ' + old_format_message(ann_file))
            old.append((loader.split, ann_file))
    if old:
        problems.append(conversion_command(old))
    if problems:
        raise DataCheckError('the data does not fit the config:\n' + '\n'.join(problems))
    hooks = list(cfg.get('custom_hooks', None) or [])
    if not any(h.get('type') == 'CheckDataHook' for h in hooks):
        hooks.append(dict(type='CheckDataHook'))
    cfg.custom_hooks = hooks
