"""Data files shipped with the converters: official sample lists, recording design, class names.

* ``ntu60_missing_skeletons.txt`` / ``ntu120_missing_skeletons.txt``: the dataset authors' lists of
  the 302 / 535 samples whose skeletons are missing or unusable (the 535 include the 302), as
  distributed with the NTU RGB+D release and MMAction2's ``tools/data/skeleton``.
* ``ntu_setup_performers.txt``: which performers were recorded in each setup (the official sample
  list is every such pair x 3 cameras x 2 replications x the setup's 60 actions).
* ``ntu120_classes.txt``: the 120 NTU RGB+D action names in label order (the first 60 are NTU-60).
* ``nwucla_classes.txt``: the 10 NW-UCLA action names in label order (a01-a06, a08, a09, a11, a12).
"""
import os.path as osp
from typing import List

ROOT = osp.dirname(osp.abspath(__file__))


def resource_path(name: str) -> str:
    """Absolute path of a shipped data file."""
    path = osp.join(ROOT, name)
    if not osp.isfile(path):
        raise FileNotFoundError(f'data_prep resource {name!r} not found at {path}')
    return path


def read_lines(name: str) -> List[str]:
    """Non-empty lines of a shipped text file, without ``#`` comment lines."""
    with open(resource_path(name), encoding='utf-8') as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.lstrip().startswith('#')]
