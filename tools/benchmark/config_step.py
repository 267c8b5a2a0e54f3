"""Training-step time of configs on one and the same synthetic batch, as ratios to the first.

Each config's model and optimizer are built from the config; every model then takes the same
input tensor (N, 1, M, T, V, C) and labels for ``--iters`` full training steps
(``model.train_step``: forward, loss, backward, optimizer step) after ``--warmup`` steps. The
configs are timed interleaved, step by step, so machine load hits all of them alike; the median
step time of each is reported with its ratio to the first config. No data files are read.
A row whose loss turns nan or inf says from which step (random inputs at a config's learning
rate can do that: InfoGCN's at 0.1 by its fourth step), and the run then exits non-zero after
printing and writing every row: steps over nan are not the model's time (InfoGCN's were 1.7x
faster).

``--with KEY=VALUE ...`` (mmengine's ``--cfg-options`` syntax) also times each config with
those overrides, e.g. a faster implementation of the same model; each such row also gives its
ratio to its own config. ``--cfg-options`` changes every config alike (e.g. bf16 autocast on
a CPU: ``optim_wrapper.type=CPUAmpOptimWrapper optim_wrapper.dtype=bfloat16``).

    OMP_NUM_THREADS=1 python tools/benchmark/config_step.py configs/ctrgcn_ntu120.py \\
        configs/ctrgcn_cvsta_ntu120.py configs/mdrgcn/mdrgcn_ntu60-xsub.py \\
        configs/stgcn_ntu120.py configs/stgcn_cvsta_ntu120.py --batch 8 --frames 64
    python tools/benchmark/config_step.py configs/ctrgcn_ntu120.py configs/hdgcn_ntu120.py \\
        --with model.backbone.batched_tcn=True
"""
import argparse
import math
import os.path as osp
import statistics
import sys
import time

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

import torch  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.optim import build_optim_wrapper  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

from sfhead_mm.engine.hooks.finite_loss_hook import nonfinite_terms  # noqa: E402
from sfhead_mm.utils import register_all_modules  # noqa: E402
from sfhead_mm.utils.atomic_write import write_json  # noqa: E402

register_all_modules()
from mmaction.registry import MODELS  # noqa: E402
from mmaction.structures import ActionDataSample  # noqa: E402


def _options(opts) -> str:
    """``KEY=VALUE ...`` as given on the command line."""
    return ' '.join(f'{k}={v}' for k, v in opts.items())


def _json_options(opts) -> dict:
    """The overrides for the json file: a value JSON has no number for (``lr=inf``, ``nan``)
    is written as its text, so the rows are still written."""
    return {k: repr(v) if isinstance(v, float) and not math.isfinite(v) else v
            for k, v in (opts or {}).items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('configs', nargs='+', help='the first one is the baseline')
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--frames', type=int, default=64)
    parser.add_argument('--persons', type=int, default=2)
    parser.add_argument('--joints', type=int, default=25)
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--with', dest='overrides', nargs='+', action=DictAction,
                        help='also time each config with these overrides (KEY=VALUE, as '
                        '--cfg-options)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='overrides for every config and variant (KEY=VALUE)')
    parser.add_argument('--json', help='also write the rows (and the settings) to this file')
    args = parser.parse_args(argv)
    init_default_scope('mmaction')
    torch.manual_seed(0)
    x = torch.randn(args.batch, 1, args.persons, args.frames, args.joints, 3)
    labels = [i % 10 for i in range(args.batch)]
    variants = [(path, None) for path in args.configs]
    if args.overrides:
        variants = [(path, opts) for path in args.configs for opts in (None, args.overrides)]
    built = []
    for path, opts in variants:
        cfg = Config.fromfile(path)
        if args.cfg_options:
            cfg.merge_from_dict(args.cfg_options)
        if opts:
            cfg.merge_from_dict(opts)
        try:
            model = MODELS.build(cfg.model)
        except Exception as e:  # e.g. an override the model does not take: say which
            given = _options({**(args.cfg_options or {}), **(opts or {})}) or 'no overrides'
            first = str(e).splitlines()[0] if str(e) else ''
            raise SystemExit(f'{path}: cannot build its model with {given}: '
                             f'{type(e).__name__}: {first}')
        model.train()
        optim = build_optim_wrapper(model, cfg.optim_wrapper)
        samples = [ActionDataSample().set_gt_label(lab) for lab in labels]
        built.append((model, optim, dict(inputs=list(x), data_samples=samples)))
    times = [[] for _ in built]
    nonfinite = [None] * len(built)  # the first step (1-based, warm-up included) whose loss is
    for it in range(args.warmup + args.iters):  # nan or inf: from there it times nan arithmetic
        for k, (model, optim, data) in enumerate(built):
            t0 = time.perf_counter()
            log_vars = model.train_step(data, optim)
            if it >= args.warmup:
                times[k].append(time.perf_counter() - t0)
            if nonfinite[k] is None and 'loss' in nonfinite_terms(log_vars):
                nonfinite[k] = it + 1
    base = statistics.median(times[0])
    print(f'batch N={args.batch} M={args.persons} T={args.frames} V={args.joints} C=3, '
          f'{args.iters} timed steps after {args.warmup} warm-up, threads='
          f'{torch.get_num_threads()}')
    if args.cfg_options:
        print('every row: ' + _options(args.cfg_options))
    if args.overrides:
        print('"+ with": ' + _options(args.overrides))
    print(f'{"config":40s} {"params":>10s} {"s/step":>8s} {"ratio":>6s} {"to own":>6s}')
    own, rows, failed = None, [], []
    for (path, opts), (model, _, _), ts, bad in zip(variants, built, times, nonfinite):
        med = statistics.median(ts)
        params = sum(p.numel() for p in model.parameters())
        if not opts:
            own = med  # the config as it is: the "+ with" row after it compares to this
        to_own = med / own if opts else None
        name = '  + with' if opts else osp.relpath(path, _REPO)
        shown = f'{to_own:6.2f}' if opts else ''
        mark = f'  loss nan/inf from step {bad}' if bad else ''
        print(f'{name:40s} {params:10,d} {med:8.3f} {med / base:6.2f} {shown:>6s}{mark}')
        rows.append(dict(config=osp.relpath(path, _REPO), overrides=_json_options(opts),
                         params=params, step_seconds=med, steps=ts, ratio=med / base,
                         ratio_to_own=to_own, nonfinite_from_step=bad))
        if bad:
            given = f' with {_options(opts)}' if opts else ''
            failed.append(f'{osp.relpath(path, _REPO)}{given}: loss not finite from step {bad} '
                          f'of {args.warmup + args.iters}, so its s/step times nan arithmetic '
                          f'(random inputs at this learning rate: try '
                          f'--cfg-options optim_wrapper.optimizer.lr=0.001)')
    if args.json:
        command = [osp.relpath(__file__, _REPO)] + (sys.argv[1:] if argv is None else list(argv))
        write_json(args.json, dict(
            command=' '.join(command), batch=args.batch, persons=args.persons,
            frames=args.frames, joints=args.joints, iters=args.iters, warmup=args.warmup,
            cfg_options=_json_options(args.cfg_options),
            threads=torch.get_num_threads(), torch=torch.__version__, rows=rows))
    if failed:
        raise SystemExit('\n'.join(failed))


if __name__ == '__main__':
    main()
