"""CTR-GCN training steps: the authors' model beside ours, and ways of computing ours faster.

One training step = forward + cross-entropy + backward + SGD (momentum 0.9, Nesterov, weight
decay 1e-4, the authors' NW-UCLA settings) on a synthetic batch of NW-UCLA's shape: batch 16 x
52 frames x 20 joints x 3 channels, one person, 10 classes. The data pipeline is left out (its
``data_time`` is ~0.01 s a step), so this measures the model. Variants:

- ``authors``: ``model.ctrgcn.Model`` of Uason-Chen/CTR-GCN with its ``graph.ucla.Graph``,
  imported from a checkout (``--authors``); their ``main.py`` is not used because it moves
  everything to CUDA and needs their NW-UCLA json files, so their Model runs in this loop.
- ``ours``: the recognizer of ``configs/ctrgcn/ctrgcn_nwucla.py`` (CTRGCN + GCNHead) built as
  ``PluginRecognizerGCN`` without plugins (the same computation as ``RecognizerGCN``, with
  float32 scores, which MMAction2's top-k accuracy in the loss needs under bf16),
  ``model(x, samples, mode='loss')``: the Runner's train step without the data preprocessor.
- ``ours-batched``: ``backbone.batched_subsets=True`` (the three CTR-GC subsets at once).
- ``+tcn``: ``backbone.batched_tcn=True`` (the multi-scale TCN's branches with joined 1x1
  convolutions and BatchNorms).
- ``+cl``: channels-last memory format; ``+bf16``: ``torch.autocast('cpu', torch.bfloat16)``
  around forward and loss; ``+compile``: ``torch.compile`` of the backbone (its compile time is
  printed apart and left out of the step times).

Variants run interleaved (``--rounds`` rounds of ``--steps`` steps each, after a warm-up), so load
on the machine affects all alike; the tables give the median wall and CPU (process) time a step,
samples/s and the ratios to ``authors`` and ``ours`` measured in the same run.

    git clone https://github.com/Uason-Chen/CTR-GCN /tmp/CTR-GCN   # any checkout of their code
    OMP_NUM_THREADS=2 python tools/benchmark/ctrgcn_vs_authors.py --authors /tmp/CTR-GCN \\
        --threads 2 --rounds 5 --steps 2
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
import torch.nn as nn  # noqa: E402

from sfhead_mm.utils import register_all_modules  # noqa: E402

register_all_modules()
from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

from mmaction.registry import MODELS  # noqa: E402
from mmaction.structures import ActionDataSample  # noqa: E402

BATCH, FRAMES, JOINTS, CHANNELS, CLASSES = 16, 52, 20, 3, 10
CONFIG = osp.join(_REPO, 'configs', 'ctrgcn', 'ctrgcn_nwucla.py')


def sgd(model):
    return torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True,
                           weight_decay=1e-4)


def make_authors(path):
    sys.path.insert(0, path)
    from model.ctrgcn import Model  # noqa: E402  (the authors' module)
    torch.manual_seed(0)
    model = Model(num_class=CLASSES, num_point=JOINTS, num_person=1, graph='graph.ucla.Graph',
                  graph_args=dict(labeling_mode='spatial')).train()
    x = torch.randn(BATCH, CHANNELS, FRAMES, JOINTS, 1)  # their (N, C, T, V, M)
    y = torch.randint(0, CLASSES, (BATCH,))
    optim, loss_fn = sgd(model), nn.CrossEntropyLoss()

    def step():
        optim.zero_grad()
        loss_fn(model(x), y).backward()
        optim.step()
    return model, step


def make_ours(batched=False, tcn=False, channels_last=False, bf16=False, compile=False):
    cfg = Config.fromfile(CONFIG)
    cfg.model.type = 'PluginRecognizerGCN'
    cfg.model.backbone.batched_subsets = batched
    cfg.model.backbone.batched_tcn = tcn
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    if compile:
        model.backbone = torch.compile(model.backbone)
    x = torch.randn(BATCH, 1, 1, FRAMES, JOINTS, CHANNELS)  # (N, clips, M, T, V, C)
    samples = [ActionDataSample().set_gt_label(i % CLASSES) for i in range(BATCH)]
    optim = sgd(model)

    def step():
        optim.zero_grad()
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            losses = model(x, samples, mode='loss')
            loss = sum(v for k, v in losses.items() if 'loss' in k)
        loss.backward()
        optim.step()
    return model, step


VARIANTS = {
    'ours': dict(),
    'ours-batched': dict(batched=True),
    'ours+cl': dict(channels_last=True),
    'ours-batched+cl': dict(batched=True, channels_last=True),
    'ours+bf16': dict(bf16=True),
    'ours-batched+bf16': dict(batched=True, bf16=True),
    'ours-batched+tcn': dict(batched=True, tcn=True),
    'ours-batched+tcn+bf16': dict(batched=True, tcn=True, bf16=True),
    'ours-batched+compile': dict(batched=True, compile=True),
    'ours-batched+bf16+compile': dict(batched=True, bf16=True, compile=True),
    'ours-batched+tcn+bf16+compile': dict(batched=True, tcn=True, bf16=True, compile=True),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--authors', help='checkout of Uason-Chen/CTR-GCN (omit: ours only)')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--steps', type=int, default=2, help='steps per variant per round')
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--variants', nargs='+', choices=list(VARIANTS),
                        default=[v for v in VARIANTS if 'compile' not in v],
                        help='default: all but +compile (its compilation takes minutes on a '
                        'CPU; ask for it by name)')
    parser.add_argument('--json', help='write the results here')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    init_default_scope('mmaction')

    steps = {}
    if args.authors:
        steps['authors'] = make_authors(args.authors)[1]
    for name in args.variants:
        steps[name] = make_ours(**VARIANTS[name])[1]
    for name, step in steps.items():  # warm-up (and compilation)
        t0 = time.perf_counter()
        for _ in range(args.warmup):
            step()
        print(f'warm-up {name}: {time.perf_counter() - t0:.1f} s for {args.warmup} steps',
              flush=True)

    # Wall time, and the process's CPU time (all threads): on a machine shared with other
    # jobs the CPU time is the steadier of the two (waiting for a core does not count).
    times = {name: [] for name in steps}
    cpu = {name: [] for name in steps}
    for r in range(args.rounds):
        for name, step in steps.items():
            for _ in range(args.steps):
                t0, c0 = time.perf_counter(), time.process_time()
                step()
                times[name].append(time.perf_counter() - t0)
                cpu[name].append(time.process_time() - c0)
        print(f'round {r + 1}/{args.rounds} (median wall / cpu s): ' + ', '.join(
            f'{n} {statistics.median(times[n]):.2f}/{statistics.median(cpu[n]):.2f}'
            for n in steps), flush=True)

    print(f'\ntorch {torch.__version__}, {args.threads} threads, batch {BATCH} x {FRAMES} '
          f'frames x {JOINTS} joints x {CHANNELS} channels, {args.rounds} rounds x '
          f'{args.steps} steps, interleaved')
    for label, table in (('wall', times), ('cpu', cpu)):
        med = {n: statistics.median(t) for n, t in table.items()}
        header = f'{"variant":22s} {label + " s/step":>11s} {"samples/s":>9s} {"vs ours":>8s}'
        if 'authors' in med:
            header += f' {"vs authors":>10s}'
        print(header)
        for n, t in med.items():
            line = f'{n:22s} {t:11.3f} {BATCH / t:9.2f}'
            line += f' {med["ours"] / t:7.2f}x' if 'ours' in med else ' ' * 9
            if 'authors' in med:
                line += f' {med["authors"] / t:9.2f}x'
            print(line)
        print()
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(threads=args.threads, rounds=args.rounds, steps=args.steps,
                           wall=times, cpu=cpu), f, indent=1)


if __name__ == '__main__':
    main()
