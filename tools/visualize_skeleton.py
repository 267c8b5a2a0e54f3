# Render a skeleton sequence (any layout) as a GIF, MP4 or PNG strip, with the predicted class.
"""Render a skeleton sequence as an animated GIF, an MP4 or a PNG frame strip.

    python tools/visualize_skeleton.py INPUT --out clip.gif [--layout nturgb+d]
    python tools/visualize_skeleton.py INPUT --out clip.png --config CFG --checkpoint CKPT \\
        [--label-map FILE] [--model-input]

INPUT is any file tools/infer.py reads (a pickle: the first sample, or --sample NAME). The
layout comes from --layout, else the config, else the joint count. With a checkpoint the
predicted class and score head every frame (and, with --window, the prediction of the window
around each frame). --model-input draws what the model saw: the keypoints after the config's test
pipeline (normalised, resampled to the clip length) instead of the raw file.
"""
import argparse
import os.path as osp
import sys

_REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

import sfhead_mm  # noqa: E402,F401  (compat fixes + registration, before mmaction.models)
from mmengine.config import DictAction  # noqa: E402

from sfhead_mm.apis import (InputError, inference_skeleton, init_recognizer,  # noqa: E402
                            read_skeleton_file, render_skeleton)
from sfhead_mm.apis.inference import build_test_pipeline, model_input_of  # noqa: E402
from sfhead_mm.apis.readers import NPY_ORDERS  # noqa: E402
from sfhead_mm.skeleton import get_layout, list_layouts  # noqa: E402
from sfhead_mm.skeleton.plot import VIEWS  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('input', help='.skeleton, .json, .npy or .pkl file')
    parser.add_argument('--out', required=True, help='output .gif, .mp4 or .png (frame strip)')
    parser.add_argument('--layout', help=f'skeleton layout (registered: {list_layouts()})')
    parser.add_argument('--config', help='config: its layout, test pipeline and model')
    parser.add_argument('--checkpoint', help='checkpoint: show the predicted class')
    parser.add_argument('--label-map', help='class names (file, or ntu60/ntu120/nwucla)')
    parser.add_argument('--model-input', action='store_true',
                        help='draw the keypoints after the test pipeline (needs --config)')
    parser.add_argument('--window', type=int, help='also predict windows of this many frames')
    parser.add_argument('--stride', type=int, help='frames between windows')
    parser.add_argument('--sample', help='pickles: the sample to draw (frame_dir)')
    parser.add_argument('--split', help='pickles: draw the first sample of this split')
    parser.add_argument('--npy-order', choices=NPY_ORDERS, default='auto')
    parser.add_argument('--fps', type=float, default=15.0, help='GIF / MP4 frame rate')
    parser.add_argument('--num-frames', type=int, default=8, help='frames of a PNG strip')
    parser.add_argument('--view', choices=sorted(VIEWS) + ['image'],
                        help='projection (default: image for 2D, xy for 3D)')
    parser.add_argument('--title', help='text above the frames (default: the prediction)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings in the config, key=value pairs')
    return parser.parse_args(argv)


def guess_layout(num_joints: int):
    """The registered layout with ``num_joints`` joints, when exactly one has that many."""
    found = {get_layout(n).name for n in list_layouts() if get_layout(n).num_joints == num_joints}
    if len(found) != 1:
        raise InputError('--layout', f'{num_joints} joints match layouts {sorted(found)}; '
                                     f'name one with --layout')
    return get_layout(found.pop())


def model_input_keypoint(cfg, sample):
    """The joint stream the model reads: ``(M, T, V, C)`` of the first clip after the pipeline."""
    pipeline = build_test_pipeline(cfg)
    data = pipeline(sample.to_results())
    steps = [t for t in pipeline.transforms if type(t).__name__ == 'GenSkeFeat']
    if steps and list(steps[0].feats)[0] != 'j':
        raise InputError(sample.source, f'the model reads {steps[0].feats} streams; only a '
                                        f'joint stream ("j") can be drawn')
    inputs = data['inputs'].numpy()[0]  # first clip: (M, T, V, C_all)
    coords = sample.keypoint.shape[-1]
    return inputs[..., :coords]


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        model = cfg = None
        if args.checkpoint and not args.config:
            raise InputError('--checkpoint', 'needs --config')
        if args.config:
            model = init_recognizer(args.config, args.checkpoint, cfg_options=args.cfg_options)
            cfg = model.cfg
        layout = get_layout(args.layout) if args.layout else None
        spec = model_input_of(cfg) if cfg is not None else None
        if layout is None and spec is not None:
            layout = spec.layout
        samples = read_skeleton_file(
            args.input, num_joints=layout.num_joints if layout else None,
            layout_name=layout.name if layout else None,
            channels=spec.channels if spec else None, npy_order=args.npy_order,
            split=args.split, names=[args.sample] if args.sample else None)
        sample = samples[0]
        layout = layout or guess_layout(sample.keypoint.shape[2])
        title, frame_labels = args.title or '', None
        if args.checkpoint:
            pred = inference_skeleton(model, sample, window=args.window, stride=args.stride,
                                      label_map=args.label_map, topk=1)[0]
            best = pred.top(1)[0]
            title = args.title or f'{sample.name}: {best["name"]} ({best["score"]:.2f})'
            if pred.windows and not args.model_input:
                frame_labels = []
                for t in range(sample.num_frames):
                    w = min(pred.windows, key=lambda w: abs((w.start + w.end) / 2 - t))
                    top = w.top(1)[0]
                    frame_labels.append(f'[{w.start}, {w.end}): {top["name"]} '
                                        f'({top["score"]:.2f})')
        keypoint, score = sample.keypoint, sample.keypoint_score
        if args.model_input:
            if cfg is None:
                raise InputError('--model-input', 'needs --config')
            keypoint, score = model_input_keypoint(cfg, sample), None
        view = args.view
        if view is None and args.model_input and keypoint.shape[-1] == 3:
            view = 'xz'  # 3D normalisation turns the spine to +Z: look at it from the front
        render_skeleton(keypoint, layout, args.out, keypoint_score=score,
                        title=title or sample.name, frame_labels=frame_labels, fps=args.fps,
                        num_frames=args.num_frames, view=view)
    except (InputError, OSError, ValueError, KeyError, RuntimeError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    extra = f' ({len(samples)} samples in the file; --sample picks another)' if len(
        samples) > 1 else ''
    print(f'wrote {args.out}: {sample.name}, layout {layout.name!r}{extra}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
