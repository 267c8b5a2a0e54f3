"""A per-file result cache next to the output, so an interrupted run resumes where it stopped.

Each finished input file leaves one small pickle (a *shard*) in ``<output>.parts/``, written
atomically. A shard records the input's size and modification time; a later run with the same
settings takes the shard instead of parsing the file again, and parses it again if the file
changed. Files that failed are never cached: they are parsed (and reported) again on every run.
The folder is removed once the final pickle has been written, unless asked to keep it.
"""
import hashlib
import json
import os
import os.path as osp
import pickle
import shutil
from typing import Any, Dict, Optional, Tuple

from sfhead_mm.utils.atomic_write import write_json, write_pickle

Fingerprint = Tuple[int, int]
SETTINGS_FILE = 'settings.json'


def fingerprint(path: str) -> Fingerprint:
    """``(size, mtime_ns)`` of a file: changes whenever the file is rewritten."""
    st = os.stat(path)
    return (int(st.st_size), int(st.st_mtime_ns))


def parts_dir_for(output: str) -> str:
    """The shard folder that belongs to an output pickle (``out.pkl`` -> ``out.pkl.parts``)."""
    return output + '.parts'


class ShardStore:
    """Cache of per-file conversion results in one folder.

    Args:
        root (str): The shard folder (see :func:`parts_dir_for`).
        settings (dict): Everything that changes a file's result (dataset, clean-up options,
            converter version). A folder written with other settings is emptied first, so a
            resumed run never mixes results of two different conversions.
    """

    def __init__(self, root: str, settings: Dict[str, Any]):
        self.root = root
        self.settings = json.loads(json.dumps(settings, sort_keys=True))
        os.makedirs(root, exist_ok=True)
        settings_path = osp.join(root, SETTINGS_FILE)
        old = None
        if osp.exists(settings_path):
            try:
                with open(settings_path, encoding='utf-8') as f:
                    old = json.load(f)
            except (OSError, ValueError):
                old = None
        self.reset = old is not None and old != self.settings
        if old != self.settings:
            self._clear()
            write_json(settings_path, self.settings)

    def _clear(self) -> None:
        for name in os.listdir(self.root):
            if name != SETTINGS_FILE:
                path = osp.join(self.root, name)
                if osp.isdir(path):
                    shutil.rmtree(path)
                else:
                    os.unlink(path)

    def _path(self, key: str) -> str:
        # Keys are sample/file names; hash anything that is not a plain file name.
        safe = key if key.replace('-', '').replace('_', '').replace('.', '').isalnum() \
            else hashlib.sha1(key.encode()).hexdigest()
        return osp.join(self.root, safe + '.pkl')

    def get(self, key: str, fp: Fingerprint) -> Optional[Any]:
        """The cached result for ``key`` if it was made from the same file, else None."""
        path = self._path(key)
        try:
            with open(path, 'rb') as f:
                entry = pickle.load(f)
        except FileNotFoundError:
            return None
        except Exception:  # a damaged shard is recomputed, never trusted
            return None
        if not isinstance(entry, dict) or entry.get('key') != key \
                or tuple(entry.get('fingerprint', ())) != tuple(fp):
            return None
        return entry['result']

    def put(self, key: str, fp: Fingerprint, result: Any) -> None:
        """Cache ``result`` for ``key`` (atomically; no fsync, a lost shard is just redone)."""
        write_pickle(self._path(key), dict(key=key, fingerprint=tuple(fp), result=result),
                     fsync=False)

    def __len__(self) -> int:
        return sum(1 for n in os.listdir(self.root) if n.endswith('.pkl'))

    def remove(self) -> None:
        """Delete the whole folder (after the final output has been written)."""
        shutil.rmtree(self.root, ignore_errors=True)
