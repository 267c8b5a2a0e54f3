"""Atomic file writes: a temporary file in the target's folder, then one ``os.replace``.

An interrupted run (Ctrl-C, a killed job, a full disk) must never leave a truncated pickle
under the final name, where it would look like a finished conversion. Writing to a temporary
file in the same folder and renaming it over the target makes the switch a single filesystem
operation: readers see either the old file or the complete new one.
"""
import contextlib
import json
import os
import os.path as osp
import pickle
import tempfile
from typing import Any, Iterator, IO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_open(path: str, mode: str = 'wb', fsync: bool = True) -> Iterator[IO]:
    """Open a temporary file that replaces ``path`` only when the block ends without error.

    Args:
        path (str): Final file name. Its folder is created if needed.
        mode (str): ``'wb'`` or ``'w'`` (text, UTF-8).
        fsync (bool): Flush the data to disk before the rename, so a crash right after the
            rename cannot leave an empty file under the final name. Defaults to True.

    Yields:
        The open temporary file. On an exception it is deleted and ``path`` is untouched.
    """
    if mode not in ('wb', 'w'):
        raise ValueError(f'atomic_open: mode must be "wb" or "w", got {mode!r}')
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f'.{osp.basename(path)}.', suffix='.tmp', dir=folder)
    try:
        kwargs = {} if mode == 'wb' else dict(encoding='utf-8', newline='\n')
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
            f.flush()
            if fsync:
                os.fsync(f.fileno())
        # mkstemp creates the file 0600; give the output the usual permissions (umask).
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def dump_pickle(obj: Any, path: str, fsync: bool = True) -> None:
    """Pickle ``obj`` to ``path`` atomically (highest protocol)."""
    with atomic_open(path, 'wb', fsync=fsync) as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)


def dump_json(obj: Any, path: str) -> None:
    """Write ``obj`` as indented UTF-8 JSON to ``path`` atomically."""
    with atomic_open(path, 'w') as f:
        json.dump(obj, f, indent=1, ensure_ascii=False)
        f.write('\n')
