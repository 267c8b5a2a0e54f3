"""The demo behind ``make demo``: synthetic look-alike data -> ST-GCN + SF-Head -> evaluation.

1. writes a deterministic synthetic skeleton set (PoseDataset pickle, NTU-25 joints, 8 classes in
   4 look-alike pairs) to ``work_dirs/demo/ntu25_synthetic.pkl``;
2. trains ``configs/synthetic/stgcn_sfhead_synthetic.py`` on CPU for a few epochs;
3. evaluates the final checkpoint and prints top-1, mean-class accuracy and the per-pair report.

    python tools/demo.py [--work-dir work_dirs/demo] [--epochs N] [--baseline]
"""
import argparse
import logging
import os
import os.path as osp
import sys

_REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

import sfhead_mm  # noqa: E402,F401
from mmengine.runner import Runner  # noqa: E402

from sfhead_mm.datasets import synthetic  # noqa: E402
from sfhead_mm.engine import runner_setup  # noqa: E402

CONFIGS = {
    False: osp.join(_REPO, 'configs', 'synthetic', 'stgcn_sfhead_synthetic.py'),
    True: osp.join(_REPO, 'configs', 'synthetic', 'stgcn_synthetic.py'),
}


def build_cfg(work_dir: str, ann_file: str, epochs: int, baseline: bool):
    cfg = runner_setup.load_config(CONFIGS[baseline])
    cfg.work_dir = work_dir
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = cfg[loader].dataset
        (dataset.dataset if 'dataset' in dataset else dataset).ann_file = ann_file
    if epochs is not None:
        cfg.train_cfg.max_epochs = epochs
        cfg.train_cfg.val_interval = epochs
        if epochs < 2:
            raise SystemExit('--epochs must be >= 2 (one warm-up epoch, then cosine decay)')
        for sched in cfg.param_scheduler:
            if sched.type == 'CosineAnnealingLR':
                sched.T_max, sched.end = epochs - 1, epochs
    cfg.default_hooks.logger.interval = 1000  # keep the console to the summary
    cfg.log_level = 'WARNING'
    runner_setup.ensure_epoch_seed_hook(cfg)
    return cfg


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default=osp.join('work_dirs', 'demo'))
    parser.add_argument('--epochs', type=int, default=None,
                        help='training epochs (default: the config\'s)')
    parser.add_argument('--baseline', action='store_true', help='train without SF-Head')
    args = parser.parse_args(argv)

    os.makedirs(args.work_dir, exist_ok=True)
    ann_file = osp.join(args.work_dir, 'ntu25_synthetic.pkl')
    if not osp.exists(ann_file):
        synthetic.write(ann_file)
    print(f'[1/3] synthetic data: {ann_file} ({len(synthetic.CLASSES)} classes, '
          f'{len(synthetic.GROUPS)} look-alike pairs)')

    cfg = build_cfg(args.work_dir, ann_file, args.epochs, args.baseline)
    model = 'ST-GCN' + ('' if args.baseline else ' + SF-Head (inline, G=8)')
    print(f'[2/3] training {model} for {cfg.train_cfg.max_epochs} epochs on CPU ...',
          flush=True)
    runner = Runner.from_cfg(cfg)
    logging.getLogger('mmengine').setLevel(logging.WARNING)
    runner.train()
    print('[3/3] evaluating the final checkpoint on the validation split ...', flush=True)
    metrics = runner.test()

    print('\n=== demo result ===')
    print(f'model: {model}')
    print(f'top-1 accuracy:      {100 * metrics["acc/top1"]:6.2f} %  '
          f'(chance: {100 / len(synthetic.CLASSES):.1f} %)')
    print(f'mean-class accuracy: {100 * metrics["acc/mean1"]:6.2f} %')
    print_pairs(metrics)
    print(f'checkpoints and logs: {args.work_dir}')


def print_pairs(metrics):
    """The look-alike pairs' report of AmbiguousGroupMetric (keys ``ambiguous/...``)."""
    amb = {k[len('ambiguous/'):]: v for k, v in metrics.items() if k.startswith('ambiguous/')}
    if not amb:
        return
    pct = lambda key: f'{100 * amb[key]:6.2f} %' if key in amb else ' absent '  # noqa: E731
    print(f'look-alike pairs:    {pct("group_mean")}  (mean over pairs; top-1 on their '
          f'samples {pct("top1").strip()}, mistaken for the pair partner '
          f'{pct("confusion").strip()})')
    groups = [k[:-len('/acc')] for k in amb if k.endswith('/acc') and k.count('/') == 1]
    for g in groups:
        members = ', '.join(f'{k[len(g) + 5:].replace("_", " ")} {100 * v:.1f} %'
                            for k, v in amb.items() if k.startswith(f'{g}/acc_'))
        print(f'  {g.replace("_", " "):<20} {pct(g + "/acc")}  (mistaken for the partner '
              f'{pct(g + "/confusion").strip()})  {members}')


if __name__ == '__main__':
    main()
