"""Latency per clip of every backbone in onnxruntime vs PyTorch (CPU), bare and with SF-Head.

For each backbone (ST-GCN and 2s-AGCN from MMAction2; CTR-GCN, InfoGCN, HD-GCN, BlockGCN of this
package) at its published width, bare and with SF-Head inline, the recognizer is exported with
``sfhead_mm.apis.onnx_export.export_onnx`` (checked against PyTorch) and one clip
``(1, M=2, T, V=25, C=3)`` is timed in both runtimes, interleaved, in the same process; the
median of ``--repeats`` runs is printed with the ratio PyTorch / onnxruntime (> 1: onnxruntime is
faster). BatchNorm statistics are set from two random batches first, as after training, so the
logits compared have a trained model's scale.

    python tools/benchmark/onnx_latency.py [--backbones CTRGCN STGCN] [--frames 64]
        [--threads 1] [--repeats 20] [--out-json docs/benchmarks/onnx_latency.json]
"""
import argparse
import json
import os
import os.path as osp
import statistics
import sys
import tempfile
import time

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

#: backbone -> (backbone config, head config)
BACKBONES = {
    'STGCN': (dict(type='STGCN', graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial')),
              dict(type='GCNHead', in_channels=256)),
    'AAGCN': (dict(type='AAGCN', graph_cfg=dict(layout='nturgb+d', mode='spatial')),
              dict(type='GCNHead', in_channels=256)),
    'CTRGCN': (dict(type='CTRGCN', graph_cfg=dict(layout='nturgb+d')),
               dict(type='GCNHead', in_channels=256)),
    'InfoGCN': (dict(type='InfoGCN', graph_cfg=dict(layout='nturgb+d')),
                dict(type='InfoGCNHead', in_channels=256)),
    'HDGCN': (dict(type='HDGCN', graph_cfg=dict(layout='nturgb+d')),
              dict(type='GCNHead', in_channels=256)),
    'BlockGCN': (dict(type='BlockGCN', graph_cfg=dict(layout='nturgb+d')),
                 dict(type='GCNHead', in_channels=256)),
}


def build(name: str, sf_head: bool, num_classes: int):
    import torch
    from mmaction.registry import MODELS
    backbone, head = BACKBONES[name]
    cfg = dict(type='RecognizerGCN', backbone=dict(backbone),
               cls_head=dict(head, num_classes=num_classes))
    if sf_head:
        cfg.update(type='SFRecognizerGCN', sf_head=dict(mode='inline'))
    torch.manual_seed(0)
    return MODELS.build(cfg)


def calibrate(model, shape) -> None:
    import torch
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.momentum = None
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model.extract_feat(torch.randn((2, 1) + shape))
    model.eval()


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(1e3 * (time.perf_counter() - t))
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--backbones', nargs='+', default=list(BACKBONES), choices=BACKBONES)
    parser.add_argument('--variants', nargs='+', default=['bare', 'sfhead'],
                        choices=['bare', 'sfhead'])
    parser.add_argument('--frames', type=int, default=64)
    parser.add_argument('--num-classes', type=int, default=120)
    parser.add_argument('--threads', type=int, default=1,
                        help='threads of both runtimes (1: stable on a shared machine)')
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--out-json')
    args = parser.parse_args(argv)

    import numpy as np
    import torch
    torch.set_num_threads(args.threads)
    from sfhead_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    from sfhead_mm.apis.onnx_export import OnnxRecognizer, clip_logits, export_onnx

    shape = (2, args.frames, 25, 3)
    x = np.random.default_rng(0).standard_normal((1, ) + shape).astype(np.float32)
    xt = torch.from_numpy(x)
    rows = []
    print(f'one clip (1, {", ".join(map(str, shape))}), {args.threads} thread(s), median of '
          f'{args.repeats}; load: {os.getloadavg()[0]:.1f} (1-min average) on '
          f'{os.cpu_count()} cores')
    print(f'{"model":<10} {"variant":<7} {"export s":>8} {"torch ms":>9} {"onnx ms":>8} '
          f'{"torch/onnx":>10} {"max|diff|":>9}')
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.backbones:
            for variant in args.variants:
                model = build(name, variant == 'sfhead', args.num_classes)
                calibrate(model, shape)
                path = osp.join(tmp, f'{name}_{variant}.onnx')
                t = time.perf_counter()
                result = export_onnx(model, path, input_shape=shape)
                export_s = time.perf_counter() - t
                runner = OnnxRecognizer(path, threads=args.threads)
                for _ in range(3):  # warm-up
                    clip_logits(model, xt)
                    runner.logits(x)
                torch_ms, onnx_ms = [], []
                for _ in range(args.repeats):  # interleaved
                    torch_ms.append(median_ms(lambda: clip_logits(model, xt), 1))
                    onnx_ms.append(median_ms(lambda: runner.logits(x), 1))
                row = dict(model=name, variant=variant, export_s=round(export_s, 2),
                           torch_ms=round(statistics.median(torch_ms), 2),
                           onnx_ms=round(statistics.median(onnx_ms), 2),
                           max_abs_diff=result.max_abs_diff, onnx_bytes=result.bytes)
                row['ratio'] = round(row['torch_ms'] / row['onnx_ms'], 2)
                rows.append(row)
                print(f'{name:<10} {variant:<7} {row["export_s"]:>8.1f} {row["torch_ms"]:>9.1f} '
                      f'{row["onnx_ms"]:>8.1f} {row["ratio"]:>10.2f} '
                      f'{row["max_abs_diff"]:>9.1e}', flush=True)
    if args.out_json:
        with open(args.out_json, 'w') as f:
            json.dump(dict(frames=args.frames, threads=args.threads, repeats=args.repeats,
                           cores=os.cpu_count(), rows=rows), f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
