"""PKU-MMD phase I: untrimmed skeleton sequences + label files -> action clips (``PoseDataset``).

::

    python -m data_prep.pkummd --skeletons PKU_Skeleton_Renew/ \\
        --labels Train_Label_PKU_final/ --split-dir Split/ --out data/skeleton/pkummd1_3d.pkl

Input, as the dataset documents it:

* one skeleton file per video (``0002-L.txt``): one row per frame, 150 numbers = 2 people x 25
  Kinect v2 joints x (x, y, z); the second person is all zeros when absent;
* one label file per video (same name): one row per action instance,
  ``action_id,start_frame,end_frame,confidence`` (action ids 1..51);
* ``cross-subject.txt`` and ``cross-view.txt``: ``Training videos:`` and ``Validation videos:``
  (spelled ``Validataion`` in the release) each followed by a comma-separated list of videos.

Each label row becomes one clip ``<video>_<row:03d>`` (0-based row of the label file) with frames
``start .. end-1`` of the video (0-based, the slicing of the common public converters, e.g.
MAMP's ``pku_gendata.py``), ``label = action_id - 1``, ``keypoint`` (M, T, 25, 3) float32 where
M is 2 when the second person appears in the clip, else 1, and frames where nobody is tracked
dropped. Splits: ``xsub_train/xsub_val/xview_train/xview_val``.

No PKU-MMD files ship with this repository; the converter is tested on a small fixture in the
documented format (``tests/fixtures/pkummd``), not on the real release.
"""
import argparse
import functools
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from sfhead_mm.formats.errors import ErrorRecord, FormatError
from sfhead_mm.formats.pkummd import (KINECT_V2_SHAPE, NUM_CLASSES, NUM_PEOPLE,  # noqa: F401
                                      read_labels, read_sequence, read_split_file)
from sfhead_mm.utils.console import print_error

from .cli import (Conversion, add_common_arguments, collect_files, prog_name,
                  run_conversion)
from .pose_pickle import make_annotation
from .runner import FileResult

CONVERTER_VERSION = 2  # 2: values beyond float32 are errors
SPLIT_FILES = {'xsub': ('cross-subject.txt', 'cross_subject.txt'),
               'xview': ('cross-view.txt', 'cross_view.txt')}


def convert_pkummd_video(path: str, label_dir: str, num_joints: int = 25) -> FileResult:
    """One video -> one clip per label row (the worker function of the command).

    Args:
        path (str): Skeleton file ``<video>.txt``.
        label_dir (str): Folder of the label files (same file names).
        num_joints (int): Joints per person (the ``nturgb+d`` layout's 25).

    Returns:
        FileResult: The clips; rows with an impossible interval (outside the video, empty) or
        an unknown action are errors of that clip only, the other clips are kept.
    """
    video = osp.splitext(osp.basename(path))[0]
    label_path = osp.join(label_dir, video + '.txt')
    if not osp.isfile(label_path):
        raise FormatError(path, f'no label file {label_path}')
    seq = read_sequence(path, num_joints)
    result = FileResult()
    T = seq.shape[1]
    for k, (line, action, start, end, _conf) in enumerate(read_labels(label_path)):
        name = f'{video}_{k:03d}'

        def clip_error(msg):
            result.errors.append(ErrorRecord(label_path, line, msg, sample=name))

        if not 1 <= action <= NUM_CLASSES:
            clip_error(f'action id {action} outside 1..{NUM_CLASSES}')
            continue
        if not 0 <= start < end <= T:
            clip_error(f'frames {start}..{end} do not fit the {T}-frame video (need '
                       f'0 <= start < end <= {T})')
            continue
        clip = seq[:, start:end]
        present = np.any(clip != 0, axis=(2, 3))  # (M, T)
        frames = present.any(axis=0)
        if not frames.any():
            clip_error(f'frames {start}..{end}: nobody tracked in the clip')
            continue
        if not frames.all():
            result.notes.append(f'{name}: {int((~frames).sum())} of {end - start} frames '
                                f'dropped, nobody tracked')
        people = 2 if present[1].any() else 1
        keypoint = clip[:people][:, frames]
        result.samples.append(make_annotation(name, action - 1, keypoint, KINECT_V2_SHAPE))
    return result


def find_split_files(split_dir: Optional[str], xsub: Optional[str],
                     xview: Optional[str]) -> Dict[str, str]:
    """Benchmark -> split file, from explicit paths or the usual names in ``split_dir``."""
    found = {}
    for bench, explicit in (('xsub', xsub), ('xview', xview)):
        if explicit:
            found[bench] = explicit
        elif split_dir:
            for name in SPLIT_FILES[bench]:
                if osp.isfile(osp.join(split_dir, name)):
                    found[bench] = osp.join(split_dir, name)
                    break
    return found


def make_splits(clip_names: Sequence[str], split_files: Dict[str, str]
                ) -> Tuple[Dict[str, List[str]], Dict[str, List[str]]]:
    """Splits of the clips from the per-video split files.

    Returns:
        tuple: ``splits`` (``xsub_train``, ...) and ``unsplit`` (benchmark -> clips whose video
        is in neither list of that benchmark's file).
    """
    splits, unsplit = {}, {}
    for bench, path in sorted(split_files.items()):
        train, val = read_split_file(path)
        train, val = set(train), set(val)
        splits[f'{bench}_train'], splits[f'{bench}_val'], unsplit[bench] = [], [], []
        for clip in clip_names:
            video = clip.rsplit('_', 1)[0]
            if video in train:
                splits[f'{bench}_train'].append(clip)
            elif video in val:
                splits[f'{bench}_val'].append(clip)
            else:
                unsplit[bench].append(clip)
    return splits, unsplit


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog_name('pkummd'),
        description='PKU-MMD phase I skeletons + labels -> MMAction2 PoseDataset pickle of '
                    'action clips (3D, 25 joints, up to 2 people).')
    parser.add_argument('--skeletons', required=True, nargs='+',
                        help='folder(s) of per-video skeleton .txt files')
    parser.add_argument('--labels', required=True, help='folder of per-video label .txt files')
    parser.add_argument('--split-dir', help='folder holding cross-subject.txt and '
                                            'cross-view.txt')
    parser.add_argument('--xsub', help='cross-subject split file (overrides --split-dir)')
    parser.add_argument('--xview', help='cross-view split file (overrides --split-dir)')
    add_common_arguments(parser, default_out='data/skeleton/pkummd1_3d.pkl')
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    from sfhead_mm.skeleton import get_layout  # PKU-MMD uses Kinect v2's 25 joints
    num_joints = get_layout('nturgb+d').num_joints
    split_files = find_split_files(args.split_dir, args.xsub, args.xview)
    if not split_files:
        print_error('no split file: give --split-dir (with cross-subject.txt / '
                    'cross-view.txt) or --xsub / --xview')
        return 1
    try:
        for path in split_files.values():
            read_split_file(path)
        paths = collect_files(args.skeletons, ('.txt', ))
    except (FileNotFoundError, FormatError) as err:
        print_error(err)
        return 1
    tasks = [(osp.splitext(osp.basename(p))[0], p) for p in paths]
    unsplit_report: Dict[str, List[str]] = {}

    def split_and_note(anns):
        splits, unsplit = make_splits([a['frame_dir'] for a in anns], split_files)
        unsplit_report.update(unsplit)
        return splits

    conv = Conversion(
        dataset='pkummd1', inputs=list(args.skeletons) + [args.labels], tasks=tasks,
        convert=functools.partial(convert_pkummd_video, label_dir=args.labels,
                                  num_joints=num_joints),
        make_split=split_and_note,
        settings=dict(converter='pkummd', version=CONVERTER_VERSION,
                      labels=osp.abspath(args.labels)),
        num_joints=num_joints, num_classes=NUM_CLASSES, layout='nturgb+d', num_person=2,
        # unsplit_report is filled by split_and_note before the report is written.
        extra=dict(split_files=split_files, clips_in_no_split=unsplit_report))
    return run_conversion(conv, args)


if __name__ == '__main__':
    sys.exit(main())
