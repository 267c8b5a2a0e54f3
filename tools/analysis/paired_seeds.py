"""Paired comparison of two configs trained on the same seeds by ``tools/benchmark/run_seeds.py``.

A study of "baseline vs baseline + head" over a few seeds is read best seed by seed: the two runs
of one seed share the seed and everything it decides (initial weights, sample order,
augmentation draws), so their difference is less noisy than the difference of the two means.
For every ``--pair BASE OTHER`` (names as in the study's ``summary.json``: config file names
without ``.py``) this prints, per seed both have finished, the difference OTHER - BASE of top-1,
of the group mean and of the within-group confusion, and, from the two runs' score files
(``scores.json``, or the ``predictions.pkl`` of older studies), the test clips only one of the
two gets right and the exact McNemar p-value of that split (how likely so lopsided a split is if
both models were equally good on this test set). The last row is the mean difference over seeds,
the sample standard deviation of the differences and how many seeds OTHER wins, ties and loses
on top-1. A second table does the same per look-alike group (the ambiguous-group metric's
``ambiguous/<group>/acc`` and ``/confusion``): both models' means over the paired seeds and the
mean difference, which says where a head's gain comes from (a group holds few test clips: on
NW-UCLA 86-137, so one clip moves it 0.7-1.2 points)::

    python tools/analysis/paired_seeds.py work_dirs/nwucla2h \\
        --pair ctrgcn_nwucla_cpu2h ctrgcn_sfhead_nwucla_cpu2h \\
        --pair ctrgcn_nwucla-bone_cpu2h ctrgcn_sfhead_nwucla-bone_cpu2h --out paired.md

A pair that cannot be compared (a name the study does not hold, no seed finished by both) is
named in one line; the other pairs are still printed and written, and the exit status is 1.

The McNemar test treats the test set as a sample and one training run as fixed: it says whether a
seed's split of clips is more than test-set luck, not whether the head helps across seeds (that
is what the spread of the per-seed differences says).
"""
import argparse
import math
import os.path as osp
import statistics
import sys
from typing import Dict, List, Optional, Tuple

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

import numpy as np  # noqa: E402

from sfhead_mm.evaluation import AmbiguousGroupMetric  # noqa: E402
from sfhead_mm.evaluation.result_files import load_results, run_scores  # noqa: E402
from sfhead_mm.evaluation.score_fusion import join_by_id  # noqa: E402
from sfhead_mm.evaluation.study import SUMMARY, read_summary, run_dir  # noqa: E402
from sfhead_mm.utils.atomic_write import write_json, write_text  # noqa: E402
from sfhead_mm.utils.console import print_error  # noqa: E402

#: Differences reported per seed, in percentage points: (metric key, column title).
DIFFS = (('acc/top1', 'Δ top-1'), ('ambiguous/group_mean', 'Δ group mean'),
         ('ambiguous/confusion', 'Δ within-group confusion'))


def mcnemar_exact(only_base: int, only_other: int) -> float:
    """Two-sided exact McNemar p-value: the binomial test of the discordant split at 1/2."""
    n = only_base + only_other
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(only_base, only_other) + 1))
    return min(1.0, 2 * tail / 2 ** n)


def discordant(base_file: str, other_file: str) -> Tuple[int, int, int]:
    """Clips right only by BASE, right only by OTHER, and all clips, joined by sample id."""
    joined = join_by_id({'base': load_results(base_file), 'other': load_results(other_file)})
    right = {k: np.argmax(s, 1) == joined.labels for k, s in joined.scores.items()}
    return (int((right['base'] & ~right['other']).sum()),
            int((right['other'] & ~right['base']).sum()), len(joined.labels))


def compare(root: str, summary: Dict[str, dict], base: str, other: str) -> dict:
    """Per-seed and mean differences of ``other`` against ``base`` (see the module docstring)."""
    for name in (base, other):
        if name not in summary:
            raise ValueError(f'{osp.join(root, SUMMARY)} has no runs of {name!r} '
                             f'(it has: {", ".join(sorted(summary)) or "none"})')
    seeds = sorted(set(summary[base]) & set(summary[other]), key=int)
    if not seeds:
        raise ValueError(f'{base!r} (seeds {", ".join(sorted(summary[base], key=int))}) and '
                         f'{other!r} (seeds {", ".join(sorted(summary[other], key=int))}) '
                         f'share no finished seed')
    rows = []
    for seed in seeds:
        mb, mo = summary[base][seed], summary[other][seed]
        row = dict(seed=int(seed), base_top1=100 * mb['acc/top1'],
                   other_top1=100 * mo['acc/top1'])
        for key, _ in DIFFS:
            row[key] = (100 * (mo[key] - mb[key]) if mb.get(key) is not None
                        and mo.get(key) is not None else None)
        dumps = [run_scores(run_dir(root, name, seed)) for name in (base, other)]
        if all(dumps):
            only_base, only_other, n = discordant(*dumps)
            row.update(only_base=only_base, only_other=only_other, clips=n,
                       mcnemar_p=mcnemar_exact(only_base, only_other))
        rows.append(row)
    mean = {}
    for key, _ in DIFFS:
        values = [r[key] for r in rows if r[key] is not None]
        mean[key] = _mean_sd(values) if values else (None, None)
    d = [r['acc/top1'] for r in rows]
    record = dict(wins=sum(x > 0 for x in d), ties=sum(x == 0 for x in d),
                  losses=sum(x < 0 for x in d))
    return dict(base=base, other=other, rows=rows, mean=mean, top1_record=record,
                groups=group_rows(summary[base], summary[other], seeds))


def _mean_sd(values: List[float]) -> Tuple[float, Optional[float]]:
    return statistics.mean(values), statistics.stdev(values) if len(values) > 1 else None


def group_rows(base: Dict[str, dict], other: Dict[str, dict], seeds: List[str]) -> List[dict]:
    """Per look-alike group, over the seeds where both runs report it: the means of accuracy
    and within-group confusion of both models and their mean paired difference (points)."""
    names = list(dict.fromkeys(  # every group any paired run reports, in first-seen order
        g for run in (base, other) for s in seeds
        for g in AmbiguousGroupMetric.reported_groups(run[s])))
    rows = []
    for name in names:
        row = dict(group=name)
        for stat in ('acc', 'confusion'):
            key = f'ambiguous/{name}/{stat}'
            pairs = [(100 * base[s][key], 100 * other[s][key]) for s in seeds
                     if base[s].get(key) is not None and other[s].get(key) is not None]
            if not pairs:
                break
            row[f'base_{stat}'] = statistics.mean(b for b, _ in pairs)
            row[f'other_{stat}'] = statistics.mean(o for _, o in pairs)
            row[f'delta_{stat}'] = _mean_sd([o - b for b, o in pairs])
            row['seeds'] = len(pairs)
        else:
            rows.append(row)
    return rows


def _pp(value: Optional[float]) -> str:
    return 'n/a' if value is None else f'{value:+.2f}'


def table(result: dict) -> str:
    """One pair as a Markdown table."""
    head = (['seed', f'{result["base"]} top-1', f'{result["other"]} top-1']
            + [t for _, t in DIFFS] + ['right only in base / only in other', 'McNemar p'])
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r in result['rows']:
        split = (f'{r["only_base"]} / {r["only_other"]} of {r["clips"]}'
                 if 'clips' in r else 'n/a (no score file)')
        p = f'{r["mcnemar_p"]:.3f}' if 'mcnemar_p' in r else 'n/a'
        lines.append(f'| {r["seed"]} | {r["base_top1"]:.2f} | {r["other_top1"]:.2f} | '
                     + ' | '.join(_pp(r[k]) for k, _ in DIFFS) + f' | {split} | {p} |')
    cells = []
    for key, _ in DIFFS:
        m, s = result['mean'][key]
        cells.append(_pp(m) + ('' if s is None else f' ± {s:.2f}'))
    rec = result['top1_record']
    lines.append(f'| mean of {len(result["rows"])} | | | ' + ' | '.join(cells)
                 + f' | top-1 wins / ties / losses: {rec["wins"]} / {rec["ties"]} / '
                 f'{rec["losses"]} | |')
    if result['groups']:
        lines += ['', 'Per look-alike group, mean over the paired seeds (Δ: mean of the per-seed '
                  'differences ± their sd)', '',
                  '| group | seeds | base acc | other acc | Δ acc | base confusion '
                  '| other confusion | Δ confusion |', '|' + '---|' * 8]
        for g in result['groups']:
            cells = [g['group'], str(g['seeds'])]
            for stat in ('acc', 'confusion'):
                m, s = g[f'delta_{stat}']
                cells += [f'{g[f"base_{stat}"]:.2f}', f'{g[f"other_{stat}"]:.2f}',
                          _pp(m) + ('' if s is None else f' ± {s:.2f}')]
            lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('root', help='the study folder of run_seeds.py (--root), holding '
                        'summary.json and NAME/seedS/scores.json (or predictions.pkl)')
    parser.add_argument('--pair', nargs=2, action='append', required=True,
                        metavar=('BASE', 'OTHER'), help='two config names of the study; '
                        'repeat for more pairs')
    parser.add_argument('--out', help='also write the tables to this Markdown file')
    parser.add_argument('--json', help='also write every number to this JSON file')
    return parser.parse_args(argv)


def main(argv=None) -> List[dict]:
    args = parse_args(argv)
    summary_file = osp.join(args.root, SUMMARY)
    if not osp.exists(summary_file):
        raise SystemExit(f'error: {summary_file}: no such file (run run_seeds.py with --root '
                         f'{args.root} first)')
    try:
        summary = read_summary(args.root)
    except ValueError as e:
        raise SystemExit(f'error: {e}')
    results, problems = [], []
    for base, other in args.pair:  # a pair that cannot be read is named; the others go on
        try:
            results.append(compare(args.root, summary, base, other))
        except (ValueError, KeyError, FileNotFoundError) as e:
            problems.append(f'{summary_file}: {e}')
            print_error(problems[-1])
    if results:
        text = '\n\n'.join(f'{r["other"]} vs {r["base"]} (percentage points, other - base)\n\n'
                           + table(r) for r in results)
        print(text)
        if args.out:
            write_text(args.out, text + '\n')
        if args.json:
            write_json(args.json, results)
    if problems:
        raise SystemExit(f'error: {len(problems)} of {len(args.pair)} pair(s) not compared: '
                         + '; '.join(problems))
    return results


if __name__ == '__main__':
    main()
