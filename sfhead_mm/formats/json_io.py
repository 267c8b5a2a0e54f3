"""Read a json file with errors that name the file and the line."""
import json
import re
from typing import Any, Optional

import numpy as np

from .errors import FormatError

FLOAT32_MAX = float(np.finfo(np.float32).max)
_NUMBER = re.compile(rb'NaN|-?Infinity|-?(?:\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?')


def load_json(path: str) -> Any:
    """Parse a json file.

    Raises:
        FormatError: Unreadable, not UTF-8, or invalid json (with the line of the problem).
    """
    try:
        with open(path, 'rb') as f:
            raw = f.read()
    except OSError as err:
        raise FormatError(path, f'cannot read: {err.strerror or err}') from None
    try:
        return json.loads(raw.decode('utf-8'))
    except UnicodeDecodeError as err:
        raise FormatError(path, f'not UTF-8 text ({err.reason} at byte {err.start})') from None
    except json.JSONDecodeError as err:
        raise FormatError(path, f'invalid json: {err.msg} (column {err.colno})',
                          line=err.lineno) from None
    except RecursionError:
        raise FormatError(path, 'invalid json: nested too deeply') from None


def line_of_bad_number(path: str) -> Optional[int]:
    """1-based line of the first number in the file that is NaN/inf or beyond float32.

    Used after an array read from the file failed that check, to point at the line (the json
    parser does not keep positions). None when the file cannot be read or none is found.
    """
    try:
        with open(path, 'rb') as f:
            raw = f.read()
    except OSError:
        return None
    for match in _NUMBER.finditer(raw):
        token = match.group()
        try:
            bad = token[:1] in (b'N', b'I', b'-') and not token[1:2].isdigit() \
                or abs(float(token)) > FLOAT32_MAX
        except ValueError:
            continue
        if bad:
            return raw.count(b'\n', 0, match.start()) + 1
    return None


def float32_array(path: str, value, what: str, line: Optional[int] = None,
                  locate: bool = True) -> np.ndarray:
    """``value`` as a float32 array, refusing NaN, inf and values beyond float32.

    Args:
        path (str): The file (named in errors).
        value: Nested lists or an array.
        what (str): How to name ``value`` in errors (``'"skeletons"'``).
        line (int, optional): The line to report; else, with ``locate``, the line of the first
            bad number in the (text) file.
        locate (bool): Search a text file for the line of a bad value.

    Raises:
        FormatError: Not numbers, or a bad value (its index, and its line in the file).
    """
    try:
        arr64 = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise FormatError(path, f'{what} is not an array of numbers', line=line) from None
    if arr64.dtype == object:
        raise FormatError(path, f'{what} is not an array of numbers', line=line)
    with np.errstate(over='ignore', invalid='ignore'):
        arr = arr64.astype(np.float32)
    finite = np.isfinite(arr)
    if not finite.all():
        idx = np.argwhere(~finite)[0]
        orig = arr64[tuple(idx)]
        why = 'NaN or inf' if not np.isfinite(orig) else \
            f'{orig:.6g}, beyond float32 (it would become inf)'
        index = ''.join(f'[{i}]' for i in idx.tolist())
        raise FormatError(path, f'{what}{index} is {why}',
                          line=line if line is not None or not locate else line_of_bad_number(path))
    return arr
