"""PKU-MMD phase I files: per-video skeleton rows, label rows and the split files.

As the dataset documents them:

* skeleton file (``0002-L.txt``): one row per frame, 150 numbers = 2 people x 25 Kinect v2
  joints x (x, y, z); the second person is all zeros when absent;
* label file (same name): one row per action instance, ``action_id,start_frame,end_frame,
  confidence`` (action ids 1..51);
* ``cross-subject.txt`` / ``cross-view.txt``: ``Training videos:`` and ``Validation videos:``
  (spelled ``Validataion`` in the release), each followed by a comma-separated list of videos.
"""
import re
from typing import List, Tuple

import numpy as np

from .errors import FormatError

NUM_PEOPLE = 2
NUM_CLASSES = 51
KINECT_V2_SHAPE = (1080, 1920)
FLOAT32_MAX = float(np.finfo(np.float32).max)
_TRAIN_RE = re.compile(r'training\s+videos\s*:', re.I)
_VAL_RE = re.compile(r'valid\w*\s+videos\s*:|test\w*\s+videos\s*:', re.I)


def read_sequence(path: str, num_joints: int = 25) -> np.ndarray:
    """Skeleton file -> ``(M=2, T, V, 3)`` float32.

    Raises:
        FormatError: Wrong number of values on a row, non-numeric values, NaN/inf, values
            beyond float32, or no frames, with the line number.
    """
    width = NUM_PEOPLE * num_joints * 3
    try:
        with open(path, 'rb') as f:
            raw = f.read()
    except OSError as err:
        raise FormatError(path, f'cannot read: {err.strerror or err}') from None
    lines = raw.split(b'\n')
    if not any(ln.strip() for ln in lines):
        raise FormatError(path, 'zero frames (empty skeleton file)', line=1)
    try:
        # numpy's C reader checks that every row has the same number of columns.
        values = np.loadtxt(lines, dtype=np.float64, ndmin=2)
    except ValueError:
        values = None
    if values is None or values.shape[1] != width or not np.isfinite(values).all() \
            or np.abs(values).max() > FLOAT32_MAX:
        _raise_row_error(path, lines, width)
    rows = values.shape[0]
    seq = values.reshape(rows, NUM_PEOPLE, num_joints, 3).transpose(1, 0, 2, 3)
    return np.ascontiguousarray(seq, dtype=np.float32)


def _raise_row_error(path: str, lines: List[bytes], width: int) -> None:
    """Slow path: the first row that is not ``width`` finite float32 numbers."""
    for i, line in enumerate(lines):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != width:
            raise FormatError(path, f'{len(fields)} values on the row, expected {width} '
                                    f'(2 people x 25 joints x 3)', line=i + 1)
        for token in fields:
            text = token.decode(errors='replace')
            try:
                value = float(text)
            except ValueError:
                raise FormatError(path, f'non-numeric value {text[:40]!r}', line=i + 1) \
                    from None
            if not np.isfinite(value):
                raise FormatError(path, f'{text!r} value (NaN or inf)', line=i + 1)
            if abs(value) > FLOAT32_MAX:
                raise FormatError(path, f'value {text!r} beyond float32 (it would become inf)',
                                  line=i + 1)
    raise FormatError(path, 'inconsistent skeleton rows')


def read_labels(path: str) -> List[Tuple[int, int, int, int, int]]:
    """Label file -> ``[(line, action_id, start, end, confidence)]``.

    Raises:
        FormatError: A row that is not 4 comma-separated integers, with its line.
    """
    rows = []
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
    except OSError as err:
        raise FormatError(path, f'cannot read: {err.strerror or err}') from None
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = [x.strip() for x in line.strip().rstrip(',').split(',')]
        try:
            if len(fields) != 4:
                raise ValueError
            action, start, end, conf = (int(float(x)) for x in fields)
        except (ValueError, OverflowError):
            raise FormatError(path, f'expected action_id,start_frame,end_frame,confidence '
                                    f'(4 integers), got {line.strip()[:60]!r}',
                              line=i) from None
        rows.append((i, action, start, end, conf))
    if not rows:
        raise FormatError(path, 'no action in the label file')
    return rows


def read_split_file(path: str) -> Tuple[List[str], List[str]]:
    """``cross-subject.txt`` / ``cross-view.txt`` -> (training videos, validation videos).

    Raises:
        FormatError: The file cannot be read or has no ``Training videos:`` /
            ``Validation videos:`` sections.
    """
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
    except OSError as err:
        raise FormatError(path, f'cannot read: {err.strerror or err}') from None
    train_at = _TRAIN_RE.search(text)
    val_at = _VAL_RE.search(text)
    if train_at is None or val_at is None:
        raise FormatError(path, 'expected "Training videos:" and "Validation videos:" sections')

    def names(chunk):
        return [n for n in re.split(r'[,\s]+', chunk) if n]

    if train_at.start() < val_at.start():
        train = names(text[train_at.end():val_at.start()])
        val = names(text[val_at.end():])
    else:
        val = names(text[val_at.end():train_at.start()])
        train = names(text[train_at.end():])
    return train, val
