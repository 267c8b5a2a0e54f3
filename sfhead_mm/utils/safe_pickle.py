"""Read data pickles (annotation files, result files) without executing anything from them.

``pickle.load`` calls whatever callable a file names, so a crafted annotation or result file runs
code the moment it is read. :func:`load_pickle` unpickles with an allow-list of what data pickles
hold: builtin containers and scalars, and numpy arrays, dtypes and scalars (including the
``numpy.core`` names that files written under numpy 1.x carry); with ``tensors=True`` also torch
tensors as ``pickle`` writes them (MMAction2's ``DumpResults`` files), whose storage bytes are read
with torch's own ``weights_only=True`` loader. Anything else is refused with one line naming the
file and the global. MMAction2's own ``PoseDataset`` still reads its ``ann_file``
with ``mmengine.load`` (a full unpickler): run ``tools/check_data.py`` first on files you did not
make, which reads them through this module.

Light: imports numpy and the standard library only.
"""
import builtins
import io
import os.path as osp
import pickle
from typing import Optional

__all__ = ['load_pickle', 'loads_pickle', 'UnsafePickleError', 'PickleReadError',
           'refused_global']

_BUILTINS = {'dict', 'list', 'tuple', 'set', 'frozenset', 'str', 'bytes', 'bytearray', 'int',
             'float', 'complex', 'bool', 'slice', 'range'}
_NUMPY_CORE = {'_reconstruct', 'scalar', '_frombuffer'}


class UnsafePickleError(ValueError):
    """The pickle names a global outside the allow-list (nothing was executed)."""

    def __init__(self, path: str, global_name: str):
        self.path = path
        self.global_name = global_name
        super().__init__(f'{path}: refused to unpickle {global_name} (data pickles hold only '
                         'containers, strings, numbers and numpy arrays)')


class PickleReadError(ValueError):
    """The file is not a readable pickle (truncated, empty, or another format)."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f'{path}: not a readable pickle ({reason})')


def _storage_from_bytes(data: bytes):
    """``torch.storage._load_from_bytes`` without its full unpickle of the embedded bytes."""
    import torch
    return torch.load(io.BytesIO(data), weights_only=True)


def _allowed_tensor(module: str, name: str):
    if (module, name) == ('torch._utils', '_rebuild_tensor_v2'):
        from torch import _utils
        return _utils._rebuild_tensor_v2
    if (module, name) == ('torch.storage', '_load_from_bytes'):
        return _storage_from_bytes
    return None


def _allowed(module: str, name: str):
    """The object for an allowed global, else None."""
    if module in ('builtins', '__builtin__') and name in _BUILTINS:
        return getattr(builtins, name)
    if module == 'collections' and name in ('OrderedDict', 'defaultdict'):
        import collections
        return getattr(collections, name)
    if module == '_codecs' and name == 'encode':  # bytes under protocol 2
        import _codecs
        return _codecs.encode
    if module in ('numpy.core.multiarray', 'numpy._core.multiarray') and name in _NUMPY_CORE:
        from numpy._core import multiarray
        return getattr(multiarray, name)
    if module in ('numpy.core.numeric', 'numpy._core.numeric') and name == '_frombuffer':
        from numpy._core import numeric  # arrays pickled with protocol 5 (numpy >= 1.23)
        return numeric._frombuffer
    if module == 'numpy' and name in ('ndarray', 'dtype'):
        import numpy as np
        return getattr(np, name)
    if module == 'numpy.dtypes':
        import numpy as np
        cls = getattr(np.dtypes, name, None)
        if isinstance(cls, type) and issubclass(cls, np.dtype):
            return cls
    return None


class _Unpickler(pickle.Unpickler):

    def __init__(self, file, path: str, tensors: bool = False):
        super().__init__(file)
        self._path = path
        self._tensors = tensors

    def find_class(self, module, name):
        obj = _allowed(module, name)
        if obj is None and self._tensors:
            obj = _allowed_tensor(module, name)
        if obj is None:
            raise UnsafePickleError(self._path, f'{module}.{name}')
        return obj


def loads_pickle(data: bytes, path: str = '<bytes>', tensors: bool = False):
    """Unpickle bytes with the allow-list; errors name ``path``."""
    return _load(io.BytesIO(data), path, tensors)


def _load(file, path: str, tensors: bool):
    try:
        return _Unpickler(file, path, tensors).load()
    except UnsafePickleError:
        raise
    except Exception as err:  # noqa: B902 (any failure of a foreign file is 'not readable')
        reason = 'truncated' if isinstance(err, EOFError) else f'{type(err).__name__}: {err}'
        raise PickleReadError(path, reason.splitlines()[0] if reason else 'unknown') from None


def load_pickle(path: str, tensors: bool = False):
    """Read a data pickle with the allow-list (``tensors``: also torch tensors).

    Raises:
        FileNotFoundError: no such file.
        IsADirectoryError: a directory.
        UnsafePickleError: a global outside the allow-list (the message names it).
        PickleReadError: empty, truncated or not a pickle (the message names the file).
    """
    path = str(path)
    if osp.isdir(path):
        raise IsADirectoryError(f'{path}: is a directory, not a pickle file')
    if osp.getsize(path) == 0:
        raise PickleReadError(path, 'empty file')
    with open(path, 'rb') as f:  # streamed: a large file is not held twice in memory
        return _load(f, path, tensors)


def refused_global(path: str) -> Optional[str]:
    """The first global of a pickle file outside the allow-list (nothing executed), or None."""
    try:
        load_pickle(path)
    except UnsafePickleError as err:
        return err.global_name
    except (PickleReadError, OSError):
        return None
    return None
