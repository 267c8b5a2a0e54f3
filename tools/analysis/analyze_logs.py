# Plot training curves and time statistics of mmengine json logs (MMAction2's analyze_logs, fixed).
"""Curves and training time of mmengine json logs (``<work_dir>/<timestamp>/vis_data/*.json``).

    python tools/analysis/analyze_logs.py plot_curve LOG.json [LOG2.json ...] \\
        --keys loss acc/top1 [--legend A B ...] [--title T] --out curves.png
    python tools/analysis/analyze_logs.py cal_train_time LOG.json [--include-outliers]
    python tools/analysis/analyze_logs.py val_table WORK_DIR|LOG.json [...] \\
        --keys acc/top1 ambiguous/confusion [--legend A B ...] [--percent] [--out curve.json]

MMAction2 1.2's ``tools/analysis_tools/analyze_logs.py`` (``mim run mmaction analyze_logs``) still
expects MMAction2 0.x logs: its ``plot_curve`` fails on mmengine's logs (``IndexError`` on the
missing ``mode`` field) and it needs seaborn (pinned in requirements.txt, so that its
``cal_train_time`` runs). This one reads mmengine's format (``sfhead_mm.utils.json_logs``):
training lines (``iter``, ``step``, ``epoch`` in an epoch-based loop, and the losses, per logging
interval) are plotted against the iteration, validation lines (metrics such as ``acc/top1``;
``step`` is the epoch, or the iteration in an iteration-based loop) against the epoch's last
logged iteration.

``val_table`` gives the validation curve of one or more runs as a Markdown table, one row per
validated epoch (and, with ``--out``, as JSON: per legend entry, the rows ``{"epoch": E, key:
value}`` as logged). In an iteration-based run the rows are iterations and the column and key say
``iter``; runs of both kinds in one table say ``step``. A run is a log file or a work dir; a
work dir's logs are all its runner sessions (``*/vis_data/scalars.json``, oldest first), so a
resumed run reads as one, an epoch validated again after a resume keeping its later values.
"""
import argparse
import os.path as osp
import sys
from collections import defaultdict

import numpy as np

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from sfhead_mm.utils.json_logs import log_lines, val_rows, val_step_name  # noqa: E402


def load_log(path: str):
    """``(train, val)``: dict key -> list of ``(iteration, value)``."""
    train, val = defaultdict(list), defaultdict(list)
    iters_per_epoch = {}
    for kind, log in log_lines(path):
        if kind == 'train':
            step = log.get('step', log['iter'])
            if 'epoch' in log:  # an iteration-based loop logs no epoch
                iters_per_epoch[log['epoch']] = step
            for k, v in log.items():
                if k not in ('epoch', 'iter', 'step'):
                    train[k].append((step, v))
        else:  # at the epoch's last logged iteration (iteration-based: step is the iteration)
            x = iters_per_epoch.get(log['step'], log['step'])
            for k, v in log.items():
                if k != 'step':
                    val[k].append((x, v))
    return train, val


def val_table(args) -> int:
    from sfhead_mm.utils.atomic_write import write_json
    legend = args.legend or [osp.basename(osp.normpath(s)) for s in args.sources]
    if len(legend) != len(args.sources):
        raise SystemExit(f'--legend needs {len(args.sources)} entries (one per run)')
    runs = {}
    for name, source in zip(legend, args.sources):
        rows = val_rows(source)
        seen = set().union(*rows.values()) if rows else set()
        missing = [k for k in args.keys if k not in seen]
        if missing:
            raise SystemExit(f'{source}: no validation values of {missing}; it has: '
                             f'{sorted(seen) or "no validation lines"}')
        runs[name] = rows
    # what the first column counts: the epoch, or the iteration of iteration-based runs
    names = {val_step_name(source) for source in args.sources} - {'step'}
    step = names.pop() if len(names) == 1 else 'step'
    epochs = sorted(set().union(*(rows.keys() for rows in runs.values())))
    scale, digits = (100, 2) if args.percent else (1, 4)
    cols = [f'{name} {key}' if len(runs) > 1 else key for name in runs for key in args.keys]
    print(f'| {step} | ' + ' | '.join(cols) + ' |')
    print('|---' * (len(cols) + 1) + '|')
    for epoch in epochs:
        cells = []
        for rows in runs.values():
            for key in args.keys:
                value = rows.get(epoch, {}).get(key)
                cells.append('' if value is None else f'{value * scale:.{digits}f}')
        print(f'| {epoch} | ' + ' | '.join(cells) + ' |')
    if args.out:
        write_json(args.out, {name: [{step: e, **{k: r[k] for k in args.keys if k in r}}
                                     for e, r in rows.items()]
                              for name, rows in runs.items()})
        print(f'wrote {args.out}')
    return 0


def plot_curve(args) -> int:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from sfhead_mm.utils.atomic_write import save_figure
    legend = args.legend or [f'{osp.basename(log)}: {k}' for log in args.json_logs
                             for k in args.keys]
    if len(legend) != len(args.json_logs) * len(args.keys):
        raise SystemExit(f'--legend needs {len(args.json_logs) * len(args.keys)} entries '
                         f'(logs x keys)')
    fig = Figure(figsize=(8, 5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    i = 0
    for log in args.json_logs:
        train, val = load_log(log)
        for key in args.keys:
            series = train.get(key) or val.get(key)
            if not series:
                raise SystemExit(f'{log} has no key {key!r}; it has: '
                                 f'{sorted(set(train) | set(val))}')
            xs, ys = zip(*series)
            marker = 'o' if key not in train else None
            ax.plot(xs, ys, label=legend[i], linewidth=1, marker=marker)
            print(f'{log}: {key}, {len(xs)} point(s), last {ys[-1]:.4g}')
            i += 1
    ax.set_xlabel('iteration')
    ax.legend()
    if args.title:
        ax.set_title(args.title)
    save_figure(fig, args.out)
    print(f'wrote {args.out}')
    return 0


def cal_train_time(args) -> int:
    for log in args.json_logs:
        train, _ = load_log(log)
        times = np.array([v for _, v in train.get('time', [])])
        if not len(times):
            raise SystemExit(f'{log} has no training "time" entries')
        if not args.include_outliers and len(times) > 1:
            times = times[1:]  # the first interval holds start-up work
        print(f'{log}: average iteration time {times.mean():.4f} s '
              f'(std {times.std():.4f}, {len(times)} logged interval(s))')
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='task', required=True)
    plot = sub.add_parser('plot_curve', help='plot keys against the iteration')
    plot.add_argument('json_logs', nargs='+')
    plot.add_argument('--keys', nargs='+', default=['loss'])
    plot.add_argument('--legend', nargs='+')
    plot.add_argument('--title')
    plot.add_argument('--out', required=True, help='.png / .pdf / .svg')
    timing = sub.add_parser('cal_train_time', help='average iteration time')
    timing.add_argument('json_logs', nargs='+')
    timing.add_argument('--include-outliers', action='store_true')
    table = sub.add_parser('val_table', help='validation metrics per epoch (Markdown, JSON)')
    table.add_argument('sources', nargs='+', metavar='RUN',
                       help='a json log, or a work dir (all its runner sessions)')
    table.add_argument('--keys', nargs='+', default=['acc/top1'])
    table.add_argument('--legend', nargs='+', help='a name per run (default: its file/folder)')
    table.add_argument('--percent', action='store_true', help='print values x 100')
    table.add_argument('--out', help='also write the rows as JSON')
    args = parser.parse_args(argv)
    try:
        return dict(plot_curve=plot_curve, cal_train_time=cal_train_time,
                    val_table=val_table)[args.task](args)
    except (OSError, ValueError) as e:  # a missing log or work dir, a broken line (file:line)
        raise SystemExit(f'error: {e}')


if __name__ == '__main__':
    sys.exit(main())
