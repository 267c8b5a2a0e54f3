"""NTU RGB+D sample names, the official sample lists and the benchmark splits.

A sample name ``SsssCcccPpppRrrrAaaa`` encodes setup, camera, performer (subject), replication
and action. The benchmarks split on these ids alone:

* NTU-60 X-Sub: the 20 training subjects of the NTU RGB+D paper; X-View: cameras 2 and 3 train,
  camera 1 tests.
* NTU-120 X-Sub: the 53 training subjects of the NTU RGB+D 120 paper; X-Set: even setup ids
  train, odd ones test.

Labels are ``action - 1``. The samples with missing skeletons (302 of NTU-60, 535 of NTU-120)
are excluded from every split, as the dataset authors ask.
"""
import functools
from dataclasses import dataclass
from typing import Dict, Iterable, List, Sequence, Tuple

# The name format belongs to the file format (inference reads labels from it too).
from sfhead_mm.formats.ntu import NAME_RE, NTUName, parse_name, sample_name_from_path  # noqa: F401
from sfhead_mm.formats.resources import class_names as _class_names
from sfhead_mm.formats.resources import read_lines

# The cross-subject training subjects of the NTU RGB+D paper (CVPR 2016).
TRAIN_SUBJECTS_60 = (1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38)
# The 53 cross-subject training subjects of the NTU RGB+D 120 paper (TPAMI 2019).
TRAIN_SUBJECTS_120 = TRAIN_SUBJECTS_60 + (
    45, 46, 47, 49, 50, 52, 53, 54, 55, 56, 57, 58, 59, 70, 74, 78, 80, 81, 82, 83, 84, 85, 86,
    89, 91, 92, 93, 94, 95, 97, 98, 100, 103)
TRAIN_CAMERAS = (2, 3)
CAMERAS = (1, 2, 3)
REPLICATIONS = (1, 2)


@dataclass(frozen=True)
class DatasetSpec:
    """One NTU benchmark family.

    Args:
        name (str): ``'ntu60'`` or ``'ntu120'``.
        setups (range): Setup ids it contains.
        actions (range): Action ids it contains.
        benchmarks (tuple[str]): Its evaluation protocols; splits are ``<benchmark>_train`` and
            ``<benchmark>_val``.
        missing_list (str): Shipped file listing its samples with missing skeletons.
    """

    name: str
    setups: range
    actions: range
    benchmarks: Sequence[str]
    missing_list: str

    @property
    def num_classes(self) -> int:
        return len(self.actions)

    @property
    def split_names(self) -> List[str]:
        return [f'{b}_{part}' for b in self.benchmarks for part in ('train', 'val')]


DATASETS: Dict[str, DatasetSpec] = {
    'ntu60': DatasetSpec('ntu60', range(1, 18), range(1, 61), ('xsub', 'xview'),
                         'ntu60_missing_skeletons.txt'),
    'ntu120': DatasetSpec('ntu120', range(1, 33), range(1, 121), ('xsub', 'xset'),
                          'ntu120_missing_skeletons.txt'),
}


def get_spec(dataset: str) -> DatasetSpec:
    if dataset not in DATASETS:
        raise KeyError(f'unknown NTU dataset {dataset!r}; choose one of {sorted(DATASETS)}')
    return DATASETS[dataset]


def in_dataset(name: NTUName, dataset: str) -> bool:
    """Whether a sample belongs to NTU-60 or NTU-120 (NTU-120 contains all of NTU-60)."""
    spec = get_spec(dataset)
    return name.setup in spec.setups and name.action in spec.actions


def setup_performers() -> Dict[int, List[int]]:
    """``setup -> performers recorded in it`` from the shipped recording-design table."""
    table = {}
    for line in read_lines('ntu_setup_performers.txt'):
        setup, performers = line.split(':')
        table[int(setup.strip()[1:])] = [int(p[1:]) for p in performers.split()]
    return table


def setup_actions(setup: int) -> range:
    """Actions recorded in a setup: NTU-60's in S001-S017, the 60 new ones in S018-S032."""
    return range(1, 61) if setup <= 17 else range(61, 121)


@functools.lru_cache(maxsize=None)
def _official_names(dataset: str) -> Tuple[str, ...]:
    spec = get_spec(dataset)
    names = []
    for setup, performers in setup_performers().items():
        if setup not in spec.setups:
            continue
        actions = [a for a in setup_actions(setup) if a in spec.actions]
        for performer in performers:
            for camera in CAMERAS:
                for rep in REPLICATIONS:
                    prefix = f'S{setup:03d}C{camera:03d}P{performer:03d}R{rep:03d}A'
                    names.extend(f'{prefix}{a:03d}' for a in actions)
    return tuple(sorted(names))


def official_names(dataset: str) -> List[str]:
    """Every sample name of the release (56,880 for NTU-60, 114,480 for NTU-120), sorted."""
    return list(_official_names(dataset))


def missing_skeletons(dataset: str) -> List[str]:
    """The dataset authors' list of samples with missing skeletons (302 / 535 names)."""
    return read_lines(get_spec(dataset).missing_list)


def is_training(name: NTUName, benchmark: str, dataset: str) -> bool:
    """Whether a sample is in the training half of a benchmark."""
    if benchmark == 'xsub':
        subjects = TRAIN_SUBJECTS_60 if dataset == 'ntu60' else TRAIN_SUBJECTS_120
        return name.performer in subjects
    if benchmark == 'xview':
        return name.camera in TRAIN_CAMERAS
    if benchmark == 'xset':
        return name.setup % 2 == 0
    raise KeyError(f'unknown NTU benchmark {benchmark!r}; use xsub, xview (ntu60) or xset '
                   f'(ntu120)')


def make_splits(names: Iterable[str], dataset: str) -> Dict[str, List[str]]:
    """MMAction2's ``split`` dict (``xsub_train``, ``xsub_val``, ...) for the given samples.

    Args:
        names (Iterable[str]): Sample names (``frame_dir``); the order is kept in each split.
        dataset (str): ``'ntu60'`` or ``'ntu120'``.

    Returns:
        dict[str, list[str]]: Split name -> sample names.
    """
    spec = get_spec(dataset)
    splits = {s: [] for s in spec.split_names}
    for name in names:
        ids = parse_name(name)
        for bench in spec.benchmarks:
            part = 'train' if is_training(ids, bench, dataset) else 'val'
            splits[f'{bench}_{part}'].append(name)
    return splits


def class_names(dataset: str) -> List[str]:
    """Action names in label order (60 or 120), from the package data of
    :mod:`sfhead_mm.formats.resources`."""
    get_spec(dataset)
    return _class_names(dataset)
