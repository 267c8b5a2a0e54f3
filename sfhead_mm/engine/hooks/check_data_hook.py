"""Check the data against the config when a run starts, before the first step.

Declared in ``configs/_base_/default_runtime.py`` (``custom_hooks``), so MMAction2's own tools run
it too; a config that does not inherit it adds ``custom_hooks = [dict(type='CheckDataHook')]``.

It runs in ``before_run``, after the runner has built its datasets and before the first
iteration, on the annotations already in memory (nothing is loaded twice). What fails earlier,
while the runner loads a file (a 0.x list pickle, a missing or truncated file, an unknown split),
is explained in one line by the tools' entry points
(:func:`sfhead_mm.datasets.pose_dataset_errors.data_errors_in_one_line`).
``tools/check_data.py CONFIG`` runs the same checks without starting a run.
"""
import os.path as osp

from mmengine.hooks import Hook
from mmengine.runner import BaseLoop

from mmaction.registry import HOOKS
from ...datasets.layout_checks import check_layout_consistency
from ...datasets.checks import DataCheckError, check_built_datasets


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
        if runner.cfg.get('check_data', True) is False:
            return  # the config opts out
        datasets = self._built_datasets(runner)
        if not datasets:
            return
        report = check_built_datasets(runner.cfg, datasets, self.run_pipeline)
        text = report.format(self.max_lines)
        # Layouts: pipeline vs graph vs the checkpoint loaded vs the data, groups vs classes.
        load_from = runner.cfg.get('load_from', None)
        checkpoint = load_from if isinstance(load_from, str) and osp.isfile(load_from) else None
        issues = check_layout_consistency(runner.cfg, checkpoint=checkpoint,
                                          samples=next(iter(datasets.values())))
        errors = [i for i in issues if i.level == 'error']
        for issue in issues:
            if issue.level != 'error':
                runner.logger.warning('CheckDataHook: ' + issue)
        if report.ok and not errors:
            runner.logger.info('CheckDataHook: ' + text.replace('\n', '\n  '))
            return
        message = ('the data does not fit the config (set check_data=False or remove '
                   'CheckDataHook to skip this check):\n' + '\n'.join(
                       ([] if report.ok else [text]) + errors))
        if self.strict:
            raise DataCheckError(message)
        runner.logger.warning('CheckDataHook: ' + message)
