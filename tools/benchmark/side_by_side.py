"""How many training runs to put side by side on one machine: total samples/s per layout.

A study of several seeds on a small machine can run them one after the other with every core,
or side by side with a share of the cores each. Which is faster depends on how well one run
uses its cores (a small model on a CPU uses a second thread poorly), so it is measured: for
every layout ``RxT`` (R runs at once, T threads each, as ``OMP_NUM_THREADS`` and
``MKL_NUM_THREADS``), R copies of ``train_throughput.py CONFIG`` start together and time their
training steps; the table gives each layout's median seconds a step (the slowest copy's) and the
samples/s of all its copies together, with the ratio to the first layout::

    python tools/benchmark/side_by_side.py configs/ctrgcn/ctrgcn_nwucla_cpu2h.py \\
        --layouts 1x2 2x1 2x2 --iters 25 --warmup 5

The default layouts on a machine of C cores are ``1xC`` (one run, every core), ``2x(C/2)`` (two
runs sharing the cores, what ``run_seeds.py --jobs 2`` does) and ``2xC`` (two runs with a thread
per core each, PyTorch's default, i.e. what two runs started by hand do). The copies start at the
same time but may end a little apart, so a copy's last steps can run alone: the medians are of
the steps, which the overlap dominates when ``--iters`` is large against the build time.
"""
import argparse
import json
import os.path as osp
import re
import subprocess
import sys
import tempfile
from typing import List, Tuple

BENCH = osp.dirname(osp.abspath(__file__))
_REPO = osp.dirname(osp.dirname(BENCH))
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from sfhead_mm.utils.atomic_write import write_json  # noqa: E402

sys.path.insert(0, BENCH)
from run_seeds import cpu_cores, thread_env  # noqa: E402

sys.path.remove(BENCH)


def parse_layout(spec: str) -> Tuple[int, int]:
    """``'RxT'`` as (runs, threads), both at least 1 (ValueError naming the spec otherwise)."""
    match = re.fullmatch(r'(\d+)x(\d+)', spec)
    if not match or min(int(match[1]), int(match[2])) < 1:
        raise ValueError(f'layout {spec!r} is not RUNSxTHREADS with both at least 1 (e.g. 2x1)')
    return int(match[1]), int(match[2])


def default_layouts(cores: int) -> List[str]:
    """One run on every core; two runs sharing them; two runs with a thread per core each."""
    return list(dict.fromkeys([f'1x{cores}', f'2x{max(1, cores // 2)}', f'2x{cores}']))


def measure(config: str, runs: int, threads: int, args, tmp: str) -> dict:
    """Start ``runs`` copies of train_throughput.py on ``config`` together; their results."""
    procs, outs = [], []
    for k in range(runs):
        out = osp.join(tmp, f'{runs}x{threads}_{k}.json')
        cmd = [sys.executable, osp.join(BENCH, 'train_throughput.py'), config, '--iters',
               str(args.iters), '--warmup', str(args.warmup), '--no-memory', '--json', out]
        if args.cfg_options:
            cmd += ['--cfg-options', *args.cfg_options]
        procs.append(subprocess.Popen(cmd, env=thread_env(threads), stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True))
        outs.append(out)
    logs = [p.communicate()[0] for p in procs]
    for p, log in zip(procs, logs):
        if p.returncode:
            tail = log.strip().splitlines()[-1] if log.strip() else ''
            raise SystemExit(f'error: layout {runs}x{threads}: train_throughput.py exited with '
                             f'status {p.returncode}: {tail}')
    copies = []
    for out in outs:  # one config: one result per copy
        with open(out) as f:
            copies.extend(json.load(f).values())
    seconds = [c['seconds_per_step'] for c in copies]
    rates = [c['samples_per_second'] for c in copies]
    return dict(runs=runs, threads=threads, seconds_per_step=max(seconds),
                seconds_per_step_each=seconds, samples_per_second_each=rates,
                samples_per_second=sum(rates))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--layouts', nargs='+', metavar='RxT',
                        help='R runs side by side of T threads each; the first is the baseline '
                        '(default on C cores: 1xC 2x(C/2) 2xC)')
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--json', help='also write the results to this JSON file')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='key=value pairs applied to the config (e.g. data paths)')
    args = parser.parse_args(argv)
    cores = cpu_cores()
    specs = args.layouts or default_layouts(cores)
    try:
        layouts = [parse_layout(s) for s in specs]
    except ValueError as e:
        parser.error(str(e))
    print(f'{osp.basename(args.config)} on {cores} core(s); median of {args.iters} training '
          f'steps after {args.warmup} warm-up, per copy')
    print(f'{"layout":>8s} {"runs":>5s} {"threads":>8s} {"s/step":>8s} {"samples/s":>10s} '
          f'{"ratio":>6s}')
    results, base = {}, None
    with tempfile.TemporaryDirectory() as tmp:
        for spec, (runs, threads) in zip(specs, layouts):
            r = measure(args.config, runs, threads, args, tmp)
            base = base or r['samples_per_second']
            r['throughput_ratio'] = r['samples_per_second'] / base
            results[spec] = r
            note = '  (more threads than cores)' if runs * threads > cores else ''
            print(f'{spec:>8s} {runs:5d} {threads:8d} {r["seconds_per_step"]:8.3f} '
                  f'{r["samples_per_second"]:10.2f} {r["throughput_ratio"]:5.2f}x{note}',
                  flush=True)
    if args.json:
        write_json(args.json, dict(config=args.config, cores=cores, iters=args.iters,
                                   warmup=args.warmup, layouts=results))
    return results


if __name__ == '__main__':
    main()
