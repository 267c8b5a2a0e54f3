"""Confusion-matrix heatmap of a look-alike group's classes, from one result file.

Rows are the true classes of the group, columns the predicted ones plus "other" (predicted as a
class outside the group); each cell is the share of the row's samples (%), with the count::

    python tools/analysis/confusion_matrix.py sfhead.pkl --groups ntu120_sfhead9 \\
        --group writing_typing_phone_reading --out-dir work_dirs/cm
    python tools/analysis/confusion_matrix.py sfhead.pkl --classes 7 8 --out-dir work_dirs/cm

Without ``--group``/``--classes``, one heatmap per group. For each: ``confusion_<name>.png`` and
the counts as text, ``confusion_<name>.txt``. A class absent from the file gets an empty row.
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
from sfhead_mm.evaluation.group_spec import ClassGroup, resolve_groups  # noqa: E402
from sfhead_mm.evaluation.result_files import load_results  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('result', help='result file (.pkl dump of tools/test.py or .json report)')
    add_group_arguments(parser)
    parser.add_argument('--group', nargs='+', help='group name(s) of --groups (default: all)')
    parser.add_argument('--classes', nargs='+',
                        help='an ad-hoc group instead: class indices or names (with '
                        '--class-names)')
    parser.add_argument('--out-dir', default='.', help='output folder')
    return parser.parse_args(argv)


def group_matrix(cm: np.ndarray, classes):
    """Counts (k, k + 1): rows true members, columns predicted members then "other"."""
    classes = list(classes)
    sub = cm[np.ix_(classes, classes)]
    other = cm[classes].sum(axis=1) - sub.sum(axis=1)
    return np.concatenate([sub, other[:, None]], axis=1)


def format_counts(counts, names, title) -> str:
    corner = 'true \\ predicted'
    w = max(len(n) for n in names + ['other', corner]) + 2
    lines = [title, f'{corner:<{w}}' + ''.join(f'{n:>{w}}' for n in names + ['other'])
             + f'{"samples":>9}']
    for name, row in zip(names, counts):
        lines.append(f'{name:<{w}}' + ''.join(f'{int(v):>{w}}' for v in row)
                     + f'{int(row.sum()):>9}')
    return '\n'.join(lines) + '\n'


def plot(counts, names, title, path):
    support = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid='ignore', divide='ignore'):
        share = np.where(support > 0, 100 * counts / np.maximum(support, 1), np.nan)
    k = len(names)
    fig, ax = plt.subplots(figsize=(1.1 * (k + 1) + 2.5, 0.9 * k + 2))
    cmap = plt.get_cmap('Blues').with_extremes(bad='lightgrey')  # grey: absent classes
    im = ax.imshow(np.ma.masked_invalid(share), cmap=cmap, vmin=0, vmax=100)
    for i in range(k):
        for j in range(k + 1):
            if np.isnan(share[i, j]):
                text = 'absent' if j == 0 else ''
            else:
                text = f'{share[i, j]:.1f}%\n({int(counts[i, j])})'
            ax.text(j, i, text, ha='center', va='center', fontsize=8,
                    color='white' if share[i, j] > 60 else 'black')
    ax.set_xticks(range(k + 1))
    ax.set_xticklabels(names + ['other'], rotation=40, ha='right', fontsize=8)
    ax.set_yticks(range(k))
    ax.set_yticklabels(names, fontsize=8)
    ax.set_xlabel('predicted')
    ax.set_ylabel('true')
    ax.set_title(title, fontsize=9)
    fig.colorbar(im, ax=ax, label='% of the true class')
    fig.tight_layout()
    save_figure(fig, path, dpi=150)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    result = load_results(args.result)
    if args.classes:
        members = [int(c) if c.lstrip('-').isdigit() else c for c in args.classes]
        group_set = resolve_groups({'classes': members}, args.class_names)
        group_set.check_num_classes(result.num_classes)
        g = group_set.groups[0]
        chosen = [ClassGroup('classes_' + '_'.join(map(str, g.classes)), g.classes)]
    else:
        group_set = groups_from_args(args, result.num_classes)
        chosen = group_set.groups
        if args.group:
            by_name = {g.name: g for g in chosen}
            unknown = [n for n in args.group if n not in by_name]
            if unknown:
                raise SystemExit(f'--group {", ".join(unknown)}: not in {group_set.name!r} '
                                 f'(groups: {", ".join(by_name)})')
            chosen = [by_name[n] for n in args.group]
    for group in chosen:
        counts = group_matrix(result.confusion, group.classes)
        names = [f'{group_set.display_name(c)} ({c})' for c in group.classes]
        title = f'{group.name} - {osp.basename(args.result)}'
        base = osp.join(args.out_dir, f'confusion_{group.name}')
        text = format_counts(counts, names, title)
        write_text(base + '.txt', text)
        plot(counts, names, title, base + '.png')
        print(text + f'wrote {base}.png and {base}.txt\n')


if __name__ == '__main__':
    try:
        main()
    except (ValueError, FileNotFoundError) as e:  # bad input: the message names it
        raise SystemExit(f'error: {e}')
