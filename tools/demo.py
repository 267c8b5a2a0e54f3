"""The demo behind ``make demo``: synthetic look-alike data -> ST-GCN + SF-Head vs ST-GCN -> result.

1. writes a deterministic synthetic skeleton set (PoseDataset pickle, NTU-25 joints, 8 classes in
   4 look-alike pairs) to ``work_dirs/demo/ntu25_synthetic.pkl``;
2. trains ``configs/synthetic/stgcn_sfhead_synthetic.py`` (ST-GCN + SF-Head) on CPU, one line per
   epoch (loss, training accuracy, time, ETA);
3. trains the bare baseline ``configs/synthetic/stgcn_synthetic.py`` with the same data, seed and
   schedule (``--no-baseline`` skips it);
4. evaluates both final checkpoints and prints top-1, mean-class accuracy, the look-alike pairs'
   report and the differences (SF-Head minus baseline).

    python tools/demo.py [--work-dir work_dirs/demo] [--epochs N] [--no-baseline]
"""
import argparse
import logging
import os
import os.path as osp
import sys
import time
import warnings

_REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

# Harmless warnings, filtered so that the demo's own lines are readable. Each is printed by a
# library at import or build time and says nothing about this run:
# - "pkg_resources is deprecated": mmengine and openmim import setuptools' pkg_resources; the
#   pinned setuptools (80.9) still ships it (requirements.txt says why it is pinned).
warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
# - "Fail to import MultiScaleDeformableAttention": mmcv-lite has no compiled ops; that attention
#   is a detection op no skeleton model uses.
warnings.filterwarnings('ignore', message='Fail to import ``MultiScaleDeformableAttention``')
# Every other warning is shown.

from sfhead_mm.utils import register_all_modules  # noqa: E402

register_all_modules()  # the package's models, transforms, hooks and metrics
from mmengine.config import Config  # noqa: E402
from mmengine.hooks import Hook  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from sfhead_mm.datasets import synthetic  # noqa: E402
from sfhead_mm.evaluation import AmbiguousGroupMetric  # noqa: E402

CONFIGS = {
    'sfhead': osp.join(_REPO, 'configs', 'synthetic', 'stgcn_sfhead_synthetic.py'),
    'baseline': osp.join(_REPO, 'configs', 'synthetic', 'stgcn_synthetic.py'),
}
NAMES = {'sfhead': 'ST-GCN + SF-Head (inline, G=8)', 'baseline': 'ST-GCN (baseline)'}


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f'{seconds // 60}:{seconds % 60:02d}'


class EpochLineHook(Hook):
    """One console line per epoch: mean loss and training accuracy, time, ETA of the whole demo.

    The ETA assumes the runs still to come take as long per epoch as this one: an upper bound
    while SF-Head trains (the baseline's epochs took 17-19 s against SF-Head's 39-47 s in one
    run of ``python tools/demo.py --epochs 2 --train-per-class 8``, other jobs sharing the CPU).

    Args:
        runs_after (int): Runs of the same length still to come after this one (for the ETA).
    """
    priority = 'LOW'

    def __init__(self, runs_after: int = 0):
        self.runs_after = runs_after
        self._losses, self._accs, self._start = [], [], None

    def before_train(self, runner):
        self._run_start = time.time()

    def before_train_epoch(self, runner):
        self._losses, self._accs, self._start = [], [], time.time()

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        outputs = outputs or {}
        value = lambda v: float(v.detach()) if hasattr(v, 'detach') else float(v)  # noqa: E731
        if 'loss' in outputs:
            self._losses.append(value(outputs['loss']))
        if 'top1_acc' in outputs:
            self._accs.append(value(outputs['top1_acc']))

    def after_train_epoch(self, runner):
        epoch, total = runner.epoch + 1, runner.max_epochs
        per_epoch = (time.time() - self._run_start) / epoch
        eta = per_epoch * ((total - epoch) + self.runs_after * total)
        loss = sum(self._losses) / max(len(self._losses), 1)
        acc = (f'  train acc {100 * sum(self._accs) / len(self._accs):5.1f} %'
               if self._accs else '')
        print(f'    epoch {epoch:2d}/{total}  loss {loss:.3f}{acc}  '
              f'{time.time() - self._start:4.0f} s  ETA {_clock(eta)}', flush=True)

    def after_val_epoch(self, runner, metrics=None):
        if metrics and 'acc/top1' in metrics and runner.train_loop is not None:
            print(f'    validation top-1 {100 * metrics["acc/top1"]:.1f} %', flush=True)


class HarmlessLogFilter(logging.Filter):
    """Drops mmengine's own deprecation notices: its CheckpointHook still builds a ``FileClient``
    (with the ``HardDiskBackend`` alias) in ``before_train``; the notice is about mmengine's
    internals, not about this run or its config."""
    PATTERNS = ('"FileClient" will be deprecated', '"HardDiskBackend" is the alias')

    def filter(self, record):
        return not any(p in record.getMessage() for p in self.PATTERNS)


def build_cfg(model: str, work_dir: str, ann_file: str, epochs=None) -> Config:
    cfg = Config.fromfile(CONFIGS[model])
    cfg.work_dir = osp.join(work_dir, model)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = cfg[loader].dataset
        (dataset.dataset if 'dataset' in dataset else dataset).ann_file = ann_file
    if epochs is not None:
        if epochs < 2:
            raise SystemExit('--epochs must be >= 2 (one warm-up epoch, then cosine decay)')
        cfg.train_cfg.max_epochs = epochs
        cfg.train_cfg.val_interval = epochs
        for sched in cfg.param_scheduler:
            if sched.type == 'CosineAnnealingLR':
                sched.T_max, sched.end = epochs - 1, epochs
    cfg.default_hooks.logger.interval = 1000  # the epoch lines replace mmengine's iteration log
    cfg.log_level = 'WARNING'
    return cfg


def train_and_test(model: str, work_dir: str, ann_file: str, epochs, runs_after: int) -> dict:
    cfg = build_cfg(model, work_dir, ann_file, epochs)
    runner = Runner.from_cfg(cfg)
    logging.getLogger('mmengine').setLevel(logging.WARNING)
    runner.logger.addFilter(HarmlessLogFilter())
    runner.register_hook(EpochLineHook(runs_after))
    runner.train()
    return runner.test()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default=osp.join('work_dirs', 'demo'))
    parser.add_argument('--epochs', type=int, default=None,
                        help='training epochs of each model (default: the configs\')')
    parser.add_argument('--no-baseline', action='store_true',
                        help='train ST-GCN + SF-Head only (about half the time)')
    parser.add_argument('--train-per-class', type=int, default=40,
                        help='synthetic training clips per class (validation: a third)')
    args = parser.parse_args(argv)
    start = time.time()

    os.makedirs(args.work_dir, exist_ok=True)
    ann_file = osp.join(args.work_dir, f'ntu25_synthetic_{args.train_per_class}.pkl')
    if not osp.exists(ann_file):
        synthetic.write(ann_file, train_per_class=args.train_per_class,
                        val_per_class=max(1, args.train_per_class * 3 // 10))
    models = ['sfhead'] if args.no_baseline else ['sfhead', 'baseline']
    steps = len(models) + 2
    print(f'[1/{steps}] synthetic data: {ann_file} ({len(synthetic.CLASSES)} classes, '
          f'{len(synthetic.GROUPS)} look-alike pairs)')
    results = {}
    for i, model in enumerate(models):
        epochs = args.epochs or Config.fromfile(CONFIGS[model]).train_cfg.max_epochs
        same = ' (same data, seed and schedule)' if model == 'baseline' else ''
        print(f'[{i + 2}/{steps}] training {NAMES[model]} for {epochs} epochs on CPU{same}, '
              f'then testing it ...', flush=True)
        results[model] = train_and_test(model, args.work_dir, ann_file, args.epochs,
                                        runs_after=len(models) - i - 1)

    print(f'[{steps}/{steps}] result on the validation split '
          f'(total time {_clock(time.time() - start)})')
    print_result(results)
    print(f'checkpoints and logs: {args.work_dir}/{{{",".join(models)}}}')


def _pct(metrics, key):
    return 100 * metrics[key] if key in metrics else None


def print_result(results: dict):
    """Top-1, mean-class accuracy and the look-alike pairs of each model, and the differences."""
    sf, base = results.get('sfhead'), results.get('baseline')
    rows = [('top-1 accuracy', 'acc/top1'), ('mean-class accuracy', 'acc/mean1'),
            ('look-alike pairs (mean)', 'ambiguous/group_mean'),
            ('mistaken for the partner', 'ambiguous/confusion')]
    amb = set(AmbiguousGroupMetric.reported_groups(sf))
    rows += [(f'  {g.replace("_", " ")}', f'ambiguous/{g}/acc') for g in sorted(amb)]
    head = f'{"":28s}{"SF-Head":>9s}'
    if base is not None:
        head += f'{"baseline":>10s}{"difference":>12s}'
    print(head)
    for label, key in rows:
        a = _pct(sf, key)
        if a is None:
            continue
        line = f'{label:28s}{a:8.2f}%'
        if base is not None and _pct(base, key) is not None:
            b = _pct(base, key)
            line += f'{b:9.2f}%{a - b:+10.2f} pp'
        print(line)
    print(f'(chance: {100 / len(synthetic.CLASSES):.1f} %; "mistaken for the partner": share of '
          f'the pairs\' samples predicted as the other class of their pair, lower is better)')


if __name__ == '__main__':
    main()
