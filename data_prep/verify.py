"""Check a written pickle: every sample and every split, then per-split counts and histograms.

Reads the file back with :mod:`sfhead_mm.formats.annotation` (the owner of the ``PoseDataset``
format; the restricted unpickler, so nothing in the file can execute) and validates **every**
sample: a 4-d float32 ``keypoint`` with the layout's joints, finite and inside float32's range,
``total_frames`` equal to its frames, a label in range, unique names, and every name of every split
present. Then it prints per-split counts, frame and person ranges and class histograms::

    python -m data_prep.verify data/skeleton/ntu60_3d.pkl --layout nturgb+d
    python -m data_prep.verify data/skeleton/nwucla_3d.pkl --layout nw-ucla --num-person 1

Light: it imports neither torch nor MMAction2. The dry run of a config's own pipeline on the
samples is ``tools/check_data.py CONFIG`` (it knows the config's transforms).
"""
import argparse
import sys
import time
from typing import Dict, Optional, Sequence

import numpy as np

from sfhead_mm.formats import annotation
from sfhead_mm.utils.console import print_error


class VerifyError(ValueError):
    """The pickle does not pass; ``str()`` is one line (the first problems and their count)."""


def _histogram_line(hist: Sequence[int], names: Optional[Sequence[str]]) -> str:
    """``label:count`` pairs; with class names when there are few classes."""
    if names and len(hist) <= 12:
        return ', '.join(f'{i} {names[i]}: {n}' for i, n in enumerate(hist))
    return ' '.join(f'{i}:{n}' for i, n in enumerate(hist))


def verify_pickle(path: str, layout: str = 'nturgb+d', num_person: int = 2,
                  clip_len: int = 100, num_classes: Optional[int] = None,
                  class_names: Optional[Sequence[str]] = None,
                  splits: Optional[Sequence[str]] = None, out=None) -> Dict[str, dict]:
    """Validate every sample and split of a converter's pickle and summarise each split.

    Args:
        path (str): The ``.pkl`` written by a converter.
        layout (str): Skeleton layout name (``nturgb+d``, ``nw-ucla``, ...): its joint count is
            required of every sample.
        num_person (int): People the configs feed the model (``FormatGCNInput``); samples with
            more are noted (the pipeline keeps the first ``num_person``).
        clip_len (int): Frames the configs sample; shorter samples are counted (they are
            looped / padded by the samplers).
        num_classes (int, optional): Labels must lie below it; histogram length (default:
            largest label + 1).
        class_names (Sequence[str], optional): Printed with the histograms.
        splits (Sequence[str], optional): Splits that must exist and hold samples; default: the
            file's non-empty splits (empty ones are noted).
        out: Text stream for the summary (default stdout).

    Returns:
        dict: Per split ``count``, ``histogram``, ``frames`` (min, max), ``persons`` (max) and
        ``shorter_than_clip``.

    Raises:
        VerifyError: Unreadable file, or any problem in any sample or split (one line: the
            first problems and the number of the rest).
    """
    from sfhead_mm.skeleton import get_layout

    out = out or sys.stdout
    start = time.time()
    try:
        data = annotation.read_annotation_file(path)
    except annotation.AnnotationError as err:
        raise VerifyError(str(err)) from None
    rules = annotation.SampleRules(num_joints=get_layout(layout).num_joints,
                                   joints_source=f'the layout {layout!r}',
                                   num_classes=num_classes, num_classes_key='--num-classes',
                                   dtype='float32')
    empty = []
    if splits is None and isinstance(data, dict) and isinstance(data.get('split'), dict):
        empty = [k for k, v in data['split'].items() if not v]
        splits = [k for k in data['split'] if k not in empty]
    problems = annotation.check_annotation_data(data, path, rules, splits)
    if problems:
        raise VerifyError(f'{path}: {len(problems):,} problem(s): '
                          f'{annotation.problems_line(problems)}')
    by_name = {a['frame_dir']: a for a in data['annotations']}
    names = list(splits) if splits is not None else list(data['split'])
    print(f'[verify] {path}: {len(by_name):,} samples, every one checked '
          f'({time.time() - start:.1f}s)', file=out)
    if empty:
        print(f'[verify] note: split(s) {", ".join(empty)} hold no sample', file=out)
    summary = {}
    for split in names:
        members = [by_name[n] for n in data['split'][split]]
        labels = [int(a['label']) for a in members]
        k = num_classes or max(labels) + 1
        hist = np.bincount(labels, minlength=k).tolist()
        frames = [int(a['keypoint'].shape[1]) for a in members]
        persons = max(int(a['keypoint'].shape[0]) for a in members)
        short = sum(1 for t in frames if t < clip_len)
        summary[split] = dict(count=len(members), histogram=hist,
                              frames=(min(frames), max(frames)), persons=persons,
                              shorter_than_clip=short)
        more = f'; {persons} persons > --num-person {num_person}' if persons > num_person else ''
        print(f'[verify] {split}: {len(members)} samples, {k} classes, min/max per class '
              f'{min(hist)}/{max(hist)}, frames {min(frames)}..{max(frames)} '
              f'({short} shorter than {clip_len}), up to {persons} person(s){more}', file=out)
        print(f'[verify]   {_histogram_line(hist, class_names)}', file=out)
    return summary


def main(argv: Optional[Sequence[str]] = None) -> int:
    from .cli import prog_name
    parser = argparse.ArgumentParser(
        prog=prog_name('verify'),
        description='Validate every sample and split of a PoseDataset pickle; print per-split '
                    'counts and class histograms (no torch, no MMAction2).')
    parser.add_argument('pickle', help='the .pkl written by data_prep.ntu / nwucla / pkummd')
    parser.add_argument('--layout', default='nturgb+d',
                        help='skeleton layout (nturgb+d, nw-ucla, ...); default nturgb+d')
    parser.add_argument('--num-person', type=int, default=2)
    parser.add_argument('--clip-len', type=int, default=100)
    parser.add_argument('--num-classes', type=int,
                        help='labels must lie in 0..N-1 (default: not checked)')
    args = parser.parse_args(argv)
    try:
        verify_pickle(args.pickle, args.layout, args.num_person, args.clip_len,
                      num_classes=args.num_classes)
    except (VerifyError, KeyError) as err:
        print_error(str(err).strip(chr(39)))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
