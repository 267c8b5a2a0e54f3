"""Write files atomically: a temporary file in the target's folder, then one ``os.replace``.

An interrupted run (Ctrl-C, a killed job, a full disk) must never leave a truncated file under the
final name, where it would look finished (a pickle, a checkpoint, a report). Readers see either the
old file or the complete new one. Every writer of the package and of ``data_prep`` goes through
this module.
"""
import contextlib
import json
import os
import os.path as osp
import pickle
import tempfile
from typing import IO, Any, Iterator


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yield a temporary path next to ``path``; it replaces ``path`` if the block succeeds.

    The folder of ``path`` is created if needed. On an exception the temporary file is removed
    and ``path`` is untouched.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    # the temporary name ends with the target's extension: writers that infer the format from
    # the name (mmengine's Config.dump, matplotlib's savefig) see the same one
    fd, tmp = tempfile.mkstemp(prefix=f'.{osp.basename(path)}.',
                               suffix='.tmp' + osp.splitext(path)[1], dir=folder)
    os.close(fd)
    try:
        yield tmp
        # mkstemp makes the file private (0600); give it the permissions a plain open() would
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


@contextlib.contextmanager
def atomic_open(path: str, mode: str = 'wb', fsync: bool = True) -> Iterator[IO]:
    """Open a temporary file that replaces ``path`` when the block ends without error.

    Args:
        path (str): Final file name.
        mode (str): ``'wb'`` or ``'w'`` (text, UTF-8).
        fsync (bool): Flush the data to disk before the rename, so that a crash right after the
            rename cannot leave an empty file under the final name. Defaults to True.
    """
    if mode not in ('wb', 'w'):
        raise ValueError(f'atomic_open: mode must be "wb" or "w", got {mode!r}')
    kwargs = {} if mode == 'wb' else dict(encoding='utf-8', newline='\n')
    with atomic_path(path) as tmp:
        with open(tmp, mode, **kwargs) as f:
            yield f
            f.flush()
            if fsync:
                os.fsync(f.fileno())


def write_json(path: str, obj: Any, fsync: bool = True) -> str:
    """Dump ``obj`` as indented UTF-8 JSON (``allow_nan=False``: a nan must already be ``None``)."""
    with atomic_open(path, 'w', fsync=fsync) as f:
        json.dump(obj, f, indent=1, allow_nan=False, ensure_ascii=False)
        f.write('\n')
    return path


def write_text(path: str, text: str) -> str:
    with atomic_open(path, 'w') as f:
        f.write(text)
    return path


def write_pickle(path: str, obj: Any, fsync: bool = True) -> str:
    """Pickle ``obj`` (highest protocol)."""
    with atomic_open(path, 'wb', fsync=fsync) as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def save_figure(fig, path: str, **kwargs) -> str:
    """``fig.savefig`` through a temporary file (the format is taken from ``path``)."""
    fmt = osp.splitext(path)[1].lstrip('.').lower() or 'png'
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, **kwargs)
    return path


def stale_temporaries(path: str) -> list:
    """Temporary files :func:`atomic_path` left next to ``path`` (a process killed mid-write).

    They are named ``.<name>.<random>.tmp<ext>``; only a ``kill -9`` or a power cut leaves one
    (every other failure removes it).
    """
    folder = osp.dirname(osp.abspath(path))
    prefix = f'.{osp.basename(path)}.'
    suffix = '.tmp' + osp.splitext(path)[1]
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(osp.join(folder, n) for n in names
                  if n.startswith(prefix) and n.endswith(suffix) and len(n) > len(prefix)
                  + len(suffix))


def remove_stale_temporaries(path: str) -> list:
    """Delete :func:`stale_temporaries` of ``path``; returns the paths removed.

    Call it before writing ``path`` again, from the only process that writes it.
    """
    removed = []
    for tmp in stale_temporaries(path):
        try:
            os.remove(tmp)
            removed.append(tmp)
        except OSError:
            pass
    return removed
