"""Write result files atomically: a temporary file in the same folder, then a rename.

A crash or a full disk mid-write leaves the previous file (if any) intact, never a truncated one.
"""
import contextlib
import json
import os
import os.path as osp
import pickle
import tempfile
from typing import Any, Iterator


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` if the block succeeds."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f'.{osp.basename(path)}.', suffix='.tmp', dir=folder)
    os.close(fd)
    try:
        yield tmp
        # mkstemp makes the file private (0600); give it the permissions a plain open() would
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def write_json(path: str, obj: Any) -> str:
    """Dump ``obj`` as indented JSON (``allow_nan=False``: a nan must already be ``None``)."""
    with atomic_path(path) as tmp:
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump(obj, f, indent=1, allow_nan=False)
            f.write('\n')
    return path


def write_text(path: str, text: str) -> str:
    with atomic_path(path) as tmp:
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(text)
    return path


def write_pickle(path: str, obj: Any) -> str:
    with atomic_path(path) as tmp:
        with open(tmp, 'wb') as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def save_figure(fig, path: str, **kwargs) -> str:
    """``fig.savefig`` through a temporary file (the format is taken from ``path``)."""
    fmt = osp.splitext(path)[1].lstrip('.').lower() or 'png'
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, **kwargs)
    return path
