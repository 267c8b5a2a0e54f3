"""Cost of SF-Head per backbone: eager and compiled, float32 and bfloat16 autocast.

For every registered backbone it can build (ST-GCN and 2s-AGCN from MMAction2, and this package's
CTR-GCN, InfoGCN, HD-GCN, BlockGCN once registered), it times the bare recognizer and the same
recognizer with SF-Head inline and auxiliary, in one run: a training step (loss, backward, SGD
step) and an inference step (``predict``), median (or min) of ``--repeats`` after ``--warmup``. The
variants are measured interleaved, step by step, so machine load affects them alike, and every
ratio is to the bare backbone in the same mode (eager or ``torch.compile``, float32 or bf16
autocast). The table also names, per backbone, the mode in which the bare backbone is fastest.
Optional peak memory (``--memory``, eager float32) runs in a fresh subprocess per model (CPU:
peak RSS growth; CUDA: ``max_memory_allocated``).

``--ops`` counts instead of timing: the ATen operations one eager training step (forward and
backward, the optimizer step left out) and one inference step dispatch, views and allocations
left out. On a GPU nearly each is a kernel launch, and with skeleton-sized tensors a launch-bound
step costs in proportion to them; the count is exact and repeatable on any machine.

Default input: batch 8 x 2 persons x 64 frames x 25 joints x 3 channels, 120 classes.

    python tools/benchmark/sfhead_overhead.py [--backbones STGCN CTRGCN] [--modes eager]
        [--dtypes fp32] [--repeats 5] [--json out.json]
    python tools/benchmark/sfhead_overhead.py --device cuda   # GPU defaults, see --help
    python tools/benchmark/sfhead_overhead.py --ops --layout nw-ucla --persons 1 --frames 52
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
from torch.utils._python_dispatch import TorchDispatchMode  # noqa: E402

import sfhead_mm.models  # noqa: E402,F401  (registers the package's models)
from mmengine.registry import init_default_scope  # noqa: E402
from mmaction.registry import MODELS  # noqa: E402
from mmaction.structures import ActionDataSample  # noqa: E402
from sfhead_mm.skeleton.layout import get_layout  # noqa: E402
from sfhead_mm.utils.memory import PeakMemory, peak_in_child  # noqa: E402

#: backbone name -> backbone config
BACKBONES = {
    'STGCN': dict(type='STGCN', graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial')),
    'AAGCN': dict(type='AAGCN', graph_cfg=dict(layout='nturgb+d', mode='spatial'),
                  gcn_attention=False),
    'CTRGCN': dict(type='CTRGCN', graph_cfg=dict(layout='nturgb+d', mode='spatial')),
    'InfoGCN': dict(type='InfoGCN', graph_cfg=dict(layout='nturgb+d', mode='spatial')),
    'HDGCN': dict(type='HDGCN', graph_cfg=dict(layout='nturgb+d')),
    'BlockGCN': dict(type='BlockGCN', graph_cfg=dict(layout='nturgb+d')),
}
#: Layout names MMAction2's own Graph (used by its STGCN and AAGCN) knows
MMACTION_LAYOUTS = ('openpose', 'nturgb+d', 'coco')
#: variant name -> model changes over the bare recognizer (``frames`` is the clip length)
VARIANTS = {
    # the same recognizer class without plugins (MMAction2's RecognizerGCN cannot compute its
    # accuracy on bf16 scores under autocast; PluginRecognizerGCN casts them to float32)
    'bare': lambda frames: dict(type='PluginRecognizerGCN'),
    'inline': lambda frames: dict(type='SFRecognizerGCN', sf_head=dict(mode='inline')),
    'auxiliary': lambda frames: dict(type='SFRecognizerGCN', sf_head=dict(mode='auxiliary')),
    # SF-Head's peers on the same mechanism (--variants ... frhead rdl)
    'frhead': lambda frames: dict(type='PluginRecognizerGCN',
                                  plugins=[dict(type='FRHeadPlugin', num_frames=frames)]),
    'rdl': lambda frames: dict(type='PluginRecognizerGCN', plugins=[dict(type='RDLPlugin')]),
}
DEFAULT_VARIANTS = ('bare', 'inline', 'auxiliary')
MODES = ('eager', 'compiled')
DTYPES = {'fp32': None, 'bf16': torch.bfloat16}
#: How the timed steps of one model are summarised; ``min`` resists bursts of load from other
#: processes on a shared machine (they only ever add time).
STATISTICS = {'median': statistics.median, 'min': min}
#: Defaults that differ by device (CUDA: a realistic batch, and a time budget that keeps one
#: run of every backbone, mode and dtype within about 5 minutes).
DEVICE_DEFAULTS = {
    'cpu': dict(batch=8, repeats=5, warmup=2, max_minutes=None),
    'cuda': dict(batch=32, repeats=20, warmup=3, max_minutes=4.5),
}


def build(backbone: str, variant: str, num_classes: int, frames: int = 64,
          layout: str = 'nturgb+d', persons: int = 2):
    backbone_cfg = dict(BACKBONES[backbone], num_person=persons)
    if backbone_cfg['type'] in ('STGCN', 'AAGCN') and layout not in MMACTION_LAYOUTS:
        layout = get_layout(layout).graph_dict()  # the form MMAction2's own Graph accepts
    backbone_cfg['graph_cfg'] = dict(backbone_cfg['graph_cfg'], layout=layout)
    cfg = dict(type='RecognizerGCN', backbone=backbone_cfg,
               cls_head=dict(type='GCNHead', num_classes=num_classes, in_channels=256))
    cfg.update(VARIANTS[variant](frames))
    return MODELS.build(cfg)


def make_batch(args, device):
    x = torch.randn(args.batch, 1, args.persons, args.frames, args.joints, 3, device=device)
    samples = [ActionDataSample().set_gt_label(i % args.classes) for i in range(args.batch)]
    return x, samples


def autocast(device, dtype):
    return torch.autocast(device.type, dtype=dtype, enabled=dtype is not None)


def total_loss(model, x, samples):
    losses = model(x, samples, mode='loss')
    return sum(v for k, v in losses.items() if k.startswith('loss'))


def predict(model, x, samples):
    return model(x, samples, mode='predict')


class Steps:
    """A model's training and inference step, eager or compiled (as mmengine's ``compile=True``
    does: the forward is compiled, backward and optimizer step run as usual)."""

    def __init__(self, model, device, dtype, compiled: bool):
        self.model, self.device, self.dtype = model, device, dtype
        self.optim = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
        self.loss_fn = torch.compile(total_loss) if compiled else total_loss
        self.predict_fn = torch.compile(predict) if compiled else predict

    def train(self, x, samples):
        self.model.train()
        with autocast(self.device, self.dtype):
            loss = self.loss_fn(self.model, x, samples)
        self.optim.zero_grad(set_to_none=True)
        loss.backward()
        self.optim.step()

    @torch.no_grad()
    def infer(self, x, samples):
        self.model.eval()
        with autocast(self.device, self.dtype):
            self.predict_fn(self.model, x, samples)


#: Operations that launch no kernel (besides the views, ``OpOverload.is_view``).
NO_KERNEL = {'aten._unsafe_view.default', 'aten.empty.memory_format', 'aten.empty_strided.default',
             'aten.empty_like.default', 'aten.lift_fresh.default'}


class OpCounter(TorchDispatchMode):
    """Counts the ATen operations dispatched inside it that compute (views and allocations
    left out)."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if not (func.is_view or str(func) in NO_KERNEL):
            self.count += 1
        return func(*args, **(kwargs or {}))


def count_ops(args, backbone, device, dtype_name):
    """Operations of one eager training step (loss forward and backward) and one inference
    step of every variant, after a warm-up step."""
    torch.manual_seed(0)
    out = {}
    for v in args.variants:
        model = build(backbone, v, args.classes, args.frames, args.layout,
                      args.persons).to(device)
        steps = Steps(model, device, DTYPES[dtype_name], compiled=False)
        x, samples = make_batch(args, device)
        steps.train(x, samples)
        model.train()
        with OpCounter() as train, autocast(device, DTYPES[dtype_name]):
            loss = total_loss(model, x, samples)
            loss.backward()
        with OpCounter() as infer:
            steps.infer(x, samples)
        out[v] = dict(train=train.count, infer=infer.count)
    return out


def main_ops(args, names, device, results):
    base, others = args.variants[0], args.variants[1:]
    print(f'ATen operations per step (views and allocations left out), eager; ratios to {base!r}')
    for dtype in args.dtypes:
        for name in names:
            ops = count_ops(args, name, device, dtype)
            results['backbones'].setdefault(name, dict(modes={}))['ops-' + dtype] = ops
            print(f'{name:9s} {dtype:5s} | train {ops[base]["train"]:6d}'
                  + ''.join(f' {v} {ops[v]["train"] / ops[base]["train"]:.2f}x' for v in others)
                  + f' | infer {ops[base]["infer"]:6d}'
                  + ''.join(f' {v} {ops[v]["infer"] / ops[base]["infer"]:.2f}x'
                            for v in others), flush=True)
    save(results, args.json)


def sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize()


def time_models(args, backbone, device, mode, dtype_name):
    """Seconds per training step and per inference step (``--statistic`` of the timed steps),
    variants interleaved."""
    torch.manual_seed(0)
    compiled = mode == 'compiled'
    if compiled:
        torch._dynamo.reset()
    variants = list(args.variants)
    models = {v: build(backbone, v, args.classes, args.frames, args.layout,
                       args.persons).to(device) for v in variants}
    steps = {v: Steps(m, device, DTYPES[dtype_name], compiled) for v, m in models.items()}
    x, samples = make_batch(args, device)
    train = {v: [] for v in variants}
    infer = {v: [] for v in variants}
    # compiled: the first step compiles, the second compiles the frames that change after it
    warmup = max(args.warmup, 2) if compiled else args.warmup
    for rep in range(warmup + args.repeats):
        for v, step in steps.items():
            sync(device)
            t0 = time.perf_counter()
            step.train(x, samples)
            sync(device)
            t1 = time.perf_counter()
            step.infer(x, samples)
            sync(device)
            t2 = time.perf_counter()
            if rep >= warmup:
                train[v].append(t1 - t0)
                infer[v].append(t2 - t1)
    params = {v: sum(p.numel() for p in m.parameters()) for v, m in models.items()}
    return ({v: STATISTICS[args.statistic](s) for v, s in train.items()},
            {v: STATISTICS[args.statistic](s) for v, s in infer.items()}, params,
            dict(train=train, infer=infer))


def measure_memory_here(args, backbone, variant, device):
    """Peak extra memory of eager float32 training steps (run in a fresh process)."""
    torch.manual_seed(0)
    model = build(backbone, variant, args.classes, args.frames, args.layout,
                  args.persons).to(device)
    steps = Steps(model, device, None, compiled=False)
    x, samples = make_batch(args, device)
    probe = PeakMemory(device)
    probe.start()
    for _ in range(3):
        steps.train(x, samples)
    return probe.growth()


def measure_memory(args, backbone, variant):
    cmd = [sys.executable, osp.abspath(__file__), '--memory-child', backbone, variant,
           '--batch', str(args.batch), '--frames', str(args.frames),
           '--persons', str(args.persons), '--device', args.device, '--layout', args.layout,
           '--joints', str(args.joints)]
    return peak_in_child(cmd)


def markdown_table(results: dict, base: str = 'bare') -> str:
    """The results as a markdown table: bare seconds and variant ratios, per backbone and mode;
    the bare backbone's fastest mode is marked with *."""
    variants = [v for v in results['variants'] if v != base]
    head = ['backbone', 'mode', 'train bare (s)'] + [f'train {v}' for v in variants] + [
        'infer bare (s)'] + [f'infer {v}' for v in variants]
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for name, row in results['backbones'].items():
        for key, t in row['modes'].items():
            cells = [name, key, f'{t["train"][base]:.3f}'
                     + (' *' if key == row.get('fastest_train_mode') else '')]
            cells += [f'{t["train"][v] / t["train"][base]:.2f}x' if v in t['train'] else '-'
                      for v in variants]
            cells += [f'{t["infer"][base]:.3f}'
                      + (' *' if key == row.get('fastest_infer_mode') else '')]
            cells += [f'{t["infer"][v] / t["infer"][base]:.2f}x' if v in t['infer'] else '-'
                      for v in variants]
            lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--backbones', nargs='+', default=None, choices=list(BACKBONES),
                        help='default: every one that is registered')
    parser.add_argument('--variants', nargs='+', default=list(DEFAULT_VARIANTS),
                        choices=list(VARIANTS), help='the first is the baseline of the ratios')
    parser.add_argument('--modes', nargs='+', default=list(MODES), choices=MODES)
    parser.add_argument('--dtypes', nargs='+', default=list(DTYPES), choices=list(DTYPES),
                        help='bf16: the steps run under torch.autocast(dtype=bfloat16)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--batch', type=int, help='cpu: 8, cuda: 32')
    parser.add_argument('--persons', type=int, default=2)
    parser.add_argument('--frames', type=int, default=64)
    parser.add_argument('--layout', default='nturgb+d',
                        help='skeleton layout of every backbone\'s graph (e.g. nw-ucla)')
    parser.add_argument('--joints', type=int,
                        help='joints per frame (default: the layout\'s joint count)')
    parser.add_argument('--classes', type=int, default=120)
    parser.add_argument('--repeats', type=int, help='timed steps; cpu: 5, cuda: 20')
    parser.add_argument('--warmup', type=int,
                        help='untimed steps first (compiled: at least 2, compilation happens '
                             'there); cpu: 2, cuda: 3')
    parser.add_argument('--threads', type=int, help='torch.set_num_threads (CPU)')
    parser.add_argument('--statistic', choices=list(STATISTICS), default='median',
                        help='summary of the timed steps (min on a machine shared with other '
                             'jobs); every step time is also in the JSON')
    parser.add_argument('--max-minutes', type=float,
                        help='start no new backbone x mode x dtype once this much time has '
                             'passed; the skipped ones are listed (cpu: none, cuda: 4.5)')
    parser.add_argument('--ops', action='store_true',
                        help='count the ATen operations of a training and an inference step '
                             '(eager) instead of timing them')
    parser.add_argument('--memory', action='store_true',
                        help='also peak memory of eager fp32 training (subprocess per model)')
    parser.add_argument('--json', help='also write the results to this JSON file')
    parser.add_argument('--memory-child', nargs=2, metavar=('BACKBONE', 'VARIANT'),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    defaults = DEVICE_DEFAULTS['cuda' if args.device.startswith('cuda') else 'cpu']
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def main(argv=None):
    args = parse_args(argv)
    init_default_scope('mmaction')
    device = torch.device(args.device)
    if args.joints is None:
        args.joints = get_layout(args.layout).num_joints
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.memory_child:
        peak = measure_memory_here(args, *args.memory_child, device)
        print(json.dumps(dict(peak_bytes=peak)))
        return
    # Each backbone x variant x dtype compiles its own graphs; keep them all cached.
    torch._dynamo.config.cache_size_limit = max(torch._dynamo.config.cache_size_limit, 64)

    names = args.backbones or [b for b in BACKBONES if BACKBONES[b]['type'] in MODELS]
    base, others = args.variants[0], args.variants[1:]
    settings = [(m, d) for m in args.modes for d in args.dtypes]
    hardware = (torch.cuda.get_device_name(device) if device.type == 'cuda'
                else f'cpu, {torch.get_num_threads()} threads')
    print(f'device={device} ({hardware}) torch {torch.__version__}; input: batch {args.batch} '
          f'x {args.persons} persons x {args.frames} frames x {args.joints} joints; '
          f'{args.statistic} of {args.repeats} steps after {args.warmup} warm-up; ratios to '
          f'{base!r} in the same mode', flush=True)
    results = dict(meta=dict(device=str(device), hardware=hardware, torch=torch.__version__,
                             batch=args.batch, persons=args.persons, frames=args.frames,
                             layout=args.layout, joints=args.joints, repeats=args.repeats,
                             warmup=args.warmup, statistic=args.statistic,
                             command=' '.join(['python', 'tools/benchmark/sfhead_overhead.py']
                                              + list(argv if argv is not None
                                                     else sys.argv[1:]))),
                   variants=list(args.variants), backbones={}, skipped=[])
    if args.ops:
        main_ops(args, names, device, results)
        return
    cols = ''.join(f' {v[:8]:>9s}' for v in others)
    print(f'{"backbone":9s} {"mode":13s} | {"train(s)":>8s}{cols} | {"infer(s)":>8s}{cols}')
    start = time.perf_counter()
    params = {}
    for mode, dtype in settings:  # every backbone in one setting before the next setting
        key = f'{mode}-{dtype}'
        for name in names:
            row = results['backbones'].setdefault(name, dict(modes={}))
            if args.max_minutes and time.perf_counter() - start > 60 * args.max_minutes:
                results['skipped'].append(f'{name} {key}')
                continue
            train, infer, params[name], steps = time_models(args, name, device, mode, dtype)
            row['params'] = params[name]
            row['modes'][key] = dict(train=train, infer=infer, steps=steps)
            save(results, args.json)  # as it goes: a run cut short keeps what it measured
            print(f'{name:9s} {key:13s} | {train[base]:8.3f}'
                  + ''.join(f' {train[v] / train[base]:8.2f}x' if v in train else ' ' * 10
                            for v in others)
                  + f' | {infer[base]:8.3f}'
                  + ''.join(f' {infer[v] / infer[base]:8.2f}x' if v in infer else ' ' * 10
                            for v in others), flush=True)
    for name, row in results['backbones'].items():
        if not row['modes']:
            continue
        row['fastest_train_mode'] = min(row['modes'],
                                        key=lambda k: row['modes'][k]['train'][base])
        row['fastest_infer_mode'] = min(row['modes'],
                                        key=lambda k: row['modes'][k]['infer'][base])
        p = row['params']
        print(f'{name:9s} params {p[base] / 1e6:.3f}M'
              + ''.join(f', +{p[v] - p[base]} {v}' for v in others if v in p)
              + f'; bare fastest: train {row["fastest_train_mode"]}, '
              f'infer {row["fastest_infer_mode"]}')
        if args.memory:
            mem = {v: measure_memory(args, name, v) for v in args.variants}
            row['peak_bytes'] = mem
            print(f'{name:9s} peak memory eager-fp32 train: {mem[base] / 2**20:.0f} MB'
                  + ''.join(f', {v} {mem[v] / mem[base]:.2f}x' for v in others), flush=True)
    if results['skipped']:
        print(f'skipped after {args.max_minutes} min: {", ".join(results["skipped"])}')
    print(f'total {time.perf_counter() - start:.0f} s')
    print(markdown_table(results, base))
    save(results, args.json)


def save(results: dict, path) -> None:
    if path:
        with open(path, 'w') as f:
            json.dump(results, f, indent=2)


if __name__ == '__main__':
    main()
