"""FSD-10 figure skating (the MDR-GCN authors' arrays) -> ``PoseDataset`` pickle.

::

    python -m data_prep.fsd10 --train Skating/train_data_25.npy Skating/train_label_25.pkl \\
        --val Skating/val_data_25.npy Skating/val_label_25.pkl \\
        --out data/skeleton/fsd10_2d.pkl [--frames 256] [--no-center]

Input: what the authors' FSD-10 setup reads (``config/skat/train_25.yaml`` with
``feeders/feeder_diving.py`` of dingyn-Reno/MDR-GCN): per split an ``(N, C=3, T=1500, V=25,
M=1)`` float ``.npy`` (OpenPose BODY_25 x, y, confidence, zero-padded after the clip's end) and a
label pickle ``(sample_names, labels)``. Output: one sample per clip with ``frame_dir`` = sample
name, ``label``, ``keypoint`` (M, T, 25, 2) float32 and ``keypoint_score`` (M, T, 25), in the
``openpose25`` layout; splits ``train`` and ``val``.

Frames, as the paper ("256 non-zero frames"): a clip's real length is up to its last non-zero
frame (the authors' ``get_real_frame``); clips longer than ``--frames`` keep ``--frames`` frames
at a stride of ``length / frames`` from the first (their test-time ``gen_resize_index``), shorter
ones keep all their real frames (the pipeline's frame sampler brings them to its ``clip_len``).
``--frames 0`` keeps every real frame. By default x, y are centred on the mid-hip joint (8) in
every frame, as their feeder does (it subtracts joint 8 from the confidence as well; here the
confidence is kept as is); ``--no-center`` keeps pixel coordinates.

Light: numpy and the package's light modules only; the label pickle is read with the restricted
unpickler and the output is written atomically (:mod:`sfhead_mm.formats.annotation`).
"""
import argparse
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from sfhead_mm.formats.annotation import (SampleRules, build_annotation, make_sample,
                                          write_annotation)
from sfhead_mm.utils.console import print_error
from sfhead_mm.utils.safe_pickle import load_pickle

from .cli import prog_name

NUM_JOINTS = 25
CENTER_JOINT = 8  # mid-hip of OpenPose BODY_25, the authors' centring joint
DEFAULT_FRAMES = 256
NUM_CLASSES = 10


class FSD10Error(ValueError):
    """A file does not have the authors' FSD-10 format; one line naming it."""


def real_length(clip: np.ndarray) -> int:
    """Frames up to the last one with any non-zero value; ``clip`` is (C, T, V, M)."""
    nonzero = np.flatnonzero(np.abs(clip).reshape(clip.shape[0], clip.shape[1], -1).max((0, 2)))
    return int(nonzero[-1]) + 1 if nonzero.size else 0


def frame_indices(length: int, frames: int) -> np.ndarray:
    """``frames`` indices at a stride of ``length / frames`` from 0, or all when shorter."""
    if frames <= 0 or length <= frames:
        return np.arange(length)
    return np.floor(np.arange(frames) * (length / frames)).astype(np.int64)


def read_labels(path: str) -> Tuple[List[str], List[int]]:
    """The authors' label pickle: ``(sample_names, labels)``."""
    data = load_pickle(path)
    if not (isinstance(data, (tuple, list)) and len(data) == 2
            and len(data[0]) == len(data[1])):
        raise FSD10Error(f'{path}: expected a pickled (sample_names, labels) pair of equal '
                         f'length, the format feeders/feeder_diving.py reads')
    names = [str(n) for n in data[0]]
    labels = [int(v) for v in data[1]]
    return names, labels


def read_array(path: str) -> np.ndarray:
    """The (N, C, T, V, M) array, memory-mapped (FSD-10's train split is ~0.5 GB)."""
    try:
        data = np.load(path, mmap_mode='r', allow_pickle=False)
    except (OSError, ValueError) as err:
        raise FSD10Error(f'{path}: not a numeric .npy file ({err})') from None
    if data.ndim != 5 or data.shape[3] != NUM_JOINTS or data.shape[1] < 2:
        raise FSD10Error(f'{path}: shape {data.shape}; expected (N, C, T, V={NUM_JOINTS}, M) '
                         f'with C = 3 (x, y, confidence), as feeders/feeder_diving.py reads')
    return data


def convert_clip(clip: np.ndarray, frames: int = DEFAULT_FRAMES,
                 center: bool = True) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """One (C, T, V, M) clip -> ``keypoint`` (M, T', V, 2) and ``keypoint_score`` (M, T', V)."""
    clip = np.asarray(clip, dtype=np.float32)
    idx = frame_indices(real_length(clip), frames)
    clip = clip[:, idx].transpose(3, 1, 2, 0)  # (M, T', V, C)
    keypoint = clip[..., :2].copy()
    if center:
        keypoint -= keypoint[:, :, CENTER_JOINT:CENTER_JOINT + 1]
    score = clip[..., 2].copy() if clip.shape[-1] > 2 else None
    return keypoint, score


def convert_split(data_path: str, label_path: str, frames: int = DEFAULT_FRAMES,
                  center: bool = True) -> List[dict]:
    """Samples of one split (clips with no non-zero frame are skipped with a warning)."""
    data = read_array(data_path)
    names, labels = read_labels(label_path)
    if len(names) != data.shape[0]:
        raise FSD10Error(f'{label_path}: {len(names)} labels for the {data.shape[0]} clips of '
                         f'{data_path}')
    samples = []
    for i, (name, label) in enumerate(zip(names, labels)):
        keypoint, score = convert_clip(data[i], frames, center)
        if keypoint.shape[1] == 0:
            print(f'{data_path}: clip {i} ({name}) has no non-zero frame; skipped',
                  file=sys.stderr)
            continue
        samples.append(make_sample(name, label, keypoint, keypoint_score=score))
    return samples


def convert(splits: Dict[str, Tuple[str, str]], out: str, frames: int = DEFAULT_FRAMES,
            center: bool = True) -> dict:
    """Convert ``{split: (data.npy, label.pkl)}`` and write the pickle to ``out``."""
    annotations, split_names = [], {}
    for split, (data_path, label_path) in splits.items():
        samples = convert_split(data_path, label_path, frames, center)
        taken = {a['frame_dir'] for a in annotations}
        for s in samples:  # sample names must be unique over the whole file
            if s['frame_dir'] in taken:
                s['frame_dir'] = f'{split}/{s["frame_dir"]}'
        split_names[split] = [s['frame_dir'] for s in samples]
        annotations += samples
    rules = SampleRules(num_joints=NUM_JOINTS, joints_source="the layout 'openpose25'",
                        num_classes=NUM_CLASSES, num_classes_key='FSD-10 (10 classes)',
                        dtype='float32')
    data = build_annotation(annotations, split_names, rules, out)
    write_annotation(out, data, rules)
    return data


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog_name('fsd10'),
        description='FSD-10 (the MDR-GCN authors\' .npy + label .pkl) -> PoseDataset pickle')
    parser.add_argument('--train', nargs=2, metavar=('DATA_NPY', 'LABEL_PKL'), required=True)
    parser.add_argument('--val', nargs=2, metavar=('DATA_NPY', 'LABEL_PKL'))
    parser.add_argument('--out', required=True, help='output .pkl')
    parser.add_argument('--frames', type=int, default=DEFAULT_FRAMES,
                        help='keep at most this many frames per clip, evenly strided '
                             '(default 256, the paper; 0: all non-zero frames)')
    parser.add_argument('--no-center', action='store_true',
                        help='keep pixel coordinates (default: centre x, y on the mid-hip)')
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    splits = {'train': tuple(args.train)}
    if args.val:
        splits['val'] = tuple(args.val)
    try:
        data = convert(splits, args.out, args.frames, not args.no_center)
    except (ValueError, OSError) as err:  # FSD10Error, AnnotationError, unpickling errors
        print_error(err)
        return 1
    counts = ', '.join(f'{k}: {len(v)}' for k, v in data['split'].items())
    print(f'wrote {osp.abspath(args.out)} ({counts})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
