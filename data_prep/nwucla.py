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
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence

from sfhead_mm.formats import nwucla as nwucla_format
from sfhead_mm.formats.errors import ErrorRecord, FormatError
from sfhead_mm.formats.nwucla import (ACTION_IDS, KINECT_V1_SHAPE, NAME_RE,  # noqa: F401
                                      label_of_action, parse_name)
from sfhead_mm.formats.resources import class_names as _class_names
from sfhead_mm.utils.console import print_error

from .cli import (Conversion, add_common_arguments, collect_files, prog_name,
                  run_conversion)
from .pose_pickle import make_annotation
from .runner import FileResult

TRAIN_VIEWS = (1, 2)
TEST_VIEWS = (3, )
CONVERTER_VERSION = 2  # 2: one label rule with inference (json true refused), float32 range


def class_names() -> List[str]:
    """The 10 NW-UCLA action names in label order (pick up with one hand, ... carry)."""
    return _class_names('nwucla')


def convert_nwucla_file(path: str, num_joints: int = 20) -> FileResult:
    """One clip's json -> one annotation (parsed by :mod:`sfhead_mm.formats.nwucla`).

    Args:
        path (str): ``aAA_sSS_eEE_vVV.json``.
        num_joints (int): Joints per frame (the ``nw-ucla`` layout's 20).

    Returns:
        FileResult: One sample.

    Raises:
        FormatError: Unreadable json (with its line), missing keys, wrong shapes, NaN / inf /
            values beyond float32 (index and line), zero frames, a file name that is not the
            clip's ``file_name``, or a label that breaks the label rule (``true``, out of range,
            another action than the name's).
    """
    stem = osp.splitext(osp.basename(path))[0]
    clip = nwucla_format.read_nwucla(path, num_joints)
    if clip.name != stem:
        raise FormatError(path, f'file_name {clip.name!r} does not match the file name {stem!r}')
    if clip.label is None:
        raise FormatError(path, 'missing key "label" (expected file_name, skeletons, label)')
    try:
        parse_name(clip.name)
    except ValueError as err:
        raise FormatError(path, str(err)) from None
    ann = make_annotation(clip.name, clip.label, clip.keypoint, KINECT_V1_SHAPE)
    return FileResult(samples=[ann])


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
        prog=prog_name('nwucla'),
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
        print_error(err)
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
