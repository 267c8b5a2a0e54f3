"""Cost of SF-Head per backbone: parameters, training step, inference, peak memory.

For every registered backbone it can build (ST-GCN and 2s-AGCN from MMAction2, and this package's
CTR-GCN, InfoGCN, HD-GCN, BlockGCN once registered), it times the bare recognizer and the same
recognizer with SF-Head inline and auxiliary, in one run, interleaved, and prints ratios to the
bare backbone (median of repeated runs). Peak memory is measured in a fresh subprocess per
model (CPU: peak RSS growth during the steps; CUDA: ``max_memory_allocated``).

Default input: batch 8 x 2 persons x 64 frames x 25 joints x 3 channels, 120 classes.

    python tools/benchmark/sfhead_overhead.py [--backbones STGCN CTRGCN] [--repeats 7]
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
from mmengine.registry import init_default_scope  # noqa: E402
from mmaction.registry import MODELS  # noqa: E402
from mmaction.structures import ActionDataSample  # noqa: E402
from sfhead_mm.utils.memory import PeakMemory, peak_in_child  # noqa: E402

#: backbone name -> (backbone config, GCNHead in_channels)
BACKBONES = {
    'STGCN': dict(type='STGCN', graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial')),
    'AAGCN': dict(type='AAGCN', graph_cfg=dict(layout='nturgb+d', mode='spatial'),
                  gcn_attention=False),
    'CTRGCN': dict(type='CTRGCN', graph_cfg=dict(layout='nturgb+d', mode='spatial')),
    'InfoGCN': dict(type='InfoGCN', graph_cfg=dict(layout='nturgb+d', mode='spatial')),
    'HDGCN': dict(type='HDGCN', graph_cfg=dict(layout='nturgb+d')),
    'BlockGCN': dict(type='BlockGCN', graph_cfg=dict(layout='nturgb+d')),
}
#: variant name -> model changes over the bare recognizer (``frames`` is the clip length)
VARIANTS = {
    'bare': lambda frames: {},
    'inline': lambda frames: dict(type='SFRecognizerGCN', sf_head=dict(mode='inline')),
    'auxiliary': lambda frames: dict(type='SFRecognizerGCN', sf_head=dict(mode='auxiliary')),
    # SF-Head's peers on the same mechanism (--variants ... frhead rdl)
    'frhead': lambda frames: dict(type='PluginRecognizerGCN',
                                  plugins=[dict(type='FRHeadPlugin', num_frames=frames)]),
    'rdl': lambda frames: dict(type='PluginRecognizerGCN', plugins=[dict(type='RDLPlugin')]),
}
DEFAULT_VARIANTS = ('bare', 'inline', 'auxiliary')


def build(backbone: str, variant: str, num_classes: int, frames: int = 64):
    cfg = dict(type='RecognizerGCN', backbone=dict(BACKBONES[backbone]),
               cls_head=dict(type='GCNHead', num_classes=num_classes, in_channels=256))
    cfg.update(VARIANTS[variant](frames))
    return MODELS.build(cfg)


def make_batch(args, device):
    x = torch.randn(args.batch, 1, args.persons, args.frames, args.joints, 3, device=device)
    samples = [ActionDataSample().set_gt_label(i % args.classes) for i in range(args.batch)]
    return x, samples


def train_step(model, optim, x, samples):
    losses = model(x, samples, mode='loss')
    loss = sum(v for k, v in losses.items() if k.startswith('loss'))
    optim.zero_grad(set_to_none=True)
    loss.backward()
    optim.step()


@torch.no_grad()
def infer_step(model, x, samples):
    model(x, samples, mode='predict')


def sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize()


def time_models(args, backbone, device):
    """Median seconds per training step and per inference step, models interleaved."""
    torch.manual_seed(0)
    models = {v: build(backbone, v, args.classes, args.frames).to(device)
              for v in args.variants}
    optims = {v: torch.optim.SGD(m.parameters(), lr=1e-3, momentum=0.9)
              for v, m in models.items()}
    x, samples = make_batch(args, device)
    train = {v: [] for v in args.variants}
    infer = {v: [] for v in args.variants}
    for rep in range(args.warmup + args.repeats):
        for v, m in models.items():
            m.train()
            sync(device)
            t0 = time.perf_counter()
            train_step(m, optims[v], x, samples)
            sync(device)
            t1 = time.perf_counter()
            m.eval()
            infer_step(m, x, samples)
            sync(device)
            t2 = time.perf_counter()
            if rep >= args.warmup:
                train[v].append(t1 - t0)
                infer[v].append(t2 - t1)
    params = {v: sum(p.numel() for p in m.parameters()) for v, m in models.items()}
    return ({v: statistics.median(s) for v, s in train.items()},
            {v: statistics.median(s) for v, s in infer.items()}, params)


def measure_memory_here(args, backbone, variant, device):
    """Peak extra memory of training steps (run in a fresh process)."""
    torch.manual_seed(0)
    model = build(backbone, variant, args.classes, args.frames).to(device).train()
    optim = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    x, samples = make_batch(args, device)
    probe = PeakMemory(device)
    probe.start()
    for _ in range(3):
        train_step(model, optim, x, samples)
    return probe.growth()


def measure_memory(args, backbone, variant):
    cmd = [sys.executable, osp.abspath(__file__), '--memory-child', backbone, variant,
           '--batch', str(args.batch), '--frames', str(args.frames),
           '--persons', str(args.persons), '--device', args.device]
    return peak_in_child(cmd)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--backbones', nargs='+', default=None,
                        help='default: every one that is registered')
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--persons', type=int, default=2)
    parser.add_argument('--frames', type=int, default=64)
    parser.add_argument('--joints', type=int, default=25)
    parser.add_argument('--classes', type=int, default=120)
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--variants', nargs='+', default=list(DEFAULT_VARIANTS),
                        choices=list(VARIANTS), help='the first is the baseline of the ratios')
    parser.add_argument('--no-memory', action='store_true', help='skip the memory column')
    parser.add_argument('--json', help='also write the results to this JSON file')
    parser.add_argument('--memory-child', nargs=2, metavar=('BACKBONE', 'VARIANT'),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    init_default_scope('mmaction')
    device = torch.device(args.device)

    if args.memory_child:
        peak = measure_memory_here(args, *args.memory_child, device)
        print(json.dumps(dict(peak_bytes=peak)))
        return

    names = args.backbones or [b for b in BACKBONES if BACKBONES[b]['type'] in MODELS]
    base, others = args.variants[0], args.variants[1:]
    print(f'device={device} threads={torch.get_num_threads()} input: batch {args.batch} x '
          f'{args.persons} persons x {args.frames} frames x {args.joints} joints; median of '
          f'{args.repeats} runs after {args.warmup} warm-up; ratios to {base!r}')
    cols = ''.join(f' {v[:9]:>9s}' for v in others)
    print(f'{"backbone":10s} {"params":>9s}{"".join(f" {chr(43) + v[:8]:>9s}" for v in others)}'
          f' | {"train(s)":>8s}{cols} | {"infer(s)":>8s}{cols}'
          + ('' if args.no_memory else f' | {"mem(MB)":>8s}{cols}'))
    results = {}
    for name in names:
        train, infer, params = time_models(args, name, device)
        row = dict(params=params, train=train, infer=infer)
        line = (f'{name:10s} {params[base] / 1e6:8.3f}M'
                + ''.join(f' {params[v] - params[base]:9d}' for v in others)
                + f' | {train[base]:8.3f}' + ''.join(f' {train[v] / train[base]:8.2f}x'
                                                       for v in others)
                + f' | {infer[base]:8.3f}' + ''.join(f' {infer[v] / infer[base]:8.2f}x'
                                                       for v in others))
        if not args.no_memory:
            mem = {v: measure_memory(args, name, v) for v in args.variants}
            row['peak_bytes'] = mem
            line += f' | {mem[base] / 2**20:8.0f}' + ''.join(f' {mem[v] / mem[base]:8.2f}x'
                                                             for v in others)
        results[name] = row
        print(line, flush=True)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)


if __name__ == '__main__':
    main()
