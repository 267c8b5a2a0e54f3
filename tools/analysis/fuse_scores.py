"""Fuse the saved scores of joint / bone / joint-motion / bone-motion models, joined by sample id.

Each input is a ``tools/test.py --dump`` file, a ``.json`` score file or a ``.pkl`` pickle (both
record every sample's ``frame_dir``). The samples are matched by that id, not by position, so
files written in different orders (e.g. by distributed tests) fuse correctly::

    python tools/analysis/fuse_scores.py --joint j.pkl --bone b.pkl \\
        --joint-motion jm.pkl --bone-motion bm.pkl --groups ntu120_sfhead9 --out fused.pkl

Default weights: CTR-GCN's ``ensemble.py`` (0.6 joint, 0.6 bone, 0.4 joint-motion, 0.4
bone-motion; two streams: 1 and 1), applied to the scores as dumped (MMAction2's GCNHead dumps
probabilities; ``--softmax`` converts raw-score dumps first). Prints every stream's top-1, the
fused top-1/top-5 and the ambiguous-group report of the fused scores. ``--out`` writes the fused
scores for the other analysis tools (a ``.json`` score file, or a ``.pkl`` in the dump format),
``--report`` the group report as JSON.

``--study ROOT --name NAME`` fuses the runs of a seed study (``tools/benchmark/run_seeds.py
--root`` or ``--archive``) seed by seed: the stream options then name runs of the study (config
names without ``.py``), and every seed whose streams all have a score file becomes a run
``ROOT/NAME/seedS`` (its ``scores.json``, and a ``metrics.json`` with the configs' metrics:
``acc/top1``, ``acc/top5``, ``acc/mean1`` as MMAction2's ``AccMetric`` computes them and the
ambiguous-group metric's, plus the streams and weights), added to the study's summary. So
``tools/analysis/paired_seeds.py`` reads a fusion like a trained run::

    python tools/analysis/fuse_scores.py --study work_dirs/nwucla2h --name ctrgcn_nwucla-2s \
        --joint ctrgcn_nwucla_cpu2h --bone ctrgcn_nwucla-bone_cpu2h --groups nwucla_lookalike
    python tools/analysis/paired_seeds.py work_dirs/nwucla2h --pair ctrgcn_nwucla-2s ...

``--groups`` must be the group set the streams were evaluated with (checked against the group
names in their metrics). A seed without a score file in some stream is skipped with a one-line
message; with ``--seeds`` that is an error (exit status 1, after the other seeds).
"""
import argparse
import logging
import os.path as osp
import sys

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

import torch  # noqa: E402
from mmengine.logging import MMLogger  # noqa: E402

from sfhead_mm.evaluation import AmbiguousGroupMetric  # noqa: E402
from sfhead_mm.evaluation.analysis_cli import add_group_arguments  # noqa: E402
from sfhead_mm.utils.atomic_write import write_json, write_pickle  # noqa: E402
from sfhead_mm.utils.console import print_error  # noqa: E402
from sfhead_mm.evaluation.result_files import load_results, run_scores, save_scores  # noqa
from sfhead_mm.evaluation.study import SUMMARY, add_run, read_summary, run_dir  # noqa
from sfhead_mm.evaluation.score_fusion import (STREAM_WEIGHTS, default_weights, fuse,  # noqa
                                               join_by_id, looks_like_probabilities,
                                               topk_accuracy)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    for stream in STREAM_WEIGHTS:
        parser.add_argument(f'--{stream.replace("_", "-")}', dest=stream, metavar='PKL',
                            help=f'{stream.replace("_", "-")} scores (tools/test.py --dump); '
                            f'with --study, the name of a run of the study')
    parser.add_argument('--weights', nargs='+', type=float,
                        help='one weight per given stream, in the order joint, bone, '
                        'joint-motion, bone-motion (default: CTR-GCN\'s)')
    parser.add_argument('--softmax', action='store_true',
                        help='turn each stream\'s scores into probabilities before fusing, for '
                        'dumps of raw scores (GCNHead\'s default average_clips=\'prob\' already '
                        'dumps probabilities)')
    parser.add_argument('--join-by-position', action='store_true',
                        help='files without sample ids: trust that they list the samples in '
                        'the same order (labels are still checked position by position)')
    add_group_arguments(parser)
    parser.add_argument('--out', help='write the fused scores here (.json score file, or .pkl '
                        'in the dump format)')
    parser.add_argument('--report', help='write the group report of the fused scores (.json)')
    parser.add_argument('--study', metavar='ROOT',
                        help='fuse the runs of this seed study (run_seeds.py --root/--archive) '
                        'seed by seed into runs ROOT/NAME/seedS, added to its summary')
    parser.add_argument('--name', help='with --study: the fused runs\' name')
    parser.add_argument('--seeds', nargs='+', type=int,
                        help='with --study: these seeds (default: every seed all streams '
                        'finished)')
    args = parser.parse_args(argv)
    if args.study is None and (args.name or args.seeds):
        parser.error('--name and --seeds need --study')
    if args.study is not None:
        if not args.name:
            parser.error('--study needs --name (the fused runs\' name)')
        if args.out or args.report or args.join_by_position:
            parser.error('--study writes ROOT/NAME/seedS itself: --out, --report and '
                         '--join-by-position do not apply')
    args.streams = {s: getattr(args, s) for s in STREAM_WEIGHTS if getattr(args, s)}
    if len(args.streams) < 2:
        parser.error('give at least two streams (--joint, --bone, --joint-motion, '
                     '--bone-motion)')
    if args.out and not args.out.endswith(('.json', '.pkl', '.pickle')):
        parser.error(f'--out {args.out!r}: the file must end with .json (a score file) or '
                     f'.pkl/.pickle')
    return args


def group_metric(scores, labels, args) -> AmbiguousGroupMetric:
    """Run AmbiguousGroupMetric (the very metric of the configs) on fused scores; its scalars
    (with the ``ambiguous/`` prefix) are in ``last_metrics``."""
    metric = AmbiguousGroupMetric(groups=args.groups, class_names=args.class_names)
    metric.process(None, [dict(pred_score=torch.from_numpy(s), gt_label=torch.tensor([int(l)]))
                          for s, l in zip(scores, labels)])
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)  # the caller prints the table once, without log prefixes
    try:
        # fills last_table / last_report
        metric.last_metrics = metric.evaluate(len(labels))
    finally:
        logger.setLevel(level)
    return metric


def run_metrics(scores, labels, args) -> dict:
    """The metrics a config's test gives (``acc/*`` as MMAction2's ``AccMetric``, then the
    group metric's ``ambiguous/*``) of the scores (N, C) and labels (N,)."""
    from mmaction.evaluation.functional import mean_class_accuracy, top_k_accuracy
    top1, top5 = top_k_accuracy(list(scores), labels, (1, 5))
    metrics = {'acc/top1': float(top1), 'acc/top5': float(top5),
               'acc/mean1': float(mean_class_accuracy(list(scores), labels))}
    metrics.update((k, float(v)) for k, v in group_metric(scores, labels, args)
                   .last_metrics.items())
    return metrics


def fuse_study(args) -> int:
    """``--study``: fuse every seed of the streams' runs into ``ROOT/NAME/seedS``."""
    root, name = args.study, args.name
    try:
        summary = read_summary(root)
    except ValueError as e:
        raise SystemExit(f'error: {e}')
    for stream, run in args.streams.items():
        if run not in summary:
            raise SystemExit(f'error: {osp.join(root, SUMMARY)} has no runs of {run!r} '
                             f'(--{stream.replace("_", "-")}; it has: '
                             f'{", ".join(sorted(summary)) or "none"})')
    if name in args.streams.values() or any(
            'fusion' not in m for m in summary.get(name, {}).values()):
        raise SystemExit(f'error: --name {name!r} is a trained run of {root}: choose another '
                         f'name for the fusion')
    weights = args.weights or default_weights(list(args.streams))
    if len(weights) != len(args.streams):
        raise SystemExit(f'error: --weights: {len(weights)} weights for {len(args.streams)} '
                         f'streams ({", ".join(args.streams)})')
    record = dict(streams=dict(args.streams), weights=[float(w) for w in weights],
                  softmax=args.softmax)
    other = {s: m['fusion'] for s, m in summary.get(name, {}).items() if m['fusion'] != record}
    if other:  # one name, one fusion: never seeds of different streams or weights under it
        seed, fusion = min(other.items(), key=lambda kv: int(kv[0]))
        raise SystemExit(f'error: --name {name!r} holds another fusion in {root} (seed {seed}: '
                         f'streams {fusion["streams"]}, weights {fusion["weights"]}, softmax '
                         f'{fusion["softmax"]}): choose another name, or fuse with those')
    finished = set.intersection(*(set(summary[r]) for r in args.streams.values()))
    seeds = ([str(s) for s in args.seeds] if args.seeds
             else sorted(finished, key=int))
    problems, fused_seeds = [], []
    for seed in seeds:
        where = {s: run_dir(root, run, seed) for s, run in args.streams.items()}
        files = {s: run_scores(d) if seed in summary[args.streams[s]] else None
                 for s, d in where.items()}
        missing = [f'{args.streams[s]} ({where[s]})' for s, f in files.items() if f is None]
        if missing:
            msg = f'seed {seed}: no finished run with a score file of {", ".join(missing)}'
            if args.seeds:
                print_error(msg)
                problems.append(seed)
            else:
                print(f'skipped {msg}', file=sys.stderr)
            continue
        try:
            joined = join_by_id({s: load_results(f) for s, f in files.items()})
            fused = fuse(joined, weights, apply_softmax=args.softmax)
        except (ValueError, FileNotFoundError) as e:
            print_error(f'seed {seed}: {e}')
            problems.append(seed)
            continue
        groups_of = AmbiguousGroupMetric.reported_groups
        expected = set().union(*(groups_of(summary[run][seed]) for run in args.streams.values()))
        hint = f'the streams\' runs were evaluated with {sorted(expected)}: give their group set'
        try:
            metrics = run_metrics(fused, joined.labels, args)
        except ValueError as e:  # e.g. a group of another dataset's classes
            raise SystemExit(f'error: --groups {args.groups}: {e}; {hint}')
        if expected and set(groups_of(metrics)) != expected:
            raise SystemExit(f'error: --groups {args.groups}: groups '
                             f'{sorted(groups_of(metrics))}, but {hint}')
        metrics['fusion'] = record
        out = run_dir(root, name, seed)
        save_scores(osp.join(out, 'scores.json'), fused, joined.labels, joined.ids)
        write_json(osp.join(out, 'metrics.json'), metrics)
        summary = add_run(root, name, seed, metrics)
        fused_seeds.append(seed)
        streams = ', '.join(f'{s} {100 * summary[run][seed]["acc/top1"]:.2f}'
                            for s, run in args.streams.items())
        print(f'seed {seed}: {streams} -> fused top-1 {100 * metrics["acc/top1"]:.2f} %, '
              f'group mean {100 * metrics["ambiguous/group_mean"]:.2f} % '
              f'({len(joined.labels)} samples, weights {" ".join(f"{w:g}" for w in weights)})')
    if fused_seeds:
        print(f'{name}: seeds {", ".join(fused_seeds)} in {root} (summary.json, summary.md)')
    if problems or not fused_seeds:
        raise SystemExit(f'error: {len(problems)} seed(s) not fused: {", ".join(problems)}'
                         if problems else 'error: no seed with a score file in every stream')
    return 0


def main(argv=None):
    args = parse_args(argv)
    if args.study is not None:
        return fuse_study(args)
    try:
        results = {name: load_results(path) for name, path in args.streams.items()}
        joined = join_by_id(results, by_position=args.join_by_position)
        weights = args.weights or default_weights(list(joined.scores))
        fused = fuse(joined, weights, apply_softmax=args.softmax)
    except (ValueError, FileNotFoundError) as e:
        raise SystemExit(f'error: {e}')
    labels = joined.labels
    if args.softmax:
        probs = [n for n, s in joined.scores.items() if looks_like_probabilities(s)]
        if probs:
            print(f'warning: --softmax on streams that already hold probabilities: '
                  f'{", ".join(probs)}', file=sys.stderr)
    print(f'{len(labels)} samples joined by sample id'
          if not args.join_by_position else f'{len(labels)} samples joined by position')
    for (name, scores), w in zip(joined.scores.items(), weights):
        print(f'  {name:<13} weight {w:<5g} top-1 {100 * topk_accuracy(scores, labels):6.2f} %'
              f'  ({args.streams[name]})')
    top1, top5 = topk_accuracy(fused, labels, 1), topk_accuracy(fused, labels, 5)
    print(f'fused top-1 {100 * top1:6.2f} %   top-5 {100 * top5:6.2f} %')
    metric = group_metric(fused, labels, args)
    print(metric.last_table)
    if args.out and args.out.endswith('.json'):
        save_scores(args.out, fused, labels, joined.ids)
        print(f'wrote {args.out}')
    elif args.out:
        write_pickle(args.out, [dict(frame_dir=sid, pred_score=torch.from_numpy(s),
                                     gt_label=torch.tensor([int(l)]))
                                for sid, s, l in zip(joined.ids, fused, labels)])
        print(f'wrote {args.out}')
    if args.report:
        report = dict(metric.last_report)
        report['fusion'] = dict(streams=args.streams, weights=list(weights),
                                softmax=args.softmax, top1=top1, top5=top5)
        write_json(args.report, report)
        print(f'wrote {args.report}')


if __name__ == '__main__':
    main()
