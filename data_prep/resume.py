"""A per-file result cache next to the output, so an interrupted run resumes where it stopped.

Each finished input file leaves one small pickle (a *shard*) in ``<output>.parts/``, written
atomically. A shard records the input's size and modification time; a later run with the same
settings takes the shard instead of parsing the file again, and parses it again if the file
changed. Files that failed are never cached: they are parsed (and reported) again on every run.
The folder is removed once the final pickle has been written, unless asked to keep it.

Shards hold plain data (dicts, lists, strings, numbers, numpy arrays) and are read back with the
package's restricted unpickler (:func:`sfhead_mm.utils.safe_pickle.load_pickle`): a shard cannot
execute anything. Temporary files of shards a killed run was writing are removed when the folder
is opened again.
"""
import hashlib
import json
import os
import os.path as osp
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
        else:
            self._remove_temporaries()

    def _remove_temporaries(self) -> None:
        """Hidden ``.<shard>.<random>.tmp.pkl`` files a killed run left half-written."""
        for name in os.listdir(self.root):
            if name.startswith('.') and '.tmp.' in name:
                try:
                    os.unlink(osp.join(self.root, name))
                except OSError:
                    pass

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
        from sfhead_mm.utils.safe_pickle import load_pickle
        path = self._path(key)
        if not osp.isfile(path):
            return None
        try:
            entry = load_pickle(path)
        except Exception:  # a damaged (or foreign) shard is recomputed, never trusted
            return None
        if not isinstance(entry, dict) or entry.get('key') != key \
                or tuple(entry.get('fingerprint', ())) != tuple(fp):
            return None
        try:
            return _result_from_data(entry['result'])
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, key: str, fp: Fingerprint, result: Any) -> None:
        """Cache ``result`` for ``key`` (atomically; no fsync, a lost shard is just redone)."""
        write_pickle(self._path(key), dict(key=key, fingerprint=tuple(fp),
                                           result=_result_to_data(result)), fsync=False)

    def __len__(self) -> int:
        return sum(1 for n in os.listdir(self.root)
                   if n.endswith('.pkl') and not n.startswith('.'))

    def remove(self) -> None:
        """Delete the whole folder (after the final output has been written)."""
        shutil.rmtree(self.root, ignore_errors=True)


def _result_to_data(result) -> dict:
    """A :class:`~data_prep.runner.FileResult` as plain data (what the safe unpickler reads)."""
    return dict(samples=list(result.samples), errors=[e.to_dict() for e in result.errors],
                notes=list(result.notes))


def _result_from_data(data: dict):
    from sfhead_mm.formats.errors import ErrorRecord

    from .runner import FileResult
    return FileResult(samples=list(data['samples']),
                      errors=[ErrorRecord.from_dict(e) for e in data['errors']],
                      notes=list(data['notes']))
