"""``.npy`` skeleton arrays: ``(M, T, V, C)``, ``(C, T, V, M)``, ``(T, V, C)`` or batches of them.

The axis order of a 4-d array is told from its shape (and, when given, the channels the model
reads); trailing all-zero frames (padding to a fixed length) and all-zero persons are dropped by
:func:`trim_padding`. The NTU authors' txt2npy dicts (object arrays) are
:mod:`sfhead_mm.formats.ntu`'s; :func:`load_array` says so with :class:`ObjectArrayError`.
"""
from typing import List, Optional, Tuple

import numpy as np

from .errors import FormatError
from .json_io import float32_array

NPY_ORDERS = ('auto', 'MTVC', 'CTVM')


class ObjectArrayError(FormatError):
    """The file holds a pickled object array (e.g. the NTU txt2npy dict), not numbers."""


def load_array(path: str) -> np.ndarray:
    """The array of a ``.npy`` file, without unpickling anything.

    Raises:
        ObjectArrayError: An object array (needs a reader that knows its content).
        FormatError: Missing, empty, truncated or not a ``.npy`` file; one line.
    """
    try:
        return np.load(path, allow_pickle=False)
    except ValueError as err:
        if 'allow_pickle' in str(err):
            raise ObjectArrayError(path, 'holds pickled objects, not an array of numbers') \
                from None
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise FormatError(path, f'not a .npy array ({reason})') from None
    except EOFError:
        raise FormatError(path, 'empty or truncated .npy file (no array in it)') from None
    except IsADirectoryError:
        raise FormatError(path, 'is a directory, not a .npy file') from None
    except OSError as err:
        raise FormatError(path, f'cannot read: {err.strerror or err}') from None
    except Exception as err:  # numpy raises a few more for damaged headers
        reason = str(err).splitlines()[0] if str(err) else ''
        raise FormatError(path, f'not a readable .npy file ({type(err).__name__}: '
                                f'{reason[:120]})') from None


def orient(path: str, arr: np.ndarray, order: str = 'auto',
           channels: Optional[int] = None) -> np.ndarray:
    """``(M, T, V, C)`` from a 4-d array in ``order`` (``'auto'``: decide from its shape)."""
    if order not in NPY_ORDERS:
        raise ValueError(f'npy order {order!r}; choose one of {NPY_ORDERS}')
    if order == 'MTVC':
        return arr
    if order == 'CTVM':
        return arr.transpose(3, 1, 2, 0)
    plausible = (2, 3, 4) if channels is None else (channels, )
    mtvc, ctvm = arr.shape[-1] in plausible, arr.shape[0] in plausible
    if mtvc and ctvm and channels is None and arr.shape[0] != arr.shape[-1]:
        # (3, T, V, 2): 3 coordinates and 2 persons is the common CTR-GCN / PaddleVideo layout
        mtvc, ctvm = arr.shape[-1] > arr.shape[0], arr.shape[0] > arr.shape[-1]
    if mtvc and not ctvm:
        return arr
    if ctvm and not mtvc:
        return arr.transpose(3, 1, 2, 0)
    expect = f'C={channels} coordinates' if channels else 'C in 2..4 coordinates'
    raise FormatError(path, f'cannot tell (M, T, V, C) from (C, T, V, M) for shape {arr.shape} '
                            f'({expect}); pass npy_order="MTVC" or "CTVM" (--npy-order)')


def split_samples(path: str, arr: np.ndarray, order: str = 'auto',
                  channels: Optional[int] = None) -> List[np.ndarray]:
    """The samples of an array: ``(M, T, V, C)`` float32 each, NaN / inf / beyond-float32 refused.

    ``(T, V, C)`` is one person; a 5-d array is a batch ``(N, ...)`` of 4-d samples.
    """
    if arr.dtype.kind not in 'fiub':
        raise FormatError(path, f'array of dtype {arr.dtype}; expected numbers')
    if arr.ndim == 3:  # (T, V, C): one person
        batch, order = arr[None, None], 'MTVC'
    elif arr.ndim == 4:
        batch = arr[None]
    elif arr.ndim == 5:
        batch = arr
    else:
        raise FormatError(path, f'array of shape {arr.shape}; expected (M, T, V, C), '
                                f'(C, T, V, M), (T, V, C) or a batch (N, ...) of them')
    if 0 in arr.shape:
        raise FormatError(path, f'empty array of shape {arr.shape}')
    out = []
    for i, item in enumerate(batch):
        kp = orient(path, item, order, channels)
        what = 'the array' if len(batch) == 1 else f'sample {i} of the batch'
        out.append(float32_array(path, kp, what, locate=False) if kp.dtype != np.float32
                   or not np.isfinite(kp).all() else kp)
    return out


def trim_padding(path: str, name: str, keypoint: np.ndarray,
                 score: Optional[np.ndarray] = None
                 ) -> Tuple[np.ndarray, Optional[np.ndarray], List[str]]:
    """Drop all-zero persons (keeping one) and trailing all-zero frames (fixed-length padding).

    Returns:
        tuple: ``keypoint``, ``score`` and the notes saying what was dropped.

    Raises:
        FormatError: Every coordinate is zero.
    """
    notes = []
    kp = keypoint
    persons = np.flatnonzero(np.abs(kp).reshape(kp.shape[0], -1).sum(-1) > 0)
    if len(persons) == 0:
        raise FormatError(path, f'{name}: every coordinate is zero')
    if len(persons) < kp.shape[0]:
        notes.append(f'dropped {kp.shape[0] - len(persons)} all-zero person(s)')
        kp = kp[persons]
        if score is not None:
            score = score[persons]
    frames = np.flatnonzero(np.abs(kp).sum(axis=(0, 2, 3)) > 0)
    last = int(frames[-1]) + 1
    if last < kp.shape[1]:
        notes.append(f'dropped {kp.shape[1] - last} trailing all-zero frames '
                     f'(padding): {last} of {kp.shape[1]} frames kept')
        kp = kp[:, :last]
        if score is not None:
            score = score[:, :last]
    return kp, score, notes
