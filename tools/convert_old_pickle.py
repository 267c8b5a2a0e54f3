# Convert MMAction2 0.x skeleton pickles (one list per split) to the 1.x PoseDataset format.
"""Merge MMAction2 0.x skeleton annotation files into one 1.x ``PoseDataset`` pickle.

    python tools/convert_old_pickle.py xsub_train=ntu60_xsub_train.pkl \\
        xsub_val=ntu60_xsub_val.pkl --out data/skeleton/ntu60_3d.pkl

Each input is ``SPLIT=FILE`` (a bare ``FILE`` is named after its stem). The output is
``{'split': {SPLIT: [frame_dir, ...]}, 'annotations': [...]}``; a sample in several files is
stored once. The files are read with the package's restricted unpickler (nothing in them can
execute); the conversion is :func:`sfhead_mm.formats.annotation.convert_old_splits`. Every sample
is checked (problems are reported; the samples are converted as they are), the output is written
atomically (temporary file, then rename) and an existing file is only replaced with
``--overwrite``. Exit status 0, or 1 with one line naming the file.
"""
import argparse
import os.path as osp
import sys

_REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from sfhead_mm.formats.annotation import (AnnotationError, check_annotation_data,  # noqa: E402
                                          convert_old_splits, problems_line, write_annotation)
from sfhead_mm.utils.console import print_error  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('inputs', nargs='+', metavar='SPLIT=FILE',
                        help='0.x pickle of one split, named SPLIT in the output')
    parser.add_argument('--out', required=True, help='output .pkl (1.x format)')
    parser.add_argument('--overwrite', action='store_true', help='replace an existing output')
    return parser.parse_args(argv)


def split_pairs(inputs):
    pairs = []
    for item in inputs:
        name, sep, path = item.partition('=')
        if not sep:  # a bare file: its stem names the split
            name, path = osp.splitext(osp.basename(item))[0], item
        if not name or not path:
            raise AnnotationError(item, 'expected SPLIT=FILE')
        pairs.append((name, path))
    return pairs


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        if osp.exists(args.out) and not args.overwrite:
            raise AnnotationError(args.out, 'exists; pass --overwrite to replace it')
        data = convert_old_splits(split_pairs(args.inputs))
        problems = check_annotation_data(data, args.out)
        write_annotation(args.out, data, check=False)  # as converted: the samples are the user's
    except AnnotationError as err:
        print_error(err)
        return 1
    counts = ', '.join(f'{name}: {len(names)}' for name, names in data['split'].items())
    print(f'wrote {args.out}: {len(data["annotations"])} samples ({counts})')
    if problems:
        print(f'warning: {len(problems)} problem(s) in the samples, converted as they are: '
              f'{problems_line(problems)}; run tools/check_data.py on a config that uses the '
              f'file', file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
