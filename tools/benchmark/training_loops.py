"""The authors' CTR-GCN training loop beside ours, end to end, on the real NW-UCLA clips.

Where ``ctrgcn_vs_authors.py`` times the two models' steps in one timing loop on a synthetic
batch, this times each whole training loop as its users run it, data loading included:

- **authors**: the ``Processor.train`` epoch of Uason-Chen/CTR-GCN's ``main.py``, with their
  NW-UCLA feeder (``feeders.feeder_ucla``, reading the released ``all_sqe/*.json`` files) and
  their ``config/ucla/default.yaml`` (batch 16, 52-frame windows, SGD with Nesterov momentum).
  Their code moves model and data to CUDA unconditionally, so in this benchmark's child process
  only ``Tensor.cuda`` and ``Module.cuda`` return their object unchanged (the CPU); their epoch
  runs as written otherwise. It needs their dependencies beyond ours: ``pip install h5py
  tensorboardX``; their torchlight package is put on the path from the checkout, and the
  ``torchpack`` it imports (for a logger their training does not use; the 2019 package is no
  longer on PyPI) is a placeholder module unless installed.
- **ours**: ``tools/train.py CONFIG`` (MMEngine's Runner), its per-iteration ``time`` from the
  json log (``log_processor.window_size=1``, ``logger.interval=1``): the time from one training
  iteration's end to the next one's, data loading and hooks included.

Both read the training set once an epoch (the authors' ``repeat`` and our ``times`` set to 1;
their 5x repetition only lengthens the epoch), load data in the main process (``--workers``),
run ``--epochs`` epochs and time the last (the first ones warm up), with ``--threads`` threads.
Each loop runs in a fresh subprocess, ``--rounds`` times, the loops alternating; the report
gives the median samples/s a loop and the ratio to the authors' loop of the same run.

    git clone https://github.com/Uason-Chen/CTR-GCN /tmp/CTR-GCN   # any checkout of their code
    python tools/benchmark/training_loops.py --authors /tmp/CTR-GCN \\
        --data $SFHEAD_DATA/nw-ucla/all_sqe configs/ctrgcn/ctrgcn_nwucla.py \\
        configs/ctrgcn/ctrgcn_nwucla_cpu2h.py --json docs/benchmarks/training_loops_nwucla.json
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import tempfile
import time
import types

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from sfhead_mm.utils.atomic_write import write_json  # noqa: E402
from sfhead_mm.utils.json_logs import log_files, log_lines  # noqa: E402

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from run_seeds import thread_env  # noqa: E402  (its one owner, as side_by_side.py uses it)

#: The authors' NW-UCLA config, relative to their checkout.
AUTHORS_CONFIG = osp.join('config', 'ucla', 'default.yaml')
#: What their main.py imports beyond this project's requirements.
AUTHORS_DEPS = ('h5py', 'tensorboardX')


# --- the authors' loop, in its own process ----------------------------------------------------

def _placeholder_torchpack() -> None:
    """Their torchlight imports ``torchpack.runner.hooks.PaviLogger``, which their training never
    uses; the 2019 torchpack it was written for is no longer on PyPI (the package of that name is
    another project), so unless it is importable a module holding a placeholder stands in."""
    try:
        from torchpack.runner.hooks import PaviLogger  # noqa: F401
        return
    except ImportError:
        pass
    names = ('torchpack', 'torchpack.runner', 'torchpack.runner.hooks')
    modules = {name: types.ModuleType(name) for name in names}
    modules['torchpack'].runner = modules['torchpack.runner']
    modules['torchpack.runner'].hooks = modules['torchpack.runner.hooks']
    modules['torchpack.runner.hooks'].PaviLogger = type('PaviLogger', (), {})
    sys.modules.update(modules)


def authors_epochs(repo: str, data: str, epochs: int, threads: int, workers: int,
                   work_dir: str) -> dict:
    """Run ``epochs`` epochs of the authors' ``Processor.train`` on the CPU; their wall and CPU
    times, steps and samples. Meant for a process of its own (it changes ``.cuda()`` there)."""
    import torch
    import yaml
    torch.set_num_threads(threads)
    torch.Tensor.cuda = lambda self, *args, **kwargs: self
    torch.nn.Module.cuda = lambda self, *args, **kwargs: self
    repo = osp.abspath(repo)
    # their torchlight package, as `pip install -e torchlight` (their README) would install it
    sys.path[:0] = [osp.join(repo, 'torchlight'), repo]
    # their feeder reads 'data/NW-UCLA/all_sqe/<name>.json' relative to the working directory
    os.makedirs(osp.join(work_dir, 'data', 'NW-UCLA'), exist_ok=True)
    os.symlink(osp.abspath(data), osp.join(work_dir, 'data', 'NW-UCLA', 'all_sqe'))
    os.chdir(work_dir)
    _placeholder_torchpack()
    try:
        import main as authors  # their main.py; its __main__ block does not run on import
    except ImportError as e:
        raise SystemExit(f"{osp.join(repo, 'main.py')}: needs {e.name}, one of the authors' "
                         f'dependencies (pip install {" ".join(AUTHORS_DEPS)})') from None
    parser = authors.get_parser()
    with open(osp.join(repo, AUTHORS_CONFIG)) as f:
        parser.set_defaults(**yaml.safe_load(f))
    arg = parser.parse_args(['--work-dir', osp.join(work_dir, 'work'), '--num-worker',
                             str(workers), '--device', '0'])
    arg.train_feeder_args = dict(arg.train_feeder_args, repeat=1)
    authors.init_seed(arg.seed)
    processor = authors.Processor(arg)
    out = dict(loop='authors', threads=threads, workers=workers, epochs=[])
    loader = processor.data_loader['train']
    for epoch in range(epochs):
        t0, c0 = time.perf_counter(), time.process_time()
        processor.train(epoch)
        out['epochs'].append(dict(wall=time.perf_counter() - t0, cpu=time.process_time() - c0,
                                  steps=len(loader), samples=len(loader) * loader.batch_size))
    return out


# --- our loop ---------------------------------------------------------------------------------

def our_cfg_options(epochs: int, workers: int):
    """``--cfg-options`` for ``tools/train.py``: the training set once an epoch, ``epochs``
    epochs, no validation or checkpoint on the way, every iteration's own time in the log."""
    return [f'train_cfg.max_epochs={epochs}', 'train_cfg.val_interval=100000',
            'train_dataloader.dataset.times=1', f'train_dataloader.num_workers={workers}',
            'train_dataloader.persistent_workers=False', 'default_hooks.logger.interval=1',
            'default_hooks.checkpoint.interval=100000', 'log_processor.window_size=1']


def last_epoch_time(work_dir: str, batch_size: int, dataset_size: int) -> dict:
    """The last epoch's summed iteration ``time`` in ``work_dir``'s json logs, its steps and
    samples (``batch_size`` a step, the last step the rest of ``dataset_size``)."""
    rows = [log for path in log_files(work_dir) for kind, log in log_lines(path)
            if kind == 'train' and 'time' in log]
    if not rows or 'epoch' not in rows[-1]:
        raise RuntimeError(f'{work_dir}: no epoch-based training iterations in its json logs')
    last = rows[-1]['epoch']
    times = [log['time'] for log in rows if log.get('epoch') == last]
    samples = min(len(times) * batch_size, dataset_size)
    return dict(wall=sum(times), steps=len(times), samples=samples,
                median_step=statistics.median(times))


def our_epochs(config: str, epochs: int, threads: int, workers: int, work_dir: str,
               cfg_options=(), python: str = sys.executable) -> dict:
    """Train ``config`` with ``tools/train.py`` for ``epochs`` epochs in a subprocess; the last
    epoch's time from its log. ``cfg_options``: more ``key=value`` overrides (after ours)."""
    from mmengine.config import Config, DictAction
    options = our_cfg_options(epochs, workers) + list(cfg_options)
    cmd = [python, osp.join(_REPO, 'tools', 'train.py'), config, '--work-dir', work_dir,
           '--cfg-options', *options]
    log = osp.join(work_dir, 'train.out')
    os.makedirs(work_dir, exist_ok=True)
    with open(log, 'w') as f:
        rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT, env=thread_env(threads),
                             cwd=_REPO)
    if rc:
        with open(log, errors='replace') as f:
            tail = f.read()[-2000:]
        raise RuntimeError(f'{config}: tools/train.py exited with {rc}; its output ends:\n{tail}')
    # the training set's size (the last step's batch may be short), as tools/train.py built it
    parsed = argparse.ArgumentParser()
    parsed.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(parsed.parse_args(['--cfg-options', *options]).cfg_options)
    from mmengine.registry import init_default_scope
    from sfhead_mm.utils import register_all_modules
    register_all_modules()
    init_default_scope('mmaction')
    from mmaction.registry import DATASETS
    size = len(DATASETS.build(cfg.train_dataloader.dataset))
    return dict(loop=osp.basename(config), threads=threads, workers=workers,
                epochs=[last_epoch_time(work_dir, cfg.train_dataloader.batch_size, size)])


# --- the driver -------------------------------------------------------------------------------

def run_child(args, loop: str, tmp: str) -> dict:
    """One measurement in a fresh process: ``loop`` is ``authors`` or a config path."""
    out = osp.join(tmp, 'result.json')
    cmd = [sys.executable, osp.abspath(__file__), '_child', loop, '--out', out,
           '--epochs', str(args.epochs), '--threads', str(args.threads), '--workers',
           str(args.workers), '--work-dir', osp.join(tmp, 'work')]
    if loop == 'authors':
        cmd += ['--authors', args.authors, '--data', args.data]
    elif args.cfg_options:
        cmd += ['--cfg-options', *args.cfg_options]
    log = osp.join(tmp, 'child.out')
    with open(log, 'w') as f:  # the authors' loop prints its model and a progress bar
        rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT,
                             env=thread_env(args.threads))
    if rc:
        with open(log, errors='replace') as f:
            tail = f.read()[-3000:]
        raise RuntimeError(f'{loop}: the measurement exited with {rc}; its output ends:\n{tail}')
    with open(out) as f:
        return json.load(f)


def summarise(results: dict) -> dict:
    """``{loop: [result, ...]}`` -> ``{loop: {samples_per_s, s_per_step, ratio}}``: medians
    over the rounds of the timed (last) epoch, ratios to ``authors`` when it ran."""
    table = {}
    for loop, runs in results.items():
        last = [r['epochs'][-1] for r in runs]
        table[loop] = dict(samples_per_s=statistics.median(e['samples'] / e['wall']
                                                           for e in last),
                           s_per_step=statistics.median(e['wall'] / e['steps'] for e in last),
                           steps=last[0]['steps'], rounds=len(last))
    if 'authors' in table:
        for row in table.values():
            row['vs_authors'] = row['samples_per_s'] / table['authors']['samples_per_s']
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('configs', nargs='*', help='our configs (tools/train.py)')
    parser.add_argument('--authors', help='checkout of Uason-Chen/CTR-GCN (omit: ours only)')
    parser.add_argument('--data', default=osp.join(
        os.environ.get('SFHEAD_DATA', osp.join(_REPO, '..', 'shared', 'data')), 'nw-ucla',
        'all_sqe'), help="NW-UCLA's all_sqe/*.json, for the authors' feeder (default: "
        '$SFHEAD_DATA/nw-ucla/all_sqe)')
    parser.add_argument('--epochs', type=int, default=2, help='the last is timed')
    parser.add_argument('--rounds', type=int, default=2)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--workers', type=int, default=0, help='dataloader workers, both loops')
    parser.add_argument('--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
                        help='overrides for our configs, after the ones this benchmark sets')
    parser.add_argument('--json', help='write the results here')
    args = parser.parse_args(argv)
    if args.authors and not osp.isfile(osp.join(args.authors, 'main.py')):
        parser.error(f'--authors {args.authors}: no main.py there (a checkout of '
                     'Uason-Chen/CTR-GCN is needed)')
    if args.authors and not osp.isdir(args.data):
        parser.error(f'--data {args.data}: not a directory (NW-UCLA all_sqe/*.json)')
    for config in args.configs:
        if not osp.isfile(config):
            parser.error(f'{config}: no such config')
    loops = (['authors'] if args.authors else []) + list(args.configs)
    if not loops:
        parser.error('nothing to time: give --authors and/or configs')
    results = {loop: [] for loop in loops}
    for r in range(args.rounds):
        for loop in loops:
            with tempfile.TemporaryDirectory(prefix='loops_') as tmp:
                res = run_child(args, loop, tmp)
            results[loop].append(res)
            e = res['epochs'][-1]
            print(f'round {r + 1}/{args.rounds} {osp.basename(loop)}: {e["wall"]:.1f} s for '
                  f'{e["steps"]} steps, {e["samples"] / e["wall"]:.2f} samples/s', flush=True)
    table = summarise(results)
    import torch
    print(f'\ntorch {torch.__version__}, {args.threads} threads, {args.workers} dataloader '
          f'workers, epoch {args.epochs} of {args.epochs} timed, median of {args.rounds} rounds')
    print(f'{"loop":32s} {"s/step":>7s} {"samples/s":>9s} {"vs authors":>10s}')
    for loop, row in table.items():
        ratio = f'{row["vs_authors"]:9.2f}x' if 'vs_authors' in row else ''
        print(f'{osp.basename(loop):32s} {row["s_per_step"]:7.3f} {row["samples_per_s"]:9.2f} '
              f'{ratio:>10s}')
    if args.json:
        write_json(args.json, dict(
            command='python ' + ' '.join([osp.relpath(__file__, _REPO)] + (
                argv if argv is not None else sys.argv[1:])),
            torch=torch.__version__, threads=args.threads, workers=args.workers,
            epochs=args.epochs, rounds=args.rounds, cfg_options=args.cfg_options,
            summary=table, runs=results))


def child(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument('loop')
    parser.add_argument('--out', required=True)
    parser.add_argument('--epochs', type=int, required=True)
    parser.add_argument('--threads', type=int, required=True)
    parser.add_argument('--workers', type=int, required=True)
    parser.add_argument('--work-dir', required=True)
    parser.add_argument('--authors')
    parser.add_argument('--data')
    parser.add_argument('--cfg-options', nargs='+', default=[])
    args = parser.parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    if args.loop == 'authors':
        res = authors_epochs(args.authors, args.data, args.epochs, args.threads, args.workers,
                             args.work_dir)
    else:
        res = our_epochs(args.loop, args.epochs, args.threads, args.workers, args.work_dir,
                         args.cfg_options)
    write_json(args.out, res)


if __name__ == '__main__':
    if sys.argv[1:2] == ['_child']:
        child(sys.argv[2:])
    else:
        main()
