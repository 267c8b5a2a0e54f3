"""NW-UCLA (Northwestern-UCLA Multiview Action3D) json release -> ``PoseDataset`` pickle.

::

    python -m data_prep.nwucla all_sqe/ --out data/skeleton/nwucla_3d.pkl --verify

Input: the widely used json release (one ``aAA_sSS_eEE_vVV.json`` per clip with ``file_name``,
``skeletons`` T x 20 x 3 and ``label`` 1..10, CTR-GCN's convention). Output: ``frame_dir`` =
clip name, ``label`` = ``label - 1`` (checked against the action id in the name), ``keypoint``
(1, T, 20, 3) float32 in the ``nw-ucla`` joint order. Splits follow the standard cross-view
protocol: ``train`` = views 1 and 2, ``val`` = view 3 (the 464 clips of CTR-GCN's
``val_label.pkl``).
"""
import argparse
import functools
import json
import os.path as osp
import re
import sys
from typing import Dict, List, Optional, Sequence

import numpy as np

from .cli import Conversion, add_common_arguments, collect_files, run_conversion
from .errors import ErrorRecord, SampleError
from .pose_pickle import make_annotation
from .resources import read_lines
from .runner import FileResult

NAME_RE = re.compile(r'a(\d{2})_s(\d{2})_e(\d{2})_v(\d{2})')
# The 10 actions of the release in label order; a07 and a10 are not part of it.
ACTION_IDS = (1, 2, 3, 4, 5, 6, 8, 9, 11, 12)
TRAIN_VIEWS = (1, 2)
TEST_VIEWS = (3, )
KINECT_V1_SHAPE = (480, 640)
CONVERTER_VERSION = 1


def class_names() -> List[str]:
    """The 10 NW-UCLA action names in label order (pick up with one hand, ... carry)."""
    return read_lines('nwucla_classes.txt')


def parse_name(name: str) -> Dict[str, int]:
    """``'a05_s04_e02_v03'`` -> ``{action, subject, repetition, view}``; ValueError otherwise."""
    match = NAME_RE.fullmatch(name)
    if match is None:
        raise ValueError(f'{name!r} is not an NW-UCLA clip name (aAA_sSS_eEE_vVV)')
    action, subject, repetition, view = (int(g) for g in match.groups())
    return dict(action=action, subject=subject, repetition=repetition, view=view)


def label_of_action(action: int) -> int:
    """0-based label of an NW-UCLA action id (a01 -> 0, ..., a12 -> 9)."""
    if action not in ACTION_IDS:
        raise ValueError(f'action a{action:02d} is not one of the release\'s 10 actions '
                         f'{["a%02d" % a for a in ACTION_IDS]}')
    return ACTION_IDS.index(action)


def convert_nwucla_file(path: str, num_joints: int = 20) -> FileResult:
    """One clip's json -> one annotation.

    Args:
        path (str): ``aAA_sSS_eEE_vVV.json``.
        num_joints (int): Joints per frame (the ``nw-ucla`` layout's 20).

    Returns:
        FileResult: One sample.

    Raises:
        SampleError: Unreadable json (with its line), missing keys, wrong shapes, NaN, zero
            frames, or a label that disagrees with the clip name.
    """
    stem = osp.splitext(osp.basename(path))[0]
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except json.JSONDecodeError as err:
        raise SampleError(path, f'invalid json: {err.msg} (column {err.colno})',
                          line=err.lineno) from None
    except (OSError, UnicodeDecodeError) as err:
        raise SampleError(path, f'cannot read: {err}') from None
    if not isinstance(data, dict):
        raise SampleError(path, f'expected a json object, got {type(data).__name__}')
    for key in ('file_name', 'skeletons', 'label'):
        if key not in data:
            raise SampleError(path, f'missing key {key!r} (expected file_name, skeletons, '
                                    f'label)')
    name = str(data['file_name'])
    if name != stem:
        raise SampleError(path, f'file_name {name!r} does not match the file name {stem!r}')
    try:
        ids = parse_name(name)
        label = label_of_action(ids['action'])
    except ValueError as err:
        raise SampleError(path, str(err)) from None
    if data['label'] != label + 1:
        raise SampleError(path, f'label {data["label"]!r} disagrees with action '
                                f'a{ids["action"]:02d} (expected {label + 1}, 1-based)')
    frames = data['skeletons']
    if not isinstance(frames, list) or not frames:
        raise SampleError(path, 'skeletons: zero frames')
    try:
        xyz = np.asarray(frames, dtype=np.float64)
    except (TypeError, ValueError):
        xyz = None
    if xyz is None or xyz.shape[1:] != (num_joints, 3):
        raise SampleError(path, _locate_bad_frame(frames, num_joints))
    bad = ~np.isfinite(xyz)
    if bad.any():
        t, j, c = np.argwhere(bad)[0]
        raise SampleError(path, f'skeletons[{t}][{j}][{c}] is {xyz[t, j, c]} (NaN or inf)')
    ann = make_annotation(name, label, xyz[None].astype(np.float32), KINECT_V1_SHAPE)
    return FileResult(samples=[ann])


def _locate_bad_frame(frames: list, num_joints: int) -> str:
    """Message naming the first frame that is not ``num_joints`` x 3 numbers."""
    for t, frame in enumerate(frames):
        if not isinstance(frame, list) or len(frame) != num_joints:
            size = len(frame) if isinstance(frame, list) else type(frame).__name__
            return f'skeletons[{t}]: {size} joints, expected {num_joints}'
        for j, joint in enumerate(frame):
            if not isinstance(joint, list) or len(joint) != 3:
                return f'skeletons[{t}][{j}]: expected [x, y, z], got {str(joint)[:40]}'
            for c, value in enumerate(joint):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    return f'skeletons[{t}][{j}][{c}]: non-numeric value {str(value)[:40]!r}'
    return f'skeletons: not a T x {num_joints} x 3 array of numbers'


def make_splits(names: Sequence[str]) -> Dict[str, List[str]]:
    """Cross-view split: ``train`` = views 1, 2; ``val`` = view 3."""
    splits = {'train': [], 'val': []}
    for name in names:
        view = parse_name(name)['view']
        splits['train' if view in TRAIN_VIEWS else 'val'].append(name)
    return splits


def plan(inputs: Sequence[str]):
    """``(tasks, errors)``: clips to convert and files whose names are not clip names."""
    tasks, errors, seen = [], [], {}
    for path in collect_files(inputs, ('.json', )):
        name = osp.splitext(osp.basename(path))[0]
        try:
            ids = parse_name(name)
        except ValueError as err:
            errors.append(ErrorRecord(path, None, str(err)))
            continue
        if ids['view'] not in TRAIN_VIEWS + TEST_VIEWS:
            errors.append(ErrorRecord(path, None, f'view {ids["view"]} is not 1, 2 or 3'))
        elif name in seen:
            errors.append(ErrorRecord(path, None, f'clip {name} also found at {seen[name]}; '
                                                  f'this copy is ignored'))
        else:
            seen[name] = path
            tasks.append((name, path))
    return tasks, errors


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='python -m data_prep.nwucla',
        description='NW-UCLA json release -> MMAction2 PoseDataset pickle (3D, 20 joints, '
                    'one person; splits train = views 1+2, val = view 3).')
    parser.add_argument('inputs', nargs='+', help='the all_sqe/ folder and/or json files')
    add_common_arguments(parser, default_out='data/skeleton/nwucla_3d.pkl')
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    from sfhead_mm.skeleton import get_layout  # the one description of the 20 joints
    num_joints = get_layout('nw-ucla').num_joints
    try:
        tasks, errors = plan(args.inputs)
    except FileNotFoundError as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    conv = Conversion(
        dataset='nwucla', inputs=list(args.inputs), tasks=tasks,
        convert=functools.partial(convert_nwucla_file, num_joints=num_joints),
        make_split=lambda anns: make_splits([a['frame_dir'] for a in anns]),
        settings=dict(converter='nwucla', version=CONVERTER_VERSION),
        num_joints=num_joints, num_classes=len(ACTION_IDS), layout='nw-ucla', num_person=1,
        class_names=class_names(), pre_errors=errors)
    return run_conversion(conv, args)


if __name__ == '__main__':
    sys.exit(main())
