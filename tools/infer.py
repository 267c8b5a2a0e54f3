# Predict the action of skeleton files with a trained recognizer.
"""Predict actions of skeleton files: NTU .skeleton, NW-UCLA / MMPose json, .npy, .pkl.

    python tools/infer.py CONFIG CHECKPOINT INPUT [INPUT ...] [--topk 5] [--label-map FILE]
        [--window 64 --stride 32] [--split NAME] [--samples NAME ...] [--out-json preds.json]
        [--mirrored] [--max-people N [--together]]

Each INPUT is read by its format (see docs/inference.md), run through the config's test pipeline
and the model (as tools/test.py does), and its top-k classes are printed (class names from
--label-map, the config or the checkpoint). With --window, long sequences are also predicted in
sliding windows. A folder given as INPUT stands for its files with a supported extension (not
recursive, sorted). An input that cannot be read (empty, truncated, NaN, wrong joints, ...) is
reported in one line and skipped; the other inputs are still predicted and --out-json is still
written. A video INPUT is estimated by BlazePose first (docs/camera_to_label.md): with
--max-people N, up to N people per frame, each person track predicted alone (one prediction per
person, named VIDEO/personID) or, with --together, all of them as the persons of one sample (for
two-person models such as NTU's interaction classes). Exit status: 0 all inputs predicted,
1 some input failed, 2 usage error or a config / checkpoint that cannot be loaded (one line
naming the file).
"""
import argparse
import os
import os.path as osp
import sys

_REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from sfhead_mm.utils import register_all_modules  # noqa: E402

register_all_modules()  # models, transforms, metrics into MMAction2's registries

from mmengine.config import Config, DictAction  # noqa: E402

from sfhead_mm.apis import InputError, init_recognizer, predict_skeletons  # noqa: E402
from sfhead_mm.apis.video import is_video  # noqa: E402
from sfhead_mm.datasets.layout_checks import check_layout_consistency  # noqa: E402
from sfhead_mm.apis.inference import BUILTIN_LABEL_MAPS, class_names_of  # noqa: E402
from sfhead_mm.apis.readers import NPY_ORDERS, SUFFIXES  # noqa: E402
from sfhead_mm.utils.atomic_write import write_json  # noqa: E402
from sfhead_mm.utils.console import print_error  # noqa: E402

EXIT_OK, EXIT_INPUT_FAILED, EXIT_USAGE = 0, 1, 2


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
    parser.add_argument('--mirrored', action='store_true',
                        help='videos: the frames are mirror images (NTU RGB+D); flipped before '
                        'pose estimation (needs the video extra: docs/camera_to_label.md)')
    parser.add_argument('--max-people', type=int, default=1,
                        help='videos: people looked for per frame; one prediction per person '
                             'track (default 1: the most prominent person, one prediction)')
    parser.add_argument('--together', action='store_true',
                        help='videos with --max-people: all person tracks in one sample (a '
                             'two-person model sees both) instead of one prediction each')
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


def _one_line(err: BaseException) -> str:
    """The first line of an error's message (with its type when it says little)."""
    lines = [ln.strip() for ln in str(err).splitlines() if ln.strip()]
    text = lines[0] if lines else ''
    if isinstance(err, (InputError, ValueError, OSError)) and text:
        return text
    return f'{type(err).__name__}: {text}' if text else type(err).__name__


def _checkpoint_reason(path: str, err: Exception) -> str:
    """One line naming the checkpoint and why the model does not load."""
    from sfhead_mm.utils.checkpoint import CheckpointError, load_checkpoint_file
    if isinstance(err, CheckpointError):
        return str(err)
    try:  # the safe loader names the reason (not a checkpoint, truncated, unsafe global)
        load_checkpoint_file(path)
    except CheckpointError as diagnosis:
        return str(diagnosis)
    except Exception:  # noqa: BLE001 - the diagnosis must not raise
        pass
    return f'cannot load the model: {_one_line(err)}'


def expand_inputs(inputs):
    """Folders -> their files with a supported extension (sorted, not recursive).

    Returns:
        tuple: ``(paths, errors)``; a folder without such files is an error of its own.
    """
    paths, errors = [], []
    for item in inputs:
        if osp.isdir(item):
            found = sorted(osp.join(item, n) for n in os.listdir(item)
                           if osp.isfile(osp.join(item, n)) and n.lower().endswith(SUFFIXES))
            if not found:
                errors.append(dict(input=item, error=f'{item}: is a directory with no '
                                                     f'{" / ".join(SUFFIXES)} file in it'))
            paths.extend(found)
        else:
            paths.append(item)
    return paths, errors


def main(argv=None) -> int:
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        what = 'is a directory, not a checkpoint file' if osp.isdir(args.checkpoint) \
            else 'no such checkpoint file'
        print_error(f'{args.checkpoint}: {what}')
        return EXIT_USAGE
    try:
        model = init_recognizer(args.config, args.checkpoint, args.device, args.cfg_options)
    except FileNotFoundError as err:
        print_error(_one_line(err))
        return EXIT_USAGE
    except Exception as err:  # noqa: BLE001 - a bad checkpoint or config: one line, exit 2
        print_error(_checkpoint_reason(args.checkpoint, err))
        return EXIT_USAGE
    try:
        names = class_names_of(model, args.label_map)
    except (OSError, ValueError, KeyError, ImportError) as err:
        print_error(_one_line(err))
        return EXIT_USAGE
    # What inference uses (the model and the test loader's pipeline) vs the checkpoint's
    # recorded layout and classes; training loaders and evaluators play no part here.
    used = Config(dict(model=model.cfg.model, test_dataloader=model.cfg.get('test_dataloader')))
    issues = check_layout_consistency(used, getattr(model, 'checkpoint_meta', None))
    for issue in issues:
        print(issue, file=sys.stderr)
    if any(issue.level == 'error' for issue in issues):
        return EXIT_USAGE
    read = dict(split=args.split, names=args.samples, npy_order=args.npy_order,
                max_persons=args.max_persons)
    inputs, errors = expand_inputs(args.inputs)
    total = len(inputs) + len(errors)  # files, and folders without a file
    for e in errors:
        print_error(e["error"])
    predictions = []
    for path in inputs:
        try:
            if is_video(path):  # poses from an offline estimator first
                from sfhead_mm.apis.video import predict_video
                preds = predict_video(model, path, window=args.window, stride=args.stride,
                                      topk=args.topk, label_map=names, mirrored=args.mirrored,
                                      max_people=args.max_people,
                                      persons='together' if args.together else 'each')
                preds = preds if isinstance(preds, list) else [preds]
            else:
                preds = predict_skeletons(model, path, topk=args.topk, window=args.window,
                                          stride=args.stride, batch_size=args.batch_size,
                                          label_map=names, **read)
        except KeyboardInterrupt:
            raise
        except Exception as err:  # noqa: BLE001 - one bad input must not stop the others
            message = _one_line(err)
            if not message.startswith(path):
                message = f'{path}: {message}'
            print_error(message)
            errors.append(dict(input=path, error=message))
            continue
        predictions.extend(preds)
        if not args.quiet:
            for p in preds:
                print(p.format_text())
    if args.out_json:
        try:
            _write_json(dict(config=args.config, checkpoint=args.checkpoint,
                             predictions=[p.to_dict() for p in predictions], errors=errors),
                        args.out_json)
        except OSError as err:
            print_error(f'cannot write {args.out_json}: {err.strerror or err}')
            return EXIT_INPUT_FAILED
    if errors:
        print(f'{len(errors)} of {total} input(s) failed', file=sys.stderr)
    return EXIT_INPUT_FAILED if errors else EXIT_OK


if __name__ == '__main__':
    sys.exit(main())
