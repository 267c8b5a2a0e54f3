# Which registered skeleton layout fits a recording: short, stable bones (sfhead_mm.skeleton.fit).
"""Score skeleton layouts on recordings: which joint order is this file in?

    python tools/analysis/layout_fit.py FILE [FILE ...] [--layout NAME] [--shuffle N]
        [--config CFG]

FILE: anything tools/infer.py reads (.skeleton, NW-UCLA .json, .npy, a PoseDataset .pkl: its
samples). Prints, for every registered layout with the files' joint count (plus --layout / the
config's layout), the median over files of ``bone_ratio`` (median bone length / median distance
between any two joints: about 0.3-0.4 for the right layout, about 1 for a wrong joint order) and
of the bones' length CV over time; best first. ``--shuffle N`` also scores N random joint orders
of the same files under the first layout (what a wrong order looks like). ``--config`` registers
the layout the config declares.
"""
import argparse
import os.path as osp
import sys

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

import numpy as np  # noqa: E402

from sfhead_mm.skeleton import get_layout, layout_of_config  # noqa: E402
from sfhead_mm.skeleton.fit import layout_fit_warning, rank_layouts  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('files', nargs='+')
    parser.add_argument('--layout', help='the layout you think the files are in')
    parser.add_argument('--config', help='a config: its layout is scored too')
    parser.add_argument('--shuffle', type=int, default=0,
                        help='also score N random joint orders (seed 0)')
    parser.add_argument('--max-samples', type=int, default=32, help='samples per pickle')
    args = parser.parse_args(argv)
    from sfhead_mm.apis.readers import read_skeleton_file
    declared = get_layout(args.layout) if args.layout else None
    if args.config:
        from mmengine.config import Config
        declared = declared or layout_of_config(Config.fromfile(args.config))[0]
    keypoints = []
    for path in args.files:
        samples = read_skeleton_file(path)
        step = max(1, len(samples) // args.max_samples)
        keypoints += [s.keypoint[..., :3] for s in samples[::step][:args.max_samples]]
    fits = rank_layouts(keypoints, declared)
    print(f'{len(keypoints)} sample(s), {keypoints[0].shape[2]} joints; best first:')
    for fit in fits:
        print(f'  {fit}')
    rng = np.random.default_rng(0)
    for i in range(args.shuffle):
        perm = rng.permutation(keypoints[0].shape[2])
        shuffled = rank_layouts([k[:, :, perm] for k in keypoints],
                                candidates=[fits[0].layout])
        print(f'  random joint order {i + 1}: {shuffled[0]}')
    if declared is not None:
        warning = layout_fit_warning(keypoints, declared, source='these files')
        print(f'warning: {warning}' if warning else f'{declared.name!r} fits.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
