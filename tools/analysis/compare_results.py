"""Compare two result files class by class on the look-alike groups (the paper's Fig. 3).

Writes a bar chart of the per-class accuracy difference (other - baseline) of every group class,
sorted from the largest gain to the largest loss, and the same numbers as a text table::

    python tools/analysis/compare_results.py baseline.pkl sfhead.pkl \\
        --groups ntu120_sfhead9 --labels CTR-GCN "CTR-GCN + SF-Head" --out-dir work_dirs/cmp

A result file is a ``tools/test.py --dump`` pickle or a JSON report of AmbiguousGroupMetric.
Classes absent from either file are listed as absent, not plotted. Output:
``<out-dir>/<prefix>.png`` and ``<out-dir>/<prefix>.txt``.
"""
import argparse
import os.path as osp
import sys

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

import matplotlib  # noqa: E402

matplotlib.use('Agg')  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sfhead_mm.evaluation.analysis_cli import add_group_arguments, groups_from_args  # noqa
from sfhead_mm.utils.atomic_write import save_figure, write_text  # noqa: E402
from sfhead_mm.evaluation.functional import groups_summary  # noqa: E402
from sfhead_mm.evaluation.result_files import load_results  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('baseline', help='result file of the baseline (.pkl dump or .json)')
    parser.add_argument('other', help='result file of the model compared with it')
    add_group_arguments(parser)
    parser.add_argument('--labels', nargs=2, default=('baseline', 'other'),
                        metavar=('BASELINE', 'OTHER'), help='names of the two models')
    parser.add_argument('--out-dir', default='.', help='folder for the PNG and the table')
    parser.add_argument('--prefix', default='compare', help='file name prefix (default: compare)')
    return parser.parse_args(argv)


def compare(baseline, other, group_set):
    """Rows for the table: one per group class, sorted by difference (largest gain first).

    Returns:
        tuple: (rows, absent, group_rows). A row is ``(label, name, groups, acc_base,
        acc_other, diff)`` with accuracies as fractions.
    """
    acc_b, _ = baseline.class_accuracy()
    acc_o, _ = other.class_accuracy()
    member_of = {}
    for g in group_set.groups:
        for c in g.classes:
            member_of.setdefault(c, []).append(g.name)
    rows, absent = [], []
    for c in group_set.classes:
        entry = (c, group_set.display_name(c), ', '.join(member_of[c]))
        if np.isnan(acc_b[c]) or np.isnan(acc_o[c]):
            absent.append(entry)
        else:
            rows.append(entry + (float(acc_b[c]), float(acc_o[c]), float(acc_o[c] - acc_b[c])))
    rows.sort(key=lambda r: (-r[5], r[0]))
    groups = [(g.name, g.classes) for g in group_set.groups]
    sum_b = groups_summary(baseline.confusion, groups)
    sum_o = groups_summary(other.confusion, groups)
    group_rows = [(g.name, sum_b['groups'][g.name]['mean_acc'],
                   sum_o['groups'][g.name]['mean_acc']) for g in group_set.groups]
    group_rows.append(('mean over groups', sum_b['group_mean'], sum_o['group_mean']))
    group_rows.append(('top-1 of group classes', sum_b['top1'], sum_o['top1']))
    return rows, absent, group_rows


def _pct(v):
    return f'{100 * v:9.2f}' if not np.isnan(v) else '   absent'


def format_table(rows, absent, group_rows, labels, paths) -> str:
    lb, lo = labels
    w = max([len(f'{r[1]} ({r[0]})') for r in rows + absent] + [12]) + 2
    gw = max([len(r[2]) for r in rows + absent] + [len(g[0]) for g in group_rows] + [5]) + 2
    out = ['Per-class accuracy (%) of the group classes, sorted by difference',
           f'  {lb}: {paths[0]}', f'  {lo}: {paths[1]}', '',
           f'{"rank":<6}{"class":<{w}}{"group":<{gw}}{lb[:12]:>12}{lo[:12]:>12}{"diff":>9}']
    for i, (c, name, group, a, b, d) in enumerate(rows, 1):
        out.append(f'{i:<6}{name + f" ({c})":<{w}}{group:<{gw}}{100 * a:12.2f}{100 * b:12.2f}'
                   f'{100 * d:+9.2f}')
    for c, name, group in absent:
        out.append(f'{"-":<6}{name + f" ({c})":<{w}}{group:<{gw}}{"absent (no sample)":>33}')
    out += ['', f'{"group":<{gw}}{lb[:12]:>12}{lo[:12]:>12}{"diff":>9}']
    for name, a, b in group_rows:
        diff = f'{100 * (b - a):+9.2f}' if not (np.isnan(a) or np.isnan(b)) else '        -'
        out.append(f'{name:<{gw}}{_pct(a):>12}{_pct(b):>12}{diff}')
    return '\n'.join(out) + '\n'


def plot(rows, group_set, labels, path):
    """Bar chart of the differences (percentage points), one colour per group."""
    names = [g.name for g in group_set.groups]
    cmap = plt.get_cmap('tab10' if len(names) <= 10 else 'tab20')
    colour = {n: cmap(i % cmap.N) for i, n in enumerate(names)}
    fig, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(rows) + 2), 4.8))
    x = np.arange(len(rows))
    diffs = [100 * r[5] for r in rows]
    bars = ax.bar(x, diffs, color=[colour[r[2].split(', ')[0]] for r in rows])
    for bar, d in zip(bars, diffs):
        ax.annotate(f'{d:+.2f}', (bar.get_x() + bar.get_width() / 2, d),
                    ha='center', va='bottom' if d >= 0 else 'top', fontsize=7,
                    xytext=(0, 2 if d >= 0 else -2), textcoords='offset points')
    ax.axhline(0, color='black', linewidth=0.8)
    ax.set_xticks(x)
    ax.set_xticklabels([r[1] for r in rows], rotation=60, ha='right', fontsize=8)
    ax.set_ylabel('accuracy difference (%)')
    ax.set_title(f'{labels[1]} - {labels[0]}: per-class accuracy of the look-alike groups')
    used = [n for n in names if any(r[2].split(', ')[0] == n for r in rows)]
    ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=colour[n]) for n in used],
              labels=used, fontsize=7, loc='upper right', ncol=2)
    fig.tight_layout()
    save_figure(fig, path, dpi=150)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    baseline, other = load_results(args.baseline), load_results(args.other)
    if baseline.num_classes != other.num_classes:
        raise SystemExit(f'{args.baseline} has {baseline.num_classes} classes, {args.other} '
                         f'{other.num_classes}: not results of the same dataset')
    if baseline.ids is not None and other.ids is not None and \
            set(baseline.ids) != set(other.ids):
        print(f'warning: the two files do not hold the same samples '
              f'({len(set(baseline.ids) ^ set(other.ids))} ids differ); per-class accuracies '
              f'are compared anyway', file=sys.stderr)
    group_set = groups_from_args(args, baseline.num_classes)
    rows, absent, group_rows = compare(baseline, other, group_set)
    table = format_table(rows, absent, group_rows, args.labels, (args.baseline, args.other))
    base = osp.join(args.out_dir, args.prefix)
    write_text(base + '.txt', table)
    if rows:
        plot(rows, group_set, args.labels, base + '.png')
    else:
        print('no group class has samples in both files: no chart written', file=sys.stderr)
    print(table, end='')
    print(f'wrote {base}.txt' + (f' and {base}.png' if rows else ''))


if __name__ == '__main__':
    try:
        main()
    except (ValueError, FileNotFoundError) as e:  # bad input: the message names it
        raise SystemExit(f'error: {e}')
