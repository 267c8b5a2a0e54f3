"""Load checkpoints without executing anything from them.

torch >= 2.6 loads with ``weights_only=True``: its unpickler builds tensors, containers and numbers
and refuses every other global. An mmengine checkpoint holds a few more: the message hub's
``HistoryBuffer`` objects (whose statistics methods are pickled as ``getattr(HistoryBuffer, name)``)
and numpy arrays, dtypes and scalars (the random seed, logged values). :data:`CHECKPOINT_GLOBALS`
allows exactly those, with a ``getattr`` that resolves only the ``HistoryBuffer`` statistics, so a
crafted file (``os.system`` in ``meta``, a plain pickle renamed ``.pth``) is refused while every
checkpoint our tools and MMAction2 write loads.

Two ways in:

- :func:`load_checkpoint_file` reads a file and raises :class:`CheckpointError`, whose message is
  one line naming the file and the refused global (or why it is not a checkpoint).
- :func:`checkpoint_globals` is a context manager inside which mmengine's own loaders (runner
  resume and ``load_from``, ``mmengine.runner.load_checkpoint``, ``mmaction.apis.init_recognizer``)
  accept our checkpoints; it removes the allowance on exit. :class:`SafeCheckpointHook` enters it
  for the duration of a run, so MMAction2's own ``tools/train.py`` and ``tools/test.py`` resume and
  test from our checkpoints as well.

Opting out is the user's call: ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` makes torch unpickle
everything (trusted files only).
"""
import contextlib
import os.path as osp
import pickle
import re
import warnings
import zipfile
from typing import Iterator, List, Optional

from .safe_pickle import refused_global

OPT_OUT = 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1'


class CheckpointError(ValueError):
    """A checkpoint that cannot (or must not) be loaded; ``str()`` is one line."""

    def __init__(self, path: str, reason: str, global_name: Optional[str] = None):
        self.path = path
        self.reason = reason
        self.global_name = global_name
        super().__init__(f'{path}: {reason}')


def _history_buffer():
    from mmengine.logging.history_buffer import HistoryBuffer
    return HistoryBuffer


def _statistics_getattr(obj, name):
    """``getattr`` restricted to the ``HistoryBuffer`` methods its pickles reference."""
    buffer_cls = _history_buffer()
    if obj is buffer_cls and name in {'min', 'max', 'current', 'mean',
                                      *buffer_cls._statistics_methods}:
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'getattr({getattr(obj, "__name__", type(obj).__name__)}, {name!r}) is not allowed '
        f'(only HistoryBuffer statistics)')


def _numpy_globals() -> list:
    import numpy as np
    from numpy._core import multiarray
    found = [np.ndarray, np.dtype, (multiarray._reconstruct, 'numpy._core.multiarray._reconstruct'),
             (multiarray.scalar, 'numpy._core.multiarray.scalar'),
             # checkpoints written under numpy < 2 (e.g. MMAction2's released ones)
             (multiarray._reconstruct, 'numpy.core.multiarray._reconstruct'),
             (multiarray.scalar, 'numpy.core.multiarray.scalar')]
    # numpy >= 1.25 pickles dtypes as instances of their numpy.dtypes.* classes
    for dtype_cls in vars(np.dtypes).values():
        if isinstance(dtype_cls, type) and issubclass(dtype_cls, np.dtype):
            found.append(dtype_cls)
    return found


def checkpoint_safe_globals() -> list:
    """The allow-list, in the form ``torch.serialization.safe_globals`` takes."""
    return [_history_buffer(), (_statistics_getattr, 'builtins.getattr')] + _numpy_globals()


@contextlib.contextmanager
def checkpoint_globals() -> Iterator[None]:
    """Allow the globals of mmengine checkpoints for ``weights_only`` loads inside the block.

    Re-entrant: only what is not allowed already is added, and only that is removed on exit, so
    a nested use (a check that reads a checkpoint inside a run) leaves the outer one intact.
    """
    import torch
    serialization = torch.serialization
    present = set(serialization.get_safe_globals())
    added = [g for g in checkpoint_safe_globals() if g not in present]
    serialization.add_safe_globals(added)
    try:
        yield
    finally:
        keep = [g for g in serialization.get_safe_globals() if g not in set(added)]
        serialization.clear_safe_globals()
        serialization.add_safe_globals(keep)


_UNSUPPORTED = re.compile(r'(?:unsupported GLOBAL|Unsupported global: GLOBAL) ([\w.]+)')


def _reason(err: Exception) -> tuple:
    text = str(err)
    match = _UNSUPPORTED.search(text)
    if match:
        name = match.group(1)
        return (f'refused to load: it references {name}, which a checkpoint does not need '
                f'(only trusted files may opt out with {OPT_OUT})'), name
    if 'getattr(' in text and 'is not allowed' in text:
        detail = text[text.index('getattr('):].splitlines()[0]
        return (f'refused to load: {detail} (only trusted files may opt out with {OPT_OUT})',
                'builtins.getattr')
    if 'Weights only load failed' in text:
        text = text.split('\n', 1)[-1].replace('Please file an issue', '')
    lines = [line for line in text.strip().splitlines() if line.strip()]
    first = lines[0].strip() if lines else type(err).__name__
    return f'not a readable checkpoint ({type(err).__name__}: {first})', None


def load_checkpoint_file(path: str, map_location='cpu') -> dict:
    """Read a checkpoint with ``weights_only=True`` and the allow-list.

    Raises:
        CheckpointError: missing, a directory, not a torch checkpoint, truncated, or referencing a
            global outside :func:`checkpoint_safe_globals` (the message names it).
    """
    import torch
    path = osp.expanduser(str(path))
    if osp.isdir(path):
        raise CheckpointError(path, 'is a directory, not a checkpoint file')
    if not osp.isfile(path):
        raise CheckpointError(path, 'no such checkpoint file')
    if not zipfile.is_zipfile(path):
        # torch.save has written zip archives since 1.6; anything else is a legacy or foreign file
        with open(path, 'rb') as f:
            head = f.read(2)
        if not head.startswith(b'\x80'):
            raise CheckpointError(path, 'not a checkpoint (not a torch.save archive, or truncated)')
        name = refused_global(path)  # a plain pickle renamed .pth: name what it would run
        if name is not None:
            raise CheckpointError(path, f'refused to load: a plain pickle (not a torch.save '
                                  f'archive) that references {name} (only trusted files may opt '
                                  f'out with {OPT_OUT})', name)
    try:
        with checkpoint_globals(), warnings.catch_warnings():
            warnings.simplefilter('ignore')  # torch's legacy-format notice; errors still raise
            data = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises UnpicklingError, RuntimeError, EOFError, ...
        reason, name = _reason(err)
        raise CheckpointError(path, reason, name) from None
    if not isinstance(data, dict):
        raise CheckpointError(path, f'not a checkpoint (holds a {type(data).__name__}, '
                              'not a dict of weights)')
    return data


def unsafe_globals(path: str) -> List[str]:
    """Globals in a checkpoint that the allow-list does not cover (for diagnostics and tests)."""
    import torch
    allowed = set()
    for item in checkpoint_safe_globals():
        obj, name = item if isinstance(item, tuple) else (item, None)
        allowed.add(name or f'{obj.__module__}.{obj.__qualname__}')
    return [g for g in torch.serialization.get_unsafe_globals_in_checkpoint(path)
            if g not in allowed]
