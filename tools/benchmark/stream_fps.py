"""Frames per second of live multi-person recognition, and the latency to each label.

For CTR-GCN and CTR-GCN + SF-Head (inline; the NTU-120 configs, initial weights: the speed does
not depend on them), in PyTorch and in onnxruntime, a synthetic stream of 1, 2 and 5 people
(NTU-25 3D poses, all present from the first frame) is pushed through
:class:`sfhead_mm.apis.stream.LiveRecognizer` (window 64, stride 16, one clip per window through
the config's test pipeline: resampled to 100 frames, 2 person slots) as fast as it goes.

* fps: frames pushed per second over the whole stream; steady fps: over the frames after the
  first full window (every ``stride`` frames all people are labelled, in one batch), the rate
  the loop sustains once running;
* latency: time from pushing a window's last frame to its label (tracking, test pipeline and
  model for every person due at that frame), median over the labels;
* 30 fps?: whether the steady rate keeps up with a 30 fps camera.

    python tools/benchmark/stream_fps.py [--people 1 2 5] [--frames 128] [--threads 1]
        [--backends torch onnx] [--out-json docs/benchmarks/stream_fps.json]
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

MODELS = {'CTR-GCN': 'configs/ctrgcn_ntu120.py',
          'CTR-GCN + SF-Head': 'configs/ctrgcn_sfhead_ntu120.py'}


def calibrate(model) -> None:
    """BatchNorm statistics of random batches, so that the logits have a trained model's scale
    (the export check compares them; the speed does not depend on it)."""
    import torch
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.momentum = None
    model.train()
    with torch.no_grad():
        model.extract_feat(torch.randn(2, 1, 2, 100, 25, 3))
    model.eval()


def run_stream(classifier, people: int, frames: int, window: int, stride: int):
    from sfhead_mm.apis.stream import LiveRecognizer, synthetic_stream
    live = LiveRecognizer(classifier, window=window, stride=stride)
    stream = list(synthetic_stream(people, frames, seed=people))
    labels = []
    t0 = time.perf_counter()
    for i, poses in enumerate(stream):
        labels.extend(live.push(poses))
        if i == window - 1:
            t_first = time.perf_counter()  # the first windows are full (and labelled)
    end = time.perf_counter()
    steady = (frames - window) / (end - t_first) if frames > window else float('nan')
    return frames / (end - t0), steady, [r.latency_s for r in labels], len(labels)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--people', nargs='+', type=int, default=[1, 2, 5])
    parser.add_argument('--frames', type=int, default=128)
    parser.add_argument('--window', type=int, default=64)
    parser.add_argument('--stride', type=int, default=16)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--backends', nargs='+', default=['torch', 'onnx'],
                        choices=['torch', 'onnx'])
    parser.add_argument('--models', nargs='+', default=list(MODELS), choices=list(MODELS))
    parser.add_argument('--out-json')
    args = parser.parse_args(argv)

    import torch
    torch.set_num_threads(args.threads)
    from sfhead_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    from sfhead_mm.apis.inference import init_recognizer
    from sfhead_mm.apis.onnx_export import export_onnx
    from sfhead_mm.apis.stream import OnnxClassifier, TorchClassifier

    print(f'window {args.window}, stride {args.stride}, {args.frames} frames, {args.threads} '
          f'thread(s); load {os.getloadavg()[0]:.1f} (1-min average) on {os.cpu_count()} cores')
    print(f'{"model":<18} {"backend":<7} {"people":>6} {"fps":>7} {"steady":>7} {"labels":>6} '
          f'{"latency ms":>10} {"30 fps?":>7}')
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            model = init_recognizer(osp.join(_REPO, MODELS[name]))
            calibrate(model)
            classifiers = {}
            if 'torch' in args.backends:
                classifiers['torch'] = TorchClassifier(model)
            if 'onnx' in args.backends:
                path = osp.join(tmp, 'model.onnx')
                export_onnx(model, path)
                classifiers['onnx'] = OnnxClassifier(path, model.cfg, threads=args.threads)
            for backend, clf in classifiers.items():
                run_stream(clf, 1, args.window, args.window, args.stride)  # warm-up
                for people in args.people:
                    fps, steady, lat, n = run_stream(clf, people, args.frames, args.window,
                                                     args.stride)
                    row = dict(model=name, backend=backend, people=people, fps=round(fps, 1),
                               steady_fps=round(steady, 1), labels=n,
                               latency_ms=round(1e3 * statistics.median(lat), 1))
                    rows.append(row)
                    print(f'{name:<18} {backend:<7} {people:>6} {fps:>7.1f} {steady:>7.1f} '
                          f'{n:>6} {row["latency_ms"]:>10.1f} '
                          f'{"yes" if steady >= 30 else "no":>7}', flush=True)
    if args.out_json:
        with open(args.out_json, 'w') as f:
            json.dump(dict(vars(args), cores=os.cpu_count(), rows=rows), f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
