"""Check a config's data against what its model reads, one readable line per problem.

What a wrong pickle does otherwise: a 0.x list fails inside ``PoseDataset`` with ``list indices
must be integers`` (mmaction2 #2800, #2290), a missing split with a bare ``KeyError``, and a joint
count, 2D/3D or label mismatch only at the first step, as a BatchNorm ``running_mean`` size error
or a CUDA assert (mmaction2 #1438, #2059, #2141). Here every loader of a config (``train``,
``val``, ``test``) is checked against the config's :class:`~.input_spec.InputSpec`:

* the file and every sample, by the format's owner :mod:`sfhead_mm.formats.annotation`
  (split present, names annotated, ``(M, T, V, C)`` with ``T == total_frames``, ``V`` of the
  layout, ``C`` giving ``in_channels`` with the loader's ``GenSkeFeat`` streams, finite values,
  labels inside ``num_classes``, unique names);
* a dry run of the loader's pipeline on its first good sample: the model input's ``V`` and ``C``.

This is the module's one job. The format lives in ``formats/annotation.py``, the input spec in
``input_spec.py``, the walker of dataset wrappers in ``skeleton/config.py``. Used by
``tools/check_data.py`` (files loaded here) and :class:`CheckDataHook` (datasets the runner has
already built, so nothing is loaded twice).
"""
import copy
import os.path as osp
import random
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from ..formats import annotation
from ..formats.annotation import AnnotationError, Problem, SampleRules
from ..skeleton.config import leaf_dataset_items, loader_dataset_items
from .input_spec import InputSpec, input_spec_of

LOADERS = ('train', 'val', 'test')


class DataCheckError(ValueError):
    """The data does not fit the config; the message is the full report."""


@dataclass
class DataReport:
    """Problems found, and what was checked."""

    problems: List[Problem] = field(default_factory=list)
    checked: List[str] = field(default_factory=list)
    num_samples: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def format(self, max_per_kind: int = 5) -> str:
        """The report: one line per problem, at most ``max_per_kind`` of each kind.

        Args:
            max_per_kind (int): Lines shown per kind of problem (and loader); the rest are
                counted in one summary line. ``0`` or less shows every line.
        """
        lines = list(self.checked)
        if self.ok:
            lines.append(f'OK: {self.num_samples} samples, no problem found.')
            return '\n'.join(lines)
        samples = {(p.where, p.sample) for p in self.problems if p.sample is not None}
        lines.append(f'FAILED: {len(self.problems)} problem(s)'
                     + (f' in {len(samples)} sample(s)' if samples else '') + ':')
        groups: 'OrderedDict[Tuple[str, str], List[Problem]]' = OrderedDict()
        for p in self.problems:
            groups.setdefault((p.where, p.kind or p.key), []).append(p)
        for (where, kind), items in groups.items():
            shown = items if max_per_kind <= 0 else items[:max_per_kind]
            lines.extend(str(p) for p in shown)
            if len(items) > len(shown):
                lines.append(f'[{where}] ... and {len(items) - len(shown):,} more sample(s) '
                             f'with the same problem ({kind})')
        return '\n'.join(lines)


# ----------------------------------------------------------------------------- config side
@dataclass
class LoaderData:
    """One leaf dataset of a config's loaders (``test`` often repeats ``val``)."""

    names: List[str]
    ann_file: Optional[str]
    split: Optional[str]
    pipeline: list
    dataset_cfg: Mapping
    key: str = ''

    @property
    def where(self) -> str:
        split = f', split {self.split!r}' if self.split is not None else ''
        return f'{"/".join(self.names)} ({self.ann_file}{split})'


def resolve_ann_file(dataset_cfg: Mapping) -> Optional[str]:
    """``ann_file`` as the dataset will open it (relative paths join ``data_root``)."""
    ann_file = dataset_cfg.get('ann_file', None)
    data_root = dataset_cfg.get('data_root', None)
    if ann_file and data_root and not osp.isabs(ann_file) and '://' not in str(ann_file):
        return osp.join(data_root, ann_file)
    return ann_file


def is_pickle_path(path) -> bool:
    return bool(path) and str(path).endswith(('.pkl', '.pickle'))


def loaders_of(cfg, names: Sequence[str] = LOADERS) -> List[LoaderData]:
    """The leaf datasets of ``<name>_dataloader`` for each name, identical ones merged."""
    found: List[LoaderData] = []
    for name, key, leaf in loader_dataset_items(cfg, names):
        pipeline = list(leaf.get('pipeline', None) or [])
        ann_file, split = resolve_ann_file(leaf), leaf.get('split', None)
        for other in found:
            if (other.ann_file, other.split, other.pipeline) == (ann_file, split, pipeline):
                other.names.append(name)
                break
        else:
            found.append(LoaderData([name], ann_file, split, pipeline, leaf, key))
    return found


# ------------------------------------------------------------------------------- dry run
def dry_run(transforms: Sequence, sample: Mapping, spec: InputSpec, where: str
            ) -> List[Problem]:
    """Run a pipeline on one sample and compare the model input with the model.

    Args:
        transforms (Sequence[callable]): Built transforms, in order.
        sample (Mapping): One annotation (copied, not changed).
        spec (InputSpec): What the model reads.
        where (str): The loader, for the messages.
    """
    import torch
    name = str(annotation.sample_name(sample, '#0'))
    results = copy.deepcopy(dict(sample))
    results.setdefault('modality', 'Pose')
    results.setdefault('start_index', 0)
    # The pipeline draws from (and UniformSampleFrames reseeds) the global generators; a check
    # must not change what the run draws afterwards.
    states = (np.random.get_state(), random.getstate(), torch.random.get_rng_state())
    try:
        for t in transforms:
            step = type(t).__name__
            try:
                results = t(results)
            except Exception as err:
                return [Problem(where, 'pipeline', f'{step} fails on this sample: '
                                f'{type(err).__name__}: {err}', name, 'pipeline')]
            if results is None:
                return [Problem(where, 'pipeline', f'{step} dropped the sample (returned '
                                f'None)', name, 'pipeline')]
    finally:
        np.random.set_state(states[0])
        random.setstate(states[1])
        torch.random.set_rng_state(states[2])
    inputs = results.get('inputs', results.get('keypoint'))
    shape = tuple(getattr(inputs, 'shape', ()))
    if len(shape) < 2:
        return []
    problems = []
    V, C = shape[-2], shape[-1]
    if spec.num_joints is not None and V != spec.num_joints:
        problems.append(Problem(where, 'pipeline', f'the model input {shape} has V={V} '
                                f'joints but the layout {spec.layout.name!r} has '
                                f'{spec.num_joints}', name, 'pipeline-joints'))
    if spec.in_channels is not None and C != spec.in_channels:
        problems.append(Problem(where, 'pipeline', f'the model input {shape} has C={C} '
                                f'channels but {spec.in_channels_key} = '
                                f'{spec.in_channels}', name, 'pipeline-channels'))
    return problems


def _build_transforms(pipeline: Sequence) -> list:
    from mmengine.dataset import Compose
    return list(Compose(list(pipeline)).transforms)


# ---------------------------------------------------------------------------- the checks
def check_config_data(cfg, loaders: Sequence[str] = LOADERS, run_pipeline: bool = True
                      ) -> DataReport:
    """Check the annotation files of a config's loaders against its :class:`InputSpec`.

    Each distinct file is loaded once (with the restricted unpickler). Nothing is written.

    Args:
        cfg (mmengine.Config): The loaded config.
        loaders (Sequence[str]): Which of ``train``, ``val``, ``test`` to check.
        run_pipeline (bool): Dry-run each loader's pipeline on its first good sample.

    Returns:
        DataReport: Problems (empty when all is well) and what was checked.
    """
    report = DataReport()
    try:
        spec = input_spec_of(cfg)
    except KeyError as err:
        report.extend([Problem('config', 'layout', str(err.args[0]), kind='config')])
        return report
    cache: Dict[str, object] = {}
    old = []
    for loader in loaders_of(cfg, loaders):
        where = loader.where
        if not is_pickle_path(loader.ann_file):
            report.checked.append(f'{where}: skipped (not a pickle annotation file)')
            continue
        if loader.ann_file not in cache:
            try:
                cache[loader.ann_file] = annotation.read_annotation_file(loader.ann_file)
            except AnnotationError as err:
                cache[loader.ann_file] = err
        data = cache[loader.ann_file]
        if isinstance(data, AnnotationError):
            report.extend([Problem(where, 'ann_file', str(data), kind='file')])
            continue
        if annotation.is_old_format(data) and loader.split is not None:
            old.append((loader.split, loader.ann_file))
        samples, problems = annotation.select_split(data, loader.split, loader.ann_file, where)
        report.extend(problems)
        if samples is None:
            continue
        report.extend(_check_dataset_samples(samples, spec, where, loader.pipeline,
                                             run_pipeline, report))
    if old:
        report.extend([Problem('all loaders', 'ann_file', annotation.conversion_command(old),
                               kind='format')])
    return report


def _check_dataset_samples(samples: Sequence, spec: InputSpec, where: str, pipeline,
                           run_pipeline: bool, report: DataReport) -> List[Problem]:
    pipeline_cfg = pipeline if isinstance(pipeline, (list, tuple)) else None
    rules: SampleRules = spec.sample_rules(pipeline_cfg)
    problems, n, first_good = annotation.check_samples(samples, rules, where)
    report.num_samples += n
    report.checked.append(f'{where}: {n:,} samples; expected {spec.describe(rules.streams)}')
    if n == 0:
        problems.append(Problem(where, 'split', 'no sample to train or test on', kind='file'))
    if run_pipeline and first_good is not None:
        try:
            transforms = (_build_transforms(pipeline) if pipeline_cfg is not None
                          else list(pipeline.transforms))
        except Exception as err:
            problems.append(Problem(where, 'pipeline', f'cannot be built: '
                                    f'{type(err).__name__}: {err}', kind='pipeline'))
        else:
            problems.extend(dry_run(transforms, samples[first_good], spec, where))
    return problems


def check_built_datasets(cfg, datasets: Mapping[str, object], run_pipeline: bool = True
                         ) -> DataReport:
    """The same checks on datasets a runner has already built (nothing loaded again).

    Args:
        cfg (mmengine.Config): The runner's config (model side).
        datasets (Mapping[str, Dataset]): Loader name -> built dataset (wrappers allowed).
        run_pipeline (bool): Dry-run each dataset's own pipeline on its first good sample.
    """
    report = DataReport()
    try:
        spec = input_spec_of(cfg)
    except KeyError as err:
        report.extend([Problem('config', 'layout', str(err.args[0]), kind='config')])
        return report
    seen = set()
    for name, dataset in datasets.items():
        # The config's leaves of this loader, in the walker's order: the same as the built ones.
        cfg_leaves = [leaf for n, _, leaf in loader_dataset_items(cfg, (name, ))]
        for i, (_, leaf) in enumerate(leaf_dataset_items(dataset)):
            if id(leaf) in seen:
                continue
            seen.add(id(leaf))
            if not is_pickle_path(getattr(leaf, 'ann_file', None)):
                report.checked.append(f'{name}: {type(leaf).__name__} skipped (not a pickle '
                                      f'annotation file)')
                continue
            split = getattr(leaf, 'split', None)
            where = (f'{name} ({getattr(leaf, "ann_file", type(leaf).__name__)}'
                     + (f', split {split!r})' if split is not None else ')'))
            pipeline_cfg = (list(cfg_leaves[i].get('pipeline', None) or [])
                            if i < len(cfg_leaves) else [])
            rules = spec.sample_rules(pipeline_cfg)
            samples = _LazySamples(leaf)
            problems, n, first_good = annotation.check_samples(samples, rules, where)
            report.num_samples += n
            report.checked.append(f'{where}: {n:,} samples; expected '
                                  f'{spec.describe(rules.streams)}')
            if n == 0:
                problems.append(Problem(where, 'split', 'no sample to train or test on',
                                        kind='file'))
            if run_pipeline and first_good is not None:
                problems.extend(dry_run(list(leaf.pipeline.transforms), samples[first_good],
                                        spec, where))
            report.extend(problems)
    return report


class _LazySamples:
    """Sequence view of a built dataset's annotations (``get_data_info`` of each index)."""

    def __init__(self, dataset):
        self.dataset = dataset

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        if i >= len(self):
            raise IndexError(i)
        return self.dataset.get_data_info(i)
