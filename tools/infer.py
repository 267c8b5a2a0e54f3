# Predict the action of skeleton files with a trained recognizer.
"""Predict actions of skeleton files: NTU .skeleton, NW-UCLA / MMPose json, .npy, .pkl.

    python tools/infer.py CONFIG CHECKPOINT INPUT [INPUT ...] [--topk 5] [--label-map FILE]
        [--window 64 --stride 32] [--split NAME] [--samples NAME ...] [--out-json preds.json]

Each INPUT is read by its format (see docs/inference.md), run through the config's test pipeline
and the model (as tools/test.py does), and its top-k classes are printed (class names from
--label-map, the config or the checkpoint). With --window, long sequences are also predicted in
sliding windows. An input that cannot be read is reported in one line and skipped; the exit
status is then 1 (2 when the config or checkpoint cannot be loaded).
"""
import argparse
import os.path as osp
import sys

_REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

import sfhead_mm  # noqa: E402,F401  (compat fixes + registration, before mmaction.models)
from mmengine.config import DictAction  # noqa: E402

from sfhead_mm.apis import InputError, inference_skeleton, init_recognizer  # noqa: E402
from sfhead_mm.apis.inference import BUILTIN_LABEL_MAPS, class_names_of  # noqa: E402
from sfhead_mm.apis.readers import NPY_ORDERS  # noqa: E402
from sfhead_mm.utils.atomic_write import write_json  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file (or a config name of sfhead_mm)')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('inputs', nargs='+', metavar='INPUT',
                        help='.skeleton, .json, .npy or .pkl files')
    parser.add_argument('--topk', type=int, default=5, help='classes listed per sample')
    parser.add_argument('--label-map',
                        help=f'class names: a file with one name per line, or one of '
                             f'{", ".join(BUILTIN_LABEL_MAPS)}')
    parser.add_argument('--window', type=int,
                        help='also predict sliding windows of this many frames')
    parser.add_argument('--stride', type=int, help='frames between windows (default: --window)')
    parser.add_argument('--split', help='pickles: only the samples of this split')
    parser.add_argument('--samples', nargs='+', metavar='NAME',
                        help='pickles: only these samples (frame_dir)')
    parser.add_argument('--npy-order', choices=NPY_ORDERS, default='auto',
                        help='axis order of 4-d .npy arrays (default: from the shape and the '
                             'model\'s channels)')
    parser.add_argument('--max-persons', type=int,
                        help='MMPose json: keep at most this many persons per frame')
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument('--out-json', help='write the predictions to this JSON file')
    parser.add_argument('--quiet', action='store_true', help='do not print predictions')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings in the config, key=value pairs')
    return parser.parse_args(argv)


def _write_json(data, path: str) -> None:
    write_json(path, data)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        model = init_recognizer(args.config, args.checkpoint, args.device, args.cfg_options)
        names = class_names_of(model, args.label_map)
    except (OSError, ValueError, KeyError, ImportError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    read = dict(split=args.split, names=args.samples, npy_order=args.npy_order,
                max_persons=args.max_persons)
    predictions, errors = [], []
    for path in args.inputs:
        try:
            preds = inference_skeleton(model, path, topk=args.topk, window=args.window,
                                       stride=args.stride, batch_size=args.batch_size,
                                       label_map=names, **read)
        except (InputError, ValueError) as err:
            print(f'error: {err}', file=sys.stderr)
            errors.append(dict(input=path, error=str(err)))
            continue
        predictions.extend(preds)
        if not args.quiet:
            for p in preds:
                print(p.format_text())
    if args.out_json:
        _write_json(dict(config=args.config, checkpoint=args.checkpoint,
                         predictions=[p.to_dict() for p in predictions], errors=errors),
                    args.out_json)
    if errors:
        print(f'{len(errors)} of {len(args.inputs)} input(s) failed', file=sys.stderr)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
