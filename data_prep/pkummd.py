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
import re
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .cli import Conversion, add_common_arguments, collect_files, run_conversion
from .errors import ErrorRecord, SampleError
from .pose_pickle import make_annotation
from .runner import FileResult

NUM_PEOPLE = 2
NUM_CLASSES = 51
KINECT_V2_SHAPE = (1080, 1920)
CONVERTER_VERSION = 1
SPLIT_FILES = {'xsub': ('cross-subject.txt', 'cross_subject.txt'),
               'xview': ('cross-view.txt', 'cross_view.txt')}
_TRAIN_RE = re.compile(r'training\s+videos\s*:', re.I)
_VAL_RE = re.compile(r'valid\w*\s+videos\s*:|test\w*\s+videos\s*:', re.I)


def read_sequence(path: str, num_joints: int = 25) -> np.ndarray:
    """Skeleton file -> ``(M=2, T, V, 3)`` float32.

    Raises:
        SampleError: Wrong number of values on a row, non-numeric values, NaN/inf or no
            frames, with the line number.
    """
    width = NUM_PEOPLE * num_joints * 3
    with open(path, 'rb') as f:
        raw = f.read()
    lines = raw.split(b'\n')
    if not any(ln.strip() for ln in lines):
        raise SampleError(path, 'zero frames (empty skeleton file)', line=1)
    try:
        # numpy's C reader checks that every row has the same number of columns.
        values = np.loadtxt(lines, dtype=np.float64, ndmin=2)
    except ValueError:
        values = None
    if values is None or values.shape[1] != width or not np.isfinite(values).all():
        _raise_row_error(path, lines, width)
    rows = values.shape[0]
    seq = values.reshape(rows, NUM_PEOPLE, num_joints, 3).transpose(1, 0, 2, 3)
    return np.ascontiguousarray(seq, dtype=np.float32)


def _raise_row_error(path: str, lines: List[bytes], width: int) -> None:
    """Slow path: the first row that is not ``width`` finite numbers."""
    for i, line in enumerate(lines):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != width:
            raise SampleError(path, f'{len(fields)} values on the row, expected {width} '
                                    f'(2 people x 25 joints x 3)', line=i + 1)
        for token in fields:
            text = token.decode(errors='replace')
            try:
                value = float(text)
            except ValueError:
                raise SampleError(path, f'non-numeric value {text[:40]!r}', line=i + 1) \
                    from None
            if not np.isfinite(value):
                raise SampleError(path, f'{text!r} value (NaN or inf)', line=i + 1)
    raise SampleError(path, 'inconsistent skeleton rows')


def read_labels(path: str) -> List[Tuple[int, int, int, int, int]]:
    """Label file -> ``[(line, action_id, start, end, confidence)]``.

    Raises:
        SampleError: A row that is not 4 comma-separated integers, with its line.
    """
    rows = []
    with open(path, encoding='utf-8', errors='replace') as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                continue
            fields = [x.strip() for x in line.strip().rstrip(',').split(',')]
            try:
                if len(fields) != 4:
                    raise ValueError
                action, start, end, conf = (int(float(x)) for x in fields)
            except ValueError:
                raise SampleError(path, f'expected action_id,start_frame,end_frame,confidence '
                                        f'(4 integers), got {line.strip()[:60]!r}',
                                  line=i) from None
            rows.append((i, action, start, end, conf))
    if not rows:
        raise SampleError(path, 'no action in the label file')
    return rows


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
        raise SampleError(path, f'no label file {label_path}')
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


def read_split_file(path: str) -> Tuple[List[str], List[str]]:
    """``cross-subject.txt`` / ``cross-view.txt`` -> (training videos, validation videos).

    Raises:
        ValueError: The file has no ``Training videos:`` / ``Validation videos:`` sections.
    """
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    train_at = _TRAIN_RE.search(text)
    val_at = _VAL_RE.search(text)
    if train_at is None or val_at is None:
        raise ValueError(f'{path}: expected "Training videos:" and "Validation videos:" '
                         f'sections')

    def names(chunk):
        return [n for n in re.split(r'[,\s]+', chunk) if n]

    if train_at.start() < val_at.start():
        train = names(text[train_at.end():val_at.start()])
        val = names(text[val_at.end():])
    else:
        val = names(text[val_at.end():train_at.start()])
        train = names(text[train_at.end():])
    return train, val


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
        prog='python -m data_prep.pkummd',
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
        print('error: no split file: give --split-dir (with cross-subject.txt / '
              'cross-view.txt) or --xsub / --xview', file=sys.stderr)
        return 1
    try:
        for path in split_files.values():
            read_split_file(path)
        paths = collect_files(args.skeletons, ('.txt', ))
    except (FileNotFoundError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
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
