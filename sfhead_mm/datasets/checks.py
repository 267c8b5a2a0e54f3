"""Checking annotation pickles against a config before training, one readable line per problem.

What a wrong pickle does otherwise: a 0.x list fails inside ``PoseDataset`` with ``list indices
must be integers`` (mmaction2 #2800, #2290), a missing split with a bare ``KeyError``, and a joint
count, 2D/3D or label mismatch only at the first step, as a BatchNorm ``running_mean`` size error
or a CUDA assert (mmaction2 #1438, #2059, #2141). Here every loader of a config (``train``,
``val``, ``test``) is checked against what the model and the pipeline expect:

* the file: a ``{'split', 'annotations'}`` dict (or, with ``split=None``, a list of samples), the
  split name present, every name it lists annotated;
* every sample: ``frame_dir``, ``keypoint`` ``(M, T, V, C)``, ``total_frames == T``, ``V`` of the
  layout, ``C`` that gives the backbone's ``in_channels`` with the pipeline's ``GenSkeFeat``
  streams (and ``keypoint_score``), finite values, ``label`` in ``0..num_classes-1``, unique names;
* a dry run of the loader's pipeline on one sample: the model input's ``V`` and ``C``.

Used by ``tools/check_data.py`` (files loaded here) and :class:`CheckDataHook` (datasets already
built by the runner, so nothing is loaded twice).
"""
import copy
import inspect
import io
import itertools
import os.path as osp
import pickle
import pickletools
import random
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import torch

from ..skeleton import SkeletonLayout
from ..skeleton.config import dataset_pipelines, layout_of_config

LOADERS = ('train', 'val', 'test')
CONVERTER = 'tools/convert_old_pickle.py'


class DataCheckError(ValueError):
    """The data does not fit the config; the message is the full report."""


@dataclass(frozen=True)
class DataProblem:
    """One problem, in one sample (or one file) and one key.

    Args:
        where (str): The loader(s) and file, e.g. ``"train (data/x.pkl, split 'xsub_train')"``.
        key (str): The annotation or config key concerned.
        message (str): What is wrong and, where it helps, what to change.
        sample (str, optional): The sample's ``frame_dir``; None for file-level problems.
        kind (str): Problems of one kind are summarised together.
    """

    where: str
    key: str
    message: str
    sample: Optional[str] = None
    kind: str = ''

    def __str__(self) -> str:
        sample = f'sample {self.sample!r}, ' if self.sample is not None else ''
        return f'[{self.where}] {sample}key {self.key!r}: {self.message}'


@dataclass
class DataExpectation:
    """What the model and a pipeline expect of every sample.

    Args:
        layout (SkeletonLayout, optional): The layout (``V``); None when the config names none.
        layout_key (str, optional): The config key the layout was read from.
        in_channels (int, optional): The backbone's input channels.
        in_channels_key (str): Where ``in_channels`` came from.
        streams (tuple[str]): ``GenSkeFeat`` feats (each stream repeats the channels).
        num_classes (int, optional): Labels must lie in ``0..num_classes-1``.
    """

    layout: Optional[SkeletonLayout] = None
    layout_key: Optional[str] = None
    in_channels: Optional[int] = None
    in_channels_key: str = 'model.backbone.in_channels'
    streams: Tuple[str, ...] = ('j', )
    num_classes: Optional[int] = None

    @property
    def num_joints(self) -> Optional[int]:
        return None if self.layout is None else self.layout.num_joints

    def channels_of(self, c: int, has_score: bool) -> int:
        """Model-input channels a sample with ``C = c`` (and a score or not) ends up with."""
        return len(self.streams) * (c + int(has_score))

    def describe(self) -> str:
        parts = []
        if self.layout is not None:
            parts.append(f'layout {self.layout.name!r} ({self.layout.num_joints} joints, '
                         f'from {self.layout_key})')
        if self.in_channels is not None:
            parts.append(f'in_channels {self.in_channels} ({self.in_channels_key}) = '
                         f'{len(self.streams)} stream(s) {list(self.streams)} x C')
        if self.num_classes is not None:
            parts.append(f'{self.num_classes} classes')
        return ', '.join(parts) or 'nothing to compare with'


@dataclass
class DataReport:
    """Problems found, and what was checked."""

    problems: List[DataProblem] = field(default_factory=list)
    checked: List[str] = field(default_factory=list)
    num_samples: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def extend(self, problems: Iterable[DataProblem]) -> None:
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
        groups: 'OrderedDict[Tuple[str, str], List[DataProblem]]' = OrderedDict()
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
def _model_default(type_name: Optional[str], arg: str):
    """Default of ``arg`` in the constructor of the registered model ``type_name``."""
    if not type_name:
        return None
    from mmaction.registry import MODELS
    try:
        cls = MODELS.get(type_name)
        return inspect.signature(cls.__init__).parameters[arg].default
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _streams(pipeline: Sequence) -> Tuple[str, ...]:
    for step in pipeline or ():
        if isinstance(step, Mapping) and step.get('type') == 'GenSkeFeat':
            return tuple(step.get('feats', ('j', )))
    return ('j', )


def expectation_of(cfg, pipeline: Optional[Sequence] = None) -> DataExpectation:
    """What a config's model (and one of its pipelines) expect of the data.

    Args:
        cfg (mmengine.Config | dict): The config.
        pipeline (Sequence[dict], optional): The loader's pipeline (for its streams).

    Raises:
        KeyError: The config names a layout that is not registered.
    """
    layout, layout_key = layout_of_config(cfg)
    model = cfg.get('model', None) or {}
    backbone = model.get('backbone', None) or {}
    in_channels, key = backbone.get('in_channels', None), 'model.backbone.in_channels'
    if in_channels is None:
        in_channels = _model_default(backbone.get('type'), 'in_channels')
        key = f'the default in_channels of {backbone.get("type")}'
    if in_channels is inspect.Parameter.empty:
        in_channels = None
    head = model.get('cls_head', None) or {}
    return DataExpectation(layout=layout, layout_key=layout_key, in_channels=in_channels,
                           in_channels_key=key, streams=_streams(pipeline),
                           num_classes=head.get('num_classes', None))


@dataclass
class LoaderData:
    """One leaf dataset of a config's loaders (``test`` often repeats ``val``)."""

    names: List[str]
    ann_file: Optional[str]
    split: Optional[str]
    pipeline: list
    dataset_cfg: Mapping

    @property
    def where(self) -> str:
        split = f', split {self.split!r}' if self.split is not None else ''
        return f'{"/".join(self.names)} ({self.ann_file}{split})'


def _leaf_datasets(dataset_cfg) -> List[Mapping]:
    leaves, stack = [], [dataset_cfg]
    while stack:
        ds = stack.pop(0)
        if not isinstance(ds, Mapping):
            continue
        if ds.get('dataset') is not None:
            stack.append(ds['dataset'])
        elif ds.get('datasets'):
            stack.extend(ds['datasets'])
        else:
            leaves.append(ds)
    return leaves


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
    for name in names:
        loader = cfg.get(f'{name}_dataloader', None)
        if not isinstance(loader, Mapping):
            continue
        for leaf in _leaf_datasets(loader.get('dataset')):
            pipeline = list(leaf.get('pipeline', None) or [])
            ann_file, split = resolve_ann_file(leaf), leaf.get('split', None)
            for other in found:
                if (other.ann_file, other.split, other.pipeline) == (ann_file, split, pipeline):
                    other.names.append(name)
                    break
            else:
                found.append(LoaderData([name], ann_file, split, pipeline, leaf))
    return found


# ------------------------------------------------------------------------------- file side
def sniff_pickle_container(path: str) -> Optional[str]:
    """``'list'`` or ``'dict'``: the top-level container of a pickle, read from its first bytes.

    Lets a run refuse MMAction2 0.x's list format at once, without loading a file of gigabytes.
    None when the file cannot be read or starts otherwise.
    """
    try:
        with open(path, 'rb') as f:
            head = f.read(64)
        ops = [op.name for op, _, _ in itertools.islice(
            pickletools.genops(io.BytesIO(head)), 4)]
    except Exception:  # a truncated head still tells its first opcodes; garbage tells nothing
        return None
    ops = [o for o in ops if o not in ('PROTO', 'FRAME', 'MARK')]
    if not ops:
        return None
    return {'EMPTY_LIST': 'list', 'LIST': 'list', 'EMPTY_DICT': 'dict',
            'DICT': 'dict'}.get(ops[0])


def old_format_message(ann_file: str) -> str:
    """Why a 0.x list pickle does not load under a config that names a split."""
    return (f'{ann_file} is in MMAction2 0.x\'s format (a list of samples, one file per '
            f'split); MMAction2 1.x\'s PoseDataset needs {{"split": ..., "annotations": ...}} '
            f'(it fails with "list indices must be integers")')


def conversion_command(pairs: Sequence[Tuple[str, str]]) -> str:
    """The ``tools/convert_old_pickle.py`` command merging ``(split, file)`` 0.x pickles."""
    pairs = list(dict.fromkeys(pairs))
    out = osp.join(osp.dirname(pairs[0][1]), 'converted_1x.pkl')
    args = ' '.join(f'{split or "SPLIT"}={path}' for split, path in pairs)
    return (f'convert with: python {CONVERTER} {args} --out {out} (add the dataset\'s other '
            f'split files as NAME=FILE), then set every ann_file to {out}')


def load_annotation_file(path: str):
    """Load a pickle with readable errors (``DataCheckError`` naming the file)."""
    if '://' in str(path):  # a storage backend of mmengine (s3://, petrel://, http://)
        import mmengine
        try:
            return mmengine.load(path, file_format='pkl')
        except Exception as err:
            raise DataCheckError(f'{path}: cannot be read ({type(err).__name__}: {err})') from None
    if not osp.isfile(path):
        raise DataCheckError(f'{path}: annotation file not found')
    try:
        with open(path, 'rb') as f:
            return pickle.load(f)
    except Exception as err:  # truncated downloads, wrong files, missing classes
        raise DataCheckError(f'{path}: cannot be read as a pickle ({type(err).__name__}: '
                             f'{err})') from None


def select_split(data, ann_file: str, split: Optional[str], where: str
                 ) -> Tuple[Optional[list], List[DataProblem]]:
    """The annotations a ``PoseDataset(ann_file, split)`` would use, or the file's problems."""

    def problem(key, message, kind='file'):
        return [DataProblem(where, key, message, kind=kind)]

    if isinstance(data, list):
        if split is not None:
            return None, problem('split', old_format_message(ann_file), 'format')
        return data, []
    if not isinstance(data, Mapping):
        return None, problem('<file>', f'holds a {type(data).__name__}; expected a dict '
                                       f'{{"split", "annotations"}}')
    if 'keypoint' in data:
        return None, problem('<file>', 'holds a single sample (a dict with "keypoint"), not a '
                                       'dataset; wrap it as {"split": {NAME: [frame_dir]}, '
                                       '"annotations": [sample]}')
    if 'annotations' not in data:
        return None, problem('annotations', f'missing; the file has keys {sorted(data)[:10]}')
    annotations = data['annotations']
    if not isinstance(annotations, list):
        return None, problem('annotations', f'is a {type(annotations).__name__}, expected a '
                                            f'list of samples')
    if split is None:
        return None, problem('split', 'the config gives no dataset.split, so PoseDataset would '
                                      'use the whole dict as its sample list; set split to one '
                                      f'of {sorted(data.get("split", {}))}')
    if 'split' not in data:
        return None, problem('split', f'missing from the file, but the config asks for split '
                                      f'{split!r}')
    splits = data['split']
    if not isinstance(splits, Mapping) or split not in splits:
        names = sorted(splits) if isinstance(splits, Mapping) else type(splits).__name__
        return None, problem('split', f'no split named {split!r}; the file has {names}')
    wanted = list(splits[split])
    if not wanted:
        return None, problem('split', f'split {split!r} is empty')
    by_name = {}
    for ann in annotations:
        if isinstance(ann, Mapping):
            by_name.setdefault(ann.get('frame_dir', ann.get('filename')), ann)
    missing = [n for n in wanted if n not in by_name]
    problems = []
    if missing:
        problems = problem('split', f'{len(missing):,} of the {len(wanted):,} names of split '
                                    f'{split!r} have no annotation, e.g. {missing[:3]}')
    # PoseDataset keeps annotations in file order (and keeps duplicates): do the same.
    wanted_set = set(wanted)
    return [a for a in annotations if isinstance(a, Mapping)
            and a.get('frame_dir', a.get('filename')) in wanted_set], problems


# ----------------------------------------------------------------------------- sample side
def _check_sample(ann, index: int, expect: DataExpectation, where: str
                  ) -> Tuple[Optional[str], List[DataProblem]]:
    """Problems of one annotation; returns ``(name, problems)``."""
    if not isinstance(ann, Mapping):
        return None, [DataProblem(where, '<sample>', f'sample #{index} is a '
                                  f'{type(ann).__name__}, not a dict', f'#{index}', 'type')]
    name = ann.get('frame_dir', ann.get('filename'))
    shown = str(name) if name is not None else f'#{index}'
    out: List[DataProblem] = []

    def add(key, message, kind=None):
        out.append(DataProblem(where, key, message, shown, kind or key))

    if name is None:
        add('frame_dir', 'missing (every sample needs a unique frame_dir)')
    kp = ann.get('keypoint', None)
    if kp is None:
        add('keypoint', 'missing')
        return name, out
    if not isinstance(kp, np.ndarray) or kp.ndim != 4:
        shape = getattr(kp, 'shape', type(kp).__name__)
        add('keypoint', f'has shape {shape}; expected a 4-d array (M persons, T frames, '
                        f'V joints, C coordinates)', 'keypoint-shape')
        return name, out
    M, T, V, C = kp.shape
    if M == 0 or T == 0:
        add('keypoint', f'is empty, shape {kp.shape}', 'keypoint-empty')
    total = ann.get('total_frames', None)
    if total is None:
        add('total_frames', f'missing (keypoint has {T} frames)')
    elif total != T:
        add('total_frames', f'total_frames={total} but keypoint has T={T} frames '
                            f'(keypoint.shape[1]); UniformSampleFrames asserts they agree')
    if expect.num_joints is not None and V != expect.num_joints:
        add('keypoint', f'V={V} joints (shape {kp.shape}) but the layout '
                        f'{expect.layout.name!r} ({expect.layout_key}) has '
                        f'{expect.num_joints}', 'joints')
    score = ann.get('keypoint_score', None)
    if score is not None and getattr(score, 'shape', None) != (M, T, V):
        add('keypoint_score', f'has shape {getattr(score, "shape", None)}; expected (M, T, V) = '
                              f'{(M, T, V)}')
    if expect.in_channels is not None:
        got = expect.channels_of(C, score is not None)
        if got != expect.in_channels:
            dims = {2: '2D', 3: '3D'}.get(C, f'{C}-channel')
            with_score = ' + keypoint_score' if score is not None else ''
            add('keypoint', f'C={C} ({dims}{with_score}) gives {got} input channels with '
                            f'{len(expect.streams)} stream(s) {list(expect.streams)}, but '
                            f'{expect.in_channels_key} = {expect.in_channels}', 'channels')
    if kp.dtype.kind == 'f' and not np.isfinite(kp).all():
        bad = np.argwhere(~np.isfinite(kp))[0].tolist()
        add('keypoint', f'holds NaN or inf (first at index {bad})', 'finite')
    label = ann.get('label', None)
    if label is None:
        add('label', 'missing')
    elif not isinstance(label, (int, np.integer)) or isinstance(label, bool):
        add('label', f'is {label!r} ({type(label).__name__}); expected a 0-based class index')
    elif expect.num_classes is not None and not 0 <= int(label) < expect.num_classes:
        add('label', f'label {int(label)} outside 0..{expect.num_classes - 1} '
                     f'(model.cls_head.num_classes={expect.num_classes}; labels are 0-based)')
    return name, out


def check_samples(samples: Iterable, expect: DataExpectation, where: str
                  ) -> Tuple[List[DataProblem], int, Optional[int]]:
    """Check every sample.

    Returns:
        tuple: problems, number of samples, index of the first sample without problems.
    """
    problems: List[DataProblem] = []
    names: Counter = Counter()
    first_good, n = None, 0
    for n, ann in enumerate(samples, 1):
        name, found = _check_sample(ann, n - 1, expect, where)
        if name is not None:
            names[name] += 1
        problems.extend(found)
        if not found and first_good is None:
            first_good = n - 1
    for name, count in names.items():
        if count > 1:
            problems.append(DataProblem(where, 'frame_dir', f'{count} samples share this name',
                                        str(name), 'duplicate'))
    return problems, n, first_good


def dry_run(transforms: Sequence, sample: Mapping, expect: DataExpectation, where: str
            ) -> List[DataProblem]:
    """Run a pipeline on one sample and compare the model input with the model.

    Args:
        transforms (Sequence[callable]): Built transforms, in order.
        sample (Mapping): One annotation (copied, not changed).
        expect (DataExpectation): What the model expects.
        where (str): The loader, for the messages.
    """
    name = str(sample.get('frame_dir', sample.get('filename', '#0')))
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
                return [DataProblem(where, 'pipeline', f'{step} fails on this sample: '
                                    f'{type(err).__name__}: {err}', name, 'pipeline')]
            if results is None:
                return [DataProblem(where, 'pipeline', f'{step} dropped the sample (returned '
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
    if expect.num_joints is not None and V != expect.num_joints:
        problems.append(DataProblem(where, 'pipeline', f'the model input {shape} has V={V} '
                                    f'joints but the layout {expect.layout.name!r} has '
                                    f'{expect.num_joints}', name, 'pipeline-joints'))
    if expect.in_channels is not None and C != expect.in_channels:
        problems.append(DataProblem(where, 'pipeline', f'the model input {shape} has C={C} '
                                    f'channels but {expect.in_channels_key} = '
                                    f'{expect.in_channels}', name, 'pipeline-channels'))
    return problems


# ---------------------------------------------------------------------------- the checks
def _build_transforms(pipeline: Sequence) -> list:
    from mmengine.dataset import Compose
    return list(Compose(list(pipeline)).transforms)


def check_config_data(cfg, loaders: Sequence[str] = LOADERS, run_pipeline: bool = True
                      ) -> DataReport:
    """Check the annotation files of a config's loaders against its model and pipelines.

    Each distinct file is loaded once. Nothing is written.

    Args:
        cfg (mmengine.Config): The loaded config.
        loaders (Sequence[str]): Which of ``train``, ``val``, ``test`` to check.
        run_pipeline (bool): Dry-run each loader's pipeline on its first good sample.

    Returns:
        DataReport: Problems (empty when all is well) and what was checked.
    """
    report = DataReport()
    cache: Dict[str, object] = {}
    for loader in loaders_of(cfg, loaders):
        where = loader.where
        try:
            expect = expectation_of(cfg, loader.pipeline)
        except KeyError as err:
            report.extend([DataProblem(where, 'layout', str(err.args[0]), kind='config')])
            continue
        if not is_pickle_path(loader.ann_file):
            report.checked.append(f'{where}: skipped (not a pickle annotation file)')
            continue
        if loader.ann_file not in cache:
            try:
                cache[loader.ann_file] = load_annotation_file(loader.ann_file)
            except DataCheckError as err:
                cache[loader.ann_file] = err
        data = cache[loader.ann_file]
        if isinstance(data, DataCheckError):
            report.extend([DataProblem(where, 'ann_file', str(data), kind='file')])
            continue
        samples, problems = select_split(data, loader.ann_file, loader.split, where)
        report.extend(problems)
        if samples is None:
            continue
        report.extend(_check_dataset_samples(samples, expect, where, loader.pipeline,
                                             run_pipeline, report))
    old = [(loader.split, loader.ann_file) for loader in loaders_of(cfg, loaders)
           if isinstance(cache.get(loader.ann_file), list) and loader.split is not None]
    if old:
        report.extend([DataProblem('all loaders', 'ann_file', conversion_command(old),
                                   kind='format')])
    return report


def _check_dataset_samples(samples: Sequence, expect: DataExpectation, where: str,
                           pipeline, run_pipeline: bool, report: DataReport
                           ) -> List[DataProblem]:
    problems, n, first_good = check_samples(samples, expect, where)
    report.num_samples += n
    report.checked.append(f'{where}: {n:,} samples; expected {expect.describe()}')
    if n == 0:
        problems.append(DataProblem(where, 'split', 'no sample to train or test on', kind='file'))
    if run_pipeline and first_good is not None:
        try:
            transforms = (_build_transforms(pipeline) if isinstance(pipeline, (list, tuple))
                          else list(pipeline.transforms))
        except Exception as err:
            problems.append(DataProblem(where, 'pipeline', f'cannot be built: '
                                        f'{type(err).__name__}: {err}', kind='pipeline'))
        else:
            problems.extend(dry_run(transforms, samples[first_good], expect, where))
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
    seen = set()
    for name, dataset in datasets.items():
        for leaf in _leaf_dataset_objects(dataset):
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
            pipeline_cfg = _pipeline_cfg_of(cfg, name)
            try:
                expect = expectation_of(cfg, pipeline_cfg)
            except KeyError as err:
                report.extend([DataProblem(where, 'layout', str(err.args[0]), kind='config')])
                continue
            samples = _LazySamples(leaf)
            report.extend(_check_dataset_samples(samples, expect, where, leaf.pipeline,
                                                 run_pipeline, report))
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


def _leaf_dataset_objects(dataset) -> List[object]:
    leaves, stack = [], [dataset]
    while stack:
        ds = stack.pop(0)
        if hasattr(ds, 'datasets'):
            stack.extend(ds.datasets)
        elif hasattr(ds, 'dataset'):
            stack.append(ds.dataset)
        elif hasattr(ds, 'get_data_info'):
            leaves.append(ds)
    return leaves


def _pipeline_cfg_of(cfg, loader: str) -> list:
    loader_cfg = cfg.get(f'{loader}_dataloader', None) or {}
    for pipeline in dataset_pipelines(loader_cfg.get('dataset')):
        return list(pipeline)
    return []
