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
from sfhead_mm.evaluation.result_files import load_results, save_scores  # noqa: E402
from sfhead_mm.evaluation.score_fusion import (STREAM_WEIGHTS, default_weights, fuse,  # noqa
                                               join_by_id, looks_like_probabilities,
                                               topk_accuracy)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    for stream in STREAM_WEIGHTS:
        parser.add_argument(f'--{stream.replace("_", "-")}', dest=stream, metavar='PKL',
                            help=f'{stream.replace("_", "-")} scores (tools/test.py --dump)')
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
    args = parser.parse_args(argv)
    args.streams = {s: getattr(args, s) for s in STREAM_WEIGHTS if getattr(args, s)}
    if len(args.streams) < 2:
        parser.error('give at least two streams (--joint, --bone, --joint-motion, '
                     '--bone-motion)')
    if args.out and not args.out.endswith(('.json', '.pkl', '.pickle')):
        parser.error(f'--out {args.out!r}: the file must end with .json (a score file) or '
                     f'.pkl/.pickle')
    return args


def group_metric(scores, labels, args) -> AmbiguousGroupMetric:
    """Run AmbiguousGroupMetric (the very metric of the configs) on fused scores."""
    metric = AmbiguousGroupMetric(groups=args.groups, class_names=args.class_names)
    metric.process(None, [dict(pred_score=torch.from_numpy(s), gt_label=torch.tensor([int(l)]))
                          for s, l in zip(scores, labels)])
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)  # the caller prints the table once, without log prefixes
    try:
        metric.evaluate(len(labels))  # fills last_table / last_report
    finally:
        logger.setLevel(level)
    return metric


def main(argv=None):
    args = parse_args(argv)
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
