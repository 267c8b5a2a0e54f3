"""Training throughput (samples/s) and peak memory of configs, as ratios to the first one.

Each config's model, optimizer and training dataloader are built from the config (its real data
and pipeline), and ``--iters`` training steps (``model.train_step``, the step the Runner takes)
are timed after ``--warmup`` steps. Configs are measured interleaved, step by step, so machine
load affects all of them alike; the ratio column is against the first config. Peak memory is the
growth of the process's peak RSS during the steps, measured in a fresh subprocess per config
(CUDA: ``max_memory_allocated``).

    python tools/benchmark/train_throughput.py configs/ctrgcn/ctrgcn_nwucla_cpu.py \\
        configs/ctrgcn/ctrgcn_sfhead_nwucla_cpu.py configs/ctrgcn/ctrgcn_sfhead-aux_nwucla_cpu.py

``--compile SPEC ...`` times every config once per SPEC, its ``train_step`` wrapped by
``torch.compile`` as mmengine's ``compile=`` option does: ``none`` (eager), a mode (``default``,
``reduce-overhead``: CUDA graphs, ``max-autotune``, ``max-autotune-no-cudagraphs``) or a backend
(``inductor``, ``cudagraphs``: CUDA graphs without code generation, ``aot_eager``, ``eager``).
``forward:SPEC`` compiles the model's forward only, as the config key ``compile_forward``
(``CompileForwardHook``) does, leaving the data preprocessor and the optimizer step eager.
The warm-up column is the wall time of the warm-up steps, compilation included: what a run pays
before its first fast step. On a GPU, where a step of these models is bound by kernel launches
(docs/results.md), this is the probe that tells whether a compiled run is worth its start:

    python tools/benchmark/train_throughput.py configs/ctrgcn/ctrgcn_nwucla_65e.py \\
        configs/ctrgcn/ctrgcn_sfhead_nwucla_65e.py --device cuda --iters 60 --warmup 10 \\
        --no-memory --compile none forward:cudagraphs cudagraphs
"""
import argparse
import json
import os.path as osp
import statistics
import sys
import time

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

import torch  # noqa: E402

from sfhead_mm.utils import register_all_modules  # noqa: E402

register_all_modules()
from mmengine.optim import build_optim_wrapper  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmaction.registry import MODELS  # noqa: E402
from sfhead_mm.engine import runner_setup  # noqa: E402
from sfhead_mm.utils.atomic_write import write_json  # noqa: E402
from sfhead_mm.utils.memory import PeakMemory, peak_in_child  # noqa: E402


#: ``--compile`` specs that are ``torch.compile`` modes; the others (but ``none``) are backends.
COMPILE_MODES = ('default', 'reduce-overhead', 'max-autotune', 'max-autotune-no-cudagraphs')


def compile_kwargs(spec: str):
    """``torch.compile`` keyword arguments of a ``--compile`` spec (``forward:`` stripped); None
    for ``none`` (eager)."""
    spec = spec.split(':', 1)[-1]
    if spec == 'none':
        return None
    return dict(mode=spec) if spec in COMPILE_MODES else dict(backend=spec)


def build(config: str, cfg_options, device, compile_spec: str = 'none'):
    cfg = runner_setup.load_config(config, cfg_options)
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).to(device).train()
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=0)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    kwargs = compile_kwargs(compile_spec)
    if kwargs is not None and compile_spec.startswith('forward:'):  # as CompileForwardHook
        model.compile(**kwargs)
    elif kwargs is not None:  # as mmengine's Runner._maybe_compile('train_step')
        model.train_step = torch.compile(model.train_step, **kwargs)
    return model, loader, optim, cfg.train_dataloader.batch_size


def batches(loader):
    while True:
        yield from loader


def step(model, optim, data, device):
    model.train_step(data, optim)
    if device.type == 'cuda':
        torch.cuda.synchronize()


def memory_child(config, cfg_options, device, iters):
    model, loader, optim, _ = build(config, cfg_options, device)
    data = batches(loader)
    first = next(data)
    probe = PeakMemory(device)
    probe.start()
    step(model, optim, first, device)
    for _ in range(iters - 1):
        step(model, optim, next(data), device)
    return probe.growth()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('configs', nargs='+', help='the first one is the baseline')
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--no-memory', action='store_true')
    parser.add_argument('--json', help='also write the results to this JSON file')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='key=value pairs applied to every config (e.g. data paths)')
    parser.add_argument('--compile', nargs='+', default=['none'], metavar='SPEC',
                        help='time every config once per spec: none (eager), a torch.compile '
                        f'mode ({", ".join(COMPILE_MODES)}) or backend (e.g. inductor, '
                        'cudagraphs, aot_eager, eager); forward:SPEC compiles the forward only '
                        '(as compile_forward); default: none')
    parser.add_argument('--memory-child', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    init_default_scope('mmaction')
    device = torch.device(args.device)
    options = dict(kv.split('=', 1) for kv in args.cfg_options)
    options = {k: _literal(v) for k, v in options.items()}

    if args.memory_child:
        peak = memory_child(args.memory_child, options, device, args.warmup + 3)
        print(json.dumps(dict(peak_bytes=peak)))
        return

    variants = [(c, spec) for c in args.configs for spec in args.compile]
    built = [build(c, options, device, spec) for c, spec in variants]
    streams = [batches(b[1]) for b in built]
    times = [[] for _ in built]
    warmup_seconds = [0.0 for _ in built]
    for it in range(args.warmup + args.iters):
        for k, (model, _, optim, _) in enumerate(built):
            data = next(streams[k])
            t0 = time.perf_counter()
            step(model, optim, data, device)
            if it >= args.warmup:
                times[k].append(time.perf_counter() - t0)
            else:
                warmup_seconds[k] += time.perf_counter() - t0
    compiled = args.compile != ['none']
    print(f'device={device} threads={torch.get_num_threads()}; median of {args.iters} '
          f'training steps after {args.warmup} warm-up, configs interleaved')
    print(f'{"config":45s} {"batch":>5s} {"s/step":>8s} {"samples/s":>10s} {"ratio":>6s} '
          + (f'{"compile":>16s} {"warm-up s":>9s} ' if compiled else '')
          + f'{"peak MB":>8s} {"ratio":>6s}')
    results, base_rate, base_mem = {}, None, None
    for (config, spec), (_, _, _, batch), ts, warm in zip(variants, built, times,
                                                          warmup_seconds):
        sec = statistics.median(ts)
        rate = batch / sec
        base_rate = base_rate or rate
        mem = None
        if not args.no_memory and spec == 'none':  # the memory child runs eager
            cmd = [sys.executable, osp.abspath(__file__), config, '--memory-child', config,
                   '--device', args.device, '--warmup', str(args.warmup)]
            if args.cfg_options:
                cmd += ['--cfg-options', *args.cfg_options]
            mem = peak_in_child(cmd)
            base_mem = base_mem or mem
        mem_cols = f'{mem / 2**20:8.0f} {mem / base_mem:5.2f}x' if mem else ''
        compile_cols = f'{spec:>16s} {warm:9.1f} ' if compiled else ''
        print(f'{osp.basename(config):45s} {batch:5d} {sec:8.3f} {rate:10.2f} '
              f'{base_rate / rate:5.2f}x {compile_cols}{mem_cols}', flush=True)
        key = config if spec == 'none' else f'{config} [compile {spec}]'
        results[key] = dict(seconds_per_step=sec, samples_per_second=rate,
                            step_time_ratio=base_rate / rate, peak_bytes=mem)
        if compiled:
            results[key].update(compile=spec, warmup_seconds=warm)
    if args.json:
        write_json(args.json, results)


def _literal(value: str):
    import ast
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value


if __name__ == '__main__':
    main()
