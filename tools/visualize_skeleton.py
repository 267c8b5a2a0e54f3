# Render a skeleton sequence (any layout) as a GIF, MP4 or PNG strip, with the predicted class.
"""Render a skeleton sequence as an animated GIF, an MP4 or a PNG frame strip.

    python tools/visualize_skeleton.py INPUT --out clip.gif [--layout nturgb+d]
    python tools/visualize_skeleton.py INPUT --out clip.png --config CFG --checkpoint CKPT \\
        [--label-map FILE] [--model-input]

INPUT is any file tools/infer.py reads (a pickle: the first sample, or --sample NAME). The
layout comes from --layout, else the config, else the joint count (among registered layouts with
that many joints, the one whose bone lengths stay most stable; the choice is printed, with how to
make another). A declared layout that fits the recording clearly worse than another registered
one of the same size is warned about. With a checkpoint the
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

from sfhead_mm.utils import register_all_modules  # noqa: E402
from sfhead_mm.utils.console import print_error  # noqa: E402

register_all_modules()  # the package's models, transforms, hooks and metrics
from mmengine.config import DictAction  # noqa: E402

from sfhead_mm.apis import (InputError, init_recognizer, predict_skeletons,  # noqa: E402
                            read_skeleton_file, render_skeleton)
from sfhead_mm.apis.inference import build_test_pipeline, input_spec_of  # noqa: E402
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


def guess_layout(num_joints: int, keypoints=None):
    """The layout of a file read without ``--layout`` / ``--config``: among the registered
    layouts with ``num_joints`` joints, the one whose bones keep their length best over time
    (:mod:`sfhead_mm.skeleton.fit`). Returns ``(layout, note)``: the note says which layout was
    assumed, how well each candidate fits and how to choose another (printed to stderr)."""
    from sfhead_mm.skeleton.fit import candidate_layouts, rank_layouts
    found = candidate_layouts(num_joints)
    if not found:
        raise InputError('--layout', f'no registered layout has {num_joints} joints '
                                     f'(registered: {list_layouts()}); give --layout or --config')
    fits = rank_layouts(keypoints, candidates=found) if keypoints is not None else []
    layout = get_layout(fits[0].layout) if fits else found[0]
    why = (f'the only registered layout with {num_joints} joints' if len(found) == 1 else
           f'of the {len(found)} layouts with {num_joints} joints, the one whose bones keep '
           f'their length best')
    score = (' (bone-length variation over time: ' + ', '.join(str(f) for f in fits) + ')'
             if fits else '')
    note = (f'note: no --layout or --config given; assumed layout {layout.name!r}, {why}'
            f'{score}. Another dataset with {num_joints} joints in another order would be drawn '
            f'wrongly: choose with --layout NAME or --config CONFIG (its layout)')
    return layout, note


def model_input_keypoint(cfg, sample):
    """The joint stream the model reads: ``(M, T, V, C)`` of the first clip after the pipeline."""
    pipeline = build_test_pipeline(cfg)
    data = pipeline(sample.to_results())
    steps = [t for t in pipeline.transforms
             if type(t).__name__ in ('GenSkeFeat', 'LayoutGenSkeFeat')]
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
        spec = input_spec_of(cfg) if cfg is not None else None
        if layout is None and spec is not None:
            layout = spec.layout
        samples = read_skeleton_file(
            args.input, num_joints=layout.num_joints if layout else None,
            layout_name=layout.name if layout else None,
            channels=spec.channels if spec else None, npy_order=args.npy_order,
            split=args.split, names=[args.sample] if args.sample else None)
        sample = samples[0]
        if layout is None:
            layout, note = guess_layout(sample.keypoint.shape[2], [sample.keypoint])
            print(note, file=sys.stderr)
        from sfhead_mm.skeleton.fit import layout_fit_warning
        warning = layout_fit_warning([sample.keypoint[..., :3]], layout, source=sample.name)
        if warning:
            print(f'warning: {warning}', file=sys.stderr)
        title, frame_labels = args.title or '', None
        if args.checkpoint:
            pred = predict_skeletons(model, sample, window=args.window, stride=args.stride,
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
        print_error(err)
        return 1
    extra = f' ({len(samples)} samples in the file; --sample picks another)' if len(
        samples) > 1 else ''
    print(f'wrote {args.out}: {sample.name}, layout {layout.name!r}{extra}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
