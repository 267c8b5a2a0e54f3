"""Data files shipped with the package: class names and the NTU RGB+D sample lists.

* ``ntu120_classes.txt``: the 120 NTU RGB+D action names in label order (the first 60 are NTU-60).
* ``nwucla_classes.txt``: the 10 NW-UCLA action names in label order (a01-a06, a08, a09, a11, a12).
* ``ntu60_missing_skeletons.txt`` / ``ntu120_missing_skeletons.txt``: the dataset authors' lists of
  the 302 / 535 samples whose skeletons are missing or unusable (the 535 include the 302), as
  distributed with the NTU RGB+D release and MMAction2's ``tools/data/skeleton``.
* ``ntu_setup_performers.txt``: which performers were recorded in each setup (the official sample
  list is every such pair x 3 cameras x 2 replications x the setup's 60 actions).

Declared as package data in ``pyproject.toml``, so they are in every install.
"""
import os.path as osp
from typing import List

ROOT = osp.dirname(osp.abspath(__file__))
#: Built-in class-name lists: name -> (file, how many of its lines).
CLASS_LISTS = {'ntu60': ('ntu120_classes.txt', 60), 'ntu120': ('ntu120_classes.txt', 120),
               'nwucla': ('nwucla_classes.txt', 10)}


def resource_path(name: str) -> str:
    """Absolute path of a shipped data file."""
    path = osp.join(ROOT, name)
    if not osp.isfile(path):
        raise FileNotFoundError(f'sfhead_mm.formats resource {name!r} not found at {path}')
    return path


def read_lines(name: str) -> List[str]:
    """Non-empty lines of a shipped text file, without ``#`` comment lines."""
    with open(resource_path(name), encoding='utf-8') as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.lstrip().startswith('#')]


def class_names(dataset: str) -> List[str]:
    """Action names in label order: ``'ntu60'`` (60), ``'ntu120'`` (120), ``'nwucla'`` (10)."""
    if dataset not in CLASS_LISTS:
        raise KeyError(f'no built-in class names for {dataset!r}; choose one of '
                       f'{sorted(CLASS_LISTS)}')
    name, count = CLASS_LISTS[dataset]
    return read_lines(name)[:count]
