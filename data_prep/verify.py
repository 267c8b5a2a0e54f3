"""Check a written pickle the way training will read it.

Loads every split with MMAction2's own ``PoseDataset``, runs the standard skeleton pipeline of
the stock configs (``PreNormalize3D`` -> ``GenSkeFeat`` -> ``UniformSampleFrames`` ->
``PoseDecode`` -> ``FormatGCNInput`` -> ``PackActionInputs``) on the first and last sample of each
split, and prints per-split counts and class histograms::

    python -m data_prep.verify data/skeleton/ntu60_3d.pkl --layout nturgb+d
    python -m data_prep.verify data/skeleton/nwucla_3d.pkl --layout nw-ucla --num-person 1

For a layout other than NTU's 25 joints, ``PreNormalize3D`` gets the layout's own axis joints;
its centring joint is MMAction2's fixed choice, which is fine for this check.
"""
import argparse
import sys
import time
from typing import Dict, List, Optional, Sequence

import numpy as np


def skeleton_pipeline(layout: str, num_person: int, clip_len: int) -> List[dict]:
    """The stock test pipeline of MMAction2's skeleton configs, for ``layout``."""
    from sfhead_mm.skeleton import get_layout
    norm = get_layout(layout).normalization
    pre = dict(type='PreNormalize3D')
    if norm.get('zaxis') is not None:
        pre['zaxis'] = list(norm['zaxis'])
    if norm.get('xaxis') is not None:
        pre['xaxis'] = list(norm['xaxis'])
    return [
        pre,
        dict(type='GenSkeFeat', dataset=layout, feats=['j']),
        dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1, test_mode=True),
        dict(type='PoseDecode'),
        dict(type='FormatGCNInput', num_person=num_person),
        dict(type='PackActionInputs'),
    ]


def _histogram_line(hist: Sequence[int], names: Optional[Sequence[str]]) -> str:
    """``label:count`` pairs; with class names when there are few classes."""
    if names and len(hist) <= 12:
        return ', '.join(f'{i} {names[i]}: {n}' for i, n in enumerate(hist))
    return ' '.join(f'{i}:{n}' for i, n in enumerate(hist))


def verify_pickle(path: str, layout: str = 'nturgb+d', num_person: int = 2,
                  clip_len: int = 100, num_classes: Optional[int] = None,
                  class_names: Optional[Sequence[str]] = None,
                  splits: Optional[Sequence[str]] = None, out=None) -> Dict[str, dict]:
    """Load each split with ``PoseDataset`` and run the pipeline on two samples per split.

    Args:
        path (str): The ``.pkl`` written by a converter.
        layout (str): Skeleton layout name (``nturgb+d``, ``nw-ucla``, ...).
        num_person (int): ``FormatGCNInput``'s number of people.
        clip_len (int): Frames sampled by ``UniformSampleFrames``.
        num_classes (int, optional): Histogram length (default: largest label + 1).
        class_names (Sequence[str], optional): Printed with the histograms.
        splits (Sequence[str], optional): Split names to check; default: all in the file
            (which costs one more full load of the pickle).
        out: Text stream for the summary (default stdout).

    Returns:
        dict: Per split ``count``, ``histogram`` and the packed ``input_shape``.

    Raises:
        RuntimeError: A split is empty, or the pipeline's output has an unexpected shape.
    """
    import sfhead_mm  # noqa: F401  (registers the layouts with MMAction2's bone code)
    from mmaction.datasets import PoseDataset
    from mmengine.registry import init_default_scope
    from sfhead_mm.skeleton import get_layout

    out = out or sys.stdout
    init_default_scope('mmaction')
    num_joints = get_layout(layout).num_joints
    pipeline = skeleton_pipeline(layout, num_person, clip_len)
    if splits is None:
        import pickle
        with open(path, 'rb') as f:
            splits = list(pickle.load(f)['split'])
    summary = {}
    for split in splits:
        start = time.time()
        dataset = PoseDataset(ann_file=path, pipeline=pipeline, split=split, test_mode=True,
                              serialize_data=False)
        labels = [int(d['label']) for d in dataset.data_list]
        if not labels:
            raise RuntimeError(f'{path}: split {split!r} is empty')
        k = num_classes or max(labels) + 1
        hist = np.bincount(labels, minlength=k).tolist()
        shapes = set()
        for idx in sorted({0, len(dataset) - 1}):
            packed = dataset[idx]
            shape = tuple(packed['inputs'].shape)
            expected = (1, num_person, clip_len, num_joints, 3)
            if shape != expected:
                raise RuntimeError(f'{path}: split {split!r} sample {idx} packs to {shape}, '
                                   f'expected {expected}')
            shapes.add(shape)
        summary[split] = dict(count=len(labels), histogram=hist, input_shape=shapes.pop())
        print(f'[verify] {split}: {len(labels)} samples, {k} classes, '
              f'min/max per class {min(hist)}/{max(hist)}, packed input '
              f'{summary[split]["input_shape"]} ({time.time() - start:.1f}s)', file=out)
        print(f'[verify]   {_histogram_line(hist, class_names)}', file=out)
    return summary


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='python -m data_prep.verify',
        description='Load a PoseDataset pickle with MMAction2 and the standard skeleton '
                    'pipeline; print per-split counts and class histograms.')
    parser.add_argument('pickle', help='the .pkl written by data_prep.ntu / nwucla / pkummd')
    parser.add_argument('--layout', default='nturgb+d',
                        help='skeleton layout (nturgb+d, nw-ucla, ...); default nturgb+d')
    parser.add_argument('--num-person', type=int, default=2)
    parser.add_argument('--clip-len', type=int, default=100)
    args = parser.parse_args(argv)
    verify_pickle(args.pickle, args.layout, args.num_person, args.clip_len)
    return 0


if __name__ == '__main__':
    sys.exit(main())
