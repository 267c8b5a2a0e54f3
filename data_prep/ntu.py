"""NTU RGB+D 60 / 120: raw ``.skeleton`` files -> MMAction2 ``PoseDataset`` pickle (3D or 2D).

::

    # NTU-60 (the release's nturgb+d_skeletons/ folder, S001-S017)
    python -m data_prep.ntu --dataset ntu60 nturgb+d_skeletons/ \\
        --out data/skeleton/ntu60_3d.pkl --workers 8
    # NTU-120: both parts of the release
    python -m data_prep.ntu --dataset ntu120 nturgb+d_skeletons/ \\
        nturgbd_skeletons_s018_to_s032/ --out data/skeleton/ntu120_3d.pkl --workers 8

Every sample: ``frame_dir`` = sample name, ``label`` = action - 1, ``keypoint`` (M, T, 25, 3)
float32 in metres after the standard clean-up (:mod:`sfhead_mm.formats.ntu_denoise`), M <= 2.
With ``--coords colour`` the same actors and frames are written in 2D instead: ``keypoint``
(M, T, 25, 2) float32 pixels of the 1920 x 1080 Kinect colour frame and ``keypoint_score``
(M, T, 25) from each joint's tracking state (tracked 1, inferred 0.5, not tracked 0)::

    python -m data_prep.ntu --dataset ntu60 nturgb+d_skeletons/ --coords colour \\
        --out data/skeleton/ntu60_2d_kinect.pkl --workers 8

Splits: ``xsub_train/xsub_val/xview_train/xview_val`` (NTU-60) or ``xsub_train/xsub_val/
xset_train/xset_val`` (NTU-120). The official samples with missing skeletons are excluded and
listed in the report, as are the expected samples absent from the inputs.
"""
import argparse
import dataclasses
import functools
import sys
from typing import Optional, Sequence

from sfhead_mm.formats.errors import ErrorRecord, FormatError
from sfhead_mm.formats.ntu import read_skeleton, read_skeleton_npy
from sfhead_mm.formats.ntu_denoise import DenoiseConfig, denoise, denoise_colour
from sfhead_mm.utils.console import print_error

from . import ntu_names
from .cli import (Conversion, add_common_arguments, collect_files, prog_name,
                  run_conversion)
from .pose_pickle import make_annotation
from .runner import FileResult

# Kinect v2 colour frame (height, width): stored as img_shape; 3D pipelines do not read it.
KINECT_V2_SHAPE = (1080, 1920)
FORMATS = {'skeleton': ('.skeleton', ), 'npy': ('.skeleton.npy', '.npy')}
COORDS = ('xyz', 'colour')  # camera space in metres (3D) | colour-frame pixels + score (2D)
DEFAULT_OUT = dict(xyz='data/skeleton/{dataset}_3d.pkl',
                   colour='data/skeleton/{dataset}_2d_kinect.pkl')
CONVERTER_VERSION = 2  # bump when a change alters the arrays: invalidates resume caches
# 2: values beyond float32 are errors; shards hold plain data


def convert_ntu_file(path: str, fmt: str = 'skeleton', num_joints: int = 25,
                     cfg: DenoiseConfig = DenoiseConfig(), coords: str = 'xyz') -> FileResult:
    """One NTU file -> one annotation (the worker function of the command).

    Args:
        path (str): ``.skeleton`` file (or txt2npy ``.npy`` with ``fmt='npy'``).
        fmt (str): ``'skeleton'`` or ``'npy'``.
        num_joints (int): Joints per body (the ``nturgb+d`` layout's 25).
        cfg (DenoiseConfig): Clean-up thresholds.
        coords (str): ``'xyz'``: ``keypoint`` (M, T, V, 3) in metres; ``'colour'``: ``keypoint``
            (M, T, V, 2) colour-frame pixels and ``keypoint_score`` (M, T, V), same M and T.

    Returns:
        FileResult: One sample and the clean-up notes.

    Raises:
        FormatError: Unreadable file or a name that is not an NTU sample name.
    """
    name = ntu_names.sample_name_from_path(path)
    try:
        ids = ntu_names.parse_name(name)
    except ValueError as err:
        raise FormatError(path, str(err)) from None
    if coords not in COORDS:
        raise ValueError(f'coords must be one of {COORDS}, got {coords!r}')
    colour = coords == 'colour'
    read = read_skeleton_npy if fmt == 'npy' else read_skeleton
    raw = read(path, num_joints, colour=True) if colour else read(path, num_joints)
    score = None
    if colour:
        keypoint, score, notes = denoise_colour(raw, cfg)
    else:
        keypoint, notes = denoise(raw, cfg)
    ann = make_annotation(name, ids.label, keypoint, KINECT_V2_SHAPE, keypoint_score=score)
    return FileResult(samples=[ann], notes=notes)


def plan(inputs: Sequence[str], dataset: str, fmt: str = 'skeleton'):
    """Sort the input files into work, exclusions and problems.

    Args:
        inputs (Sequence[str]): Folders (searched recursively) and/or files.
        dataset (str): ``'ntu60'`` or ``'ntu120'``.
        fmt (str): Input format (``'skeleton'`` or ``'npy'``).

    Returns:
        tuple: ``tasks`` (``(name, path)`` to convert), ``skipped`` (reason -> names),
        ``errors`` (bad or duplicate file names), ``absent`` (official samples not found).
    """
    missing = set(ntu_names.missing_skeletons(dataset))
    tasks, errors = [], []
    skipped = {'missing skeleton (official list)': [], f'not part of {dataset}': []}
    seen = {}
    for path in collect_files(inputs, FORMATS[fmt]):
        name = ntu_names.sample_name_from_path(path)
        try:
            ids = ntu_names.parse_name(name)
        except ValueError as err:
            errors.append(ErrorRecord(path, None, str(err)))
            continue
        if not ntu_names.in_dataset(ids, dataset):
            skipped[f'not part of {dataset}'].append(name)
        elif name in missing:
            skipped['missing skeleton (official list)'].append(name)
        elif name in seen:
            errors.append(ErrorRecord(path, None, f'sample {name} also found at {seen[name]}; '
                                                  f'this copy is ignored'))
        else:
            seen[name] = path
            tasks.append((name, path))
    expected = set(ntu_names.official_names(dataset)) - missing
    absent = sorted(expected - set(seen))
    return tasks, skipped, errors, absent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog_name('ntu'),
        description='NTU RGB+D 60/120 raw skeletons -> MMAction2 PoseDataset pickle (3D, or '
                    '2D colour-frame keypoints with --coords colour).')
    parser.add_argument('inputs', nargs='+',
                        help='folders of .skeleton files (searched recursively; give both '
                             'parts of NTU-120) and/or single files')
    parser.add_argument('--dataset', choices=sorted(ntu_names.DATASETS), default='ntu60',
                        help='ntu60 (S001-S017, A001-A060) or ntu120 (all); default ntu60')
    parser.add_argument('--format', choices=sorted(FORMATS), default='skeleton',
                        help='skeleton: raw Kinect text files (default); npy: the dicts of the '
                             'dataset authors\' txt2npy.py (no tracking ids: body slots are '
                             'cleaned as bodies)')
    parser.add_argument('--no-denoise', action='store_true',
                        help='skip the standard clean-up: keep the 2 most moving bodies as '
                             'they are')
    parser.add_argument('--coords', choices=COORDS, default='xyz',
                        help='xyz: camera-space x, y, z in metres, keypoint (M, T, 25, 3) '
                             '(default); colour: the same actors and frames as pixels of the '
                             '1920x1080 colour frame, keypoint (M, T, 25, 2) with keypoint_score '
                             'from the tracking state (tracked 1, inferred 0.5, not tracked 0)')
    # The default output depends on --coords: resolved in main().
    add_common_arguments(parser, default_out=f"{DEFAULT_OUT['xyz']}, or "
                                             f"{DEFAULT_OUT['colour']} with --coords colour")
    parser.set_defaults(out=None)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    args.out = (args.out or DEFAULT_OUT[args.coords]).format(dataset=args.dataset)
    from sfhead_mm.skeleton import get_layout  # the one description of the 25 joints (light)
    num_joints = get_layout('nturgb+d').num_joints
    spec = ntu_names.get_spec(args.dataset)
    cfg = DenoiseConfig(enabled=not args.no_denoise)
    try:
        tasks, skipped, errors, absent = plan(args.inputs, args.dataset, args.format)
    except FileNotFoundError as err:
        print_error(err)
        return 1
    if absent:
        print(f'note: {len(absent)} of the official {args.dataset} samples (missing-skeleton '
              f'ones excluded) are not in the inputs; listed in the report', file=sys.stderr)
    conv = Conversion(
        dataset=args.dataset, inputs=list(args.inputs), tasks=tasks,
        convert=functools.partial(convert_ntu_file, fmt=args.format, num_joints=num_joints,
                                  cfg=cfg, coords=args.coords),
        make_split=lambda anns: ntu_names.make_splits([a['frame_dir'] for a in anns],
                                                      args.dataset),
        settings=dict(converter='ntu', version=CONVERTER_VERSION, dataset=args.dataset,
                      format=args.format, coords=args.coords,
                      denoise=dataclasses.asdict(cfg)),
        num_joints=num_joints, num_classes=spec.num_classes, layout='nturgb+d', num_person=2,
        class_names=ntu_names.class_names(args.dataset), pre_errors=errors, skipped=skipped,
        extra=dict(absent_from_inputs=dict(count=len(absent), samples=absent)))
    return run_conversion(conv, args)


if __name__ == '__main__':
    sys.exit(main())
