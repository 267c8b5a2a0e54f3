"""A seed study's folder, as ``tools/benchmark/run_seeds.py`` writes it: its one owner.

A study folder (``run_seeds.py --root`` or ``--archive``) holds one folder per run,
``NAME/seedS`` (``NAME``: the config file's name without ``.py``), with the run's
``metrics.json`` and, when kept, its per-sample ``scores.json``; and two files over all runs:

* ``summary.json``: ``{NAME: {seed: metrics}}``, every finished run;
* ``summary.md``: the same as a Markdown table, mean ± sample standard deviation per NAME.

``run_seeds.py`` adds trained runs, ``tools/analysis/fuse_scores.py --study`` adds score fusions
of them (one run per seed whose streams all have score files), and
``tools/analysis/paired_seeds.py`` reads both the same way.
"""
import json
import os.path as osp
import statistics
from typing import Dict

from ..utils.atomic_write import write_json, write_text

__all__ = ['SUMMARY', 'SUMMARY_MD', 'COLUMNS', 'run_dir', 'read_summary', 'write_summary',
           'summarise', 'add_run']

#: The study's file of every finished run's metrics, ``{NAME: {seed: metrics}}``.
SUMMARY = 'summary.json'
#: The same as a Markdown table.
SUMMARY_MD = 'summary.md'

#: Metrics reported in the table, in order, with their column titles.
COLUMNS = (('acc/top1', 'top-1'), ('acc/mean1', 'mean-class'),
           ('ambiguous/group_mean', 'group mean'), ('ambiguous/top1', 'group top-1'),
           ('ambiguous/confusion', 'within-group confusion'))


def run_dir(root: str, name: str, seed) -> str:
    """The folder of run ``name`` (a config name without ``.py``) and ``seed``:
    ``ROOT/NAME/seedS``."""
    return osp.join(root, name, f'seed{seed}')


def read_summary(root: str) -> Dict[str, Dict[str, dict]]:
    """``root``'s ``summary.json`` (``{}`` when the study has none yet).

    Raises:
        ValueError: the file is not a summary, named with its path.
    """
    path = osp.join(root, SUMMARY)
    if not osp.exists(path):
        return {}
    with open(path, encoding='utf-8') as f:
        try:
            summary = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f'{path}: not a study summary (line {e.lineno}: {e.msg})') from None
    if not isinstance(summary, dict) or not all(
            isinstance(runs, dict) and all(isinstance(m, dict) for m in runs.values())
            for runs in summary.values()):
        raise ValueError(f'{path}: not a study summary ({{name: {{seed: metrics}}}})')
    return summary


def write_summary(root: str, summary: Dict[str, Dict[str, dict]]) -> str:
    """Write ``summary.json`` and ``summary.md`` of ``root`` (each atomically); the table."""
    write_json(osp.join(root, SUMMARY), summary)
    table = summarise(summary)
    write_text(osp.join(root, SUMMARY_MD), table + '\n')
    return table


def add_run(root: str, name: str, seed, metrics: dict) -> Dict[str, Dict[str, dict]]:
    """Add (or replace) one run in ``root``'s summary; the updated summary."""
    summary = read_summary(root)
    summary.setdefault(name, {})[str(seed)] = metrics
    write_summary(root, summary)
    return summary


def summarise(results: dict) -> str:
    """Markdown table: mean ± sample std per config.

    Metrics in percent, then minutes of training (wall, and CPU time of its processes: the
    latter leaves out pauses and waits for a busy core, and counts every thread) and the median
    seconds per training step.
    """
    head = ('| config | runs | ' + ' | '.join(t for _, t in COLUMNS)
            + ' | train min | train CPU min | s/step |')
    lines = [head, '|' + '---|' * (len(COLUMNS) + 5)]
    for name, runs in results.items():
        cells = []
        for key, _ in COLUMNS + (('train_seconds', ''), ('train_cpu_seconds', ''),
                                 ('step_seconds', '')):
            values = [r[key] for r in runs.values() if r.get(key) is not None]
            scale = {'train_seconds': 1 / 60, 'train_cpu_seconds': 1 / 60,
                     'step_seconds': 1}.get(key, 100)
            if not values:
                cells.append('n/a')
            elif len(values) == 1:
                cells.append(f'{values[0] * scale:.2f}')
            else:
                cells.append(f'{statistics.mean(values) * scale:.2f} ± '
                             f'{statistics.stdev(values) * scale:.2f}')
        lines.append(f'| {name} | {len(runs)} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)
