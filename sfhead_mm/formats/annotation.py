"""MMAction2's ``PoseDataset`` annotation pickle: the one owner of the format.

The 1.x file is one pickle::

    {'split': {name: [frame_dir, ...], ...},
     'annotations': [{frame_dir, label, total_frames, keypoint (M, T, V, C)
                      [, keypoint_score (M, T, V), img_shape, original_shape, ...]}, ...]}

MMAction2 0.x wrote one *list* of samples per split; 1.x's ``PoseDataset`` fails on it with
``list indices must be integers`` (mmaction2 #2800, #2290). This module reads both, converts the
old one, selects a split as ``PoseDataset`` does, validates every sample and writes the file
atomically. Everything else that touches the format calls it: ``tools/check_data.py`` and
``CheckDataHook`` (through :mod:`sfhead_mm.datasets.checks`), the inference reader
(``apis.readers.read_pose_pickle``), the converters of ``data_prep`` and their verify step,
``tools/convert_old_pickle.py``.

Light: numpy and the standard library only (plus ``sfhead_mm.utils``); nothing here imports
torch, mmengine or MMAction2. Files are read with the package's restricted unpickler
(:func:`sfhead_mm.utils.safe_pickle.load_pickle`): nothing in a data file can execute.

API (every error is an :class:`AnnotationError`, one line naming the file):

* :func:`read_annotation_file` -- the raw content (1.x dict, 0.x list or one sample dict);
* :func:`is_old_format`, :func:`sniff_container`, :func:`convert_old_splits` -- 0.x files;
* :func:`select_split` -- the samples ``PoseDataset(ann_file, split)`` would use, or problems;
* :func:`samples_of` -- the samples of any of the three layouts (for readers), or an error;
* :class:`SampleRules`, :func:`check_sample`, :func:`check_samples` -- per-sample validation,
  returning :class:`Problem` s (every sample is checked, nothing stops at the first);
* :func:`check_annotation_data` / :func:`check_annotation_file` -- the whole file: structure,
  every split, every sample;
* :func:`make_sample`, :func:`build_annotation`, :func:`write_annotation` -- writing.
"""
import io
import itertools
import os.path as osp
import pickletools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

#: The command that converts 0.x files (named in messages).
CONVERTER = 'tools/convert_old_pickle.py'
#: Largest finite float32: a float64 coordinate beyond it becomes inf in the model's input.
FLOAT32_MAX = float(np.finfo(np.float32).max)


class AnnotationError(ValueError):
    """An annotation file that cannot be used; ``str()`` is one line naming the file.

    Attributes:
        path (str): The file.
        reason (str): What is wrong, without the file name.
    """

    def __init__(self, path: str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f'{path}: {reason}')


@dataclass(frozen=True)
class Problem:
    """One problem, in one sample (or one file) and one key.

    Args:
        where (str): The file (and loader, split), e.g. ``"train (data/x.pkl, split 'xsub')"``.
        key (str): The annotation or config key concerned.
        message (str): What is wrong and, where it helps, what to change.
        sample (str, optional): The sample's ``frame_dir`` (or ``#index``); None for the file.
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


def problems_line(problems: Sequence[Problem], limit: int = 3) -> str:
    """The first ``limit`` problems on one line (``'; '``-joined), with the count of the rest."""
    shown = '; '.join((f'sample {p.sample!r}: ' if p.sample is not None else '')
                      + f'{p.key}: {p.message}' for p in problems[:limit])
    more = len(problems) - limit
    return shown + (f' (and {more:,} more problem(s))' if more > 0 else '')


# ---------------------------------------------------------------------------------- reading
def read_annotation_file(path: str):
    """The content of an annotation pickle, read with the restricted unpickler.

    Args:
        path (str): A local file, or a URL of an mmengine storage backend (``s3://``, ...;
            only then is mmengine imported, to fetch the bytes).

    Returns:
        dict | list: As stored (1.x dict, 0.x list, or a single sample dict).

    Raises:
        AnnotationError: Missing file, a folder, truncated or garbage content, or a global the
            restricted unpickler refuses (code in a data file); one line naming the file.
    """
    from ..utils import safe_pickle
    path = str(path)
    if '://' in path:
        try:
            from mmengine.fileio import get as get_bytes  # remote storage only
            raw = get_bytes(path)
        except Exception as err:
            raise AnnotationError(path, f'cannot be read ({type(err).__name__}: {err})') from None
        return _load_bytes(path, raw)
    if osp.isdir(path):
        raise AnnotationError(path, 'is a directory; expected an annotation .pkl file')
    if not osp.isfile(path):
        raise AnnotationError(path, 'annotation file not found')
    try:
        return safe_pickle.load_pickle(path)
    except ValueError as err:  # UnsafePickleError / PickleReadError: one line naming the file
        raise AnnotationError(path, _strip_path(path, str(err))) from None
    except OSError as err:
        raise AnnotationError(path, f'cannot be read ({err.strerror or err})') from None


def _load_bytes(path: str, raw: bytes):
    from ..utils import safe_pickle
    try:
        return safe_pickle.loads_pickle(raw, path)
    except ValueError as err:
        raise AnnotationError(path, _strip_path(path, str(err))) from None


def _strip_path(path: str, message: str) -> str:
    message = message.splitlines()[0] if message else message
    for prefix in (f'{path}: ', f'{path}:', path):
        if message.startswith(prefix):
            return message[len(prefix):].strip()
    return message


def sniff_container(path: str) -> Optional[str]:
    """``'list'`` or ``'dict'``: the top-level container of a pickle, from its first bytes.

    Lets a run refuse MMAction2 0.x's list format at once, without loading gigabytes. None when
    the file cannot be read or starts otherwise.
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


def sample_name(ann: Mapping, default=None):
    """``frame_dir`` (or ``filename``, the key ``PoseDataset`` also accepts) of a sample."""
    return ann.get('frame_dir', ann.get('filename', default))


# ------------------------------------------------------------------------------- 0.x files
def is_old_format(data) -> bool:
    """True for MMAction2 0.x's layout: a list of sample dicts (one file per split)."""
    return isinstance(data, list)


def old_format_message(path: str) -> str:
    """Why a 0.x list pickle does not load under a config that names a split."""
    return (f'{path} is in MMAction2 0.x\'s format (a list of samples, one file per split); '
            f'MMAction2 1.x\'s PoseDataset needs {{"split": ..., "annotations": ...}} '
            f'(it fails with "list indices must be integers")')


def conversion_command(pairs: Sequence[Tuple[Optional[str], str]]) -> str:
    """The ``tools/convert_old_pickle.py`` command merging ``(split, file)`` 0.x pickles."""
    pairs = list(dict.fromkeys(pairs))
    out = osp.join(osp.dirname(pairs[0][1]), 'converted_1x.pkl')
    args = ' '.join(f'{split or "SPLIT"}={path}' for split, path in pairs)
    return (f'convert with: python {CONVERTER} {args} --out {out} (add the dataset\'s other '
            f'split files as NAME=FILE), then set every ann_file to {out}')


def _same_sample(a: Mapping, b: Mapping) -> bool:
    if set(a) != set(b):
        return False
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray)
                    and x.shape == y.shape and np.array_equal(x, y)):
                return False
        elif x != y:
            return False
    return True


def convert_old_splits(split_files: Sequence[Tuple[str, str]]) -> Dict:
    """Merge 0.x split files (each a list of samples) into one 1.x annotation dict.

    Args:
        split_files (Sequence[tuple[str, str]]): ``(split name, path)`` pairs, e.g.
            ``[('xsub_train', 'ntu60_xsub_train.pkl'), ('xsub_val', 'ntu60_xsub_val.pkl')]``.
            A sample listed in several files (the same clip in an x-sub and an x-view split) is
            stored once and named in each split; it must be identical everywhere. A missing
            ``total_frames`` (some 0.x files) is filled in from ``keypoint``.

    Returns:
        dict: ``{'split': {...}, 'annotations': [...]}``.

    Raises:
        AnnotationError: A file that is not a 0.x list, a sample without ``frame_dir`` or
            ``keypoint``, two different samples under one name, a split named twice.
    """
    split: Dict[str, List[str]] = {}
    annotations: List[dict] = []
    index: Dict[str, int] = {}
    for name, path in split_files:
        if name in split:
            raise AnnotationError(path, f'split {name!r} is given twice')
        data = read_annotation_file(path)
        if isinstance(data, Mapping) and 'annotations' in data:
            raise AnnotationError(path, 'already in the 1.x format (it has "annotations" and '
                                        '"split"); nothing to convert')
        if not is_old_format(data):
            raise AnnotationError(path, f'holds a {type(data).__name__}; a 0.x file is a list '
                                        f'of sample dicts')
        members = []
        for i, ann in enumerate(data):
            if not isinstance(ann, Mapping):
                raise AnnotationError(path, f'sample #{i} is a {type(ann).__name__}, not a dict')
            ann = dict(ann)
            key = sample_name(ann)
            if key is None:
                raise AnnotationError(path, f'sample #{i} has no frame_dir')
            if 'keypoint' not in ann:
                raise AnnotationError(path, f'sample {key!r}: missing key "keypoint"')
            if np.ndim(ann['keypoint']) != 4:
                raise AnnotationError(path, f'sample {key!r}: keypoint has shape '
                                            f'{np.shape(ann["keypoint"])}; expected (M, T, V, C)')
            ann.setdefault('total_frames', int(np.shape(ann['keypoint'])[1]))
            if key in index:
                if not _same_sample(annotations[index[key]], ann):
                    raise AnnotationError(path, f'sample {key!r} differs from the sample of the '
                                                f'same name in an earlier split file')
            else:
                index[key] = len(annotations)
                annotations.append(ann)
            members.append(key)
        split[name] = members
    return dict(split=split, annotations=annotations)


# ---------------------------------------------------------------------------- split choice
def select_split(data, split: Optional[str], path: str = '<annotations>',
                 where: Optional[str] = None) -> Tuple[Optional[list], List[Problem]]:
    """The samples ``PoseDataset(ann_file, split=split)`` would use, or the file's problems.

    Args:
        data: The content of the file (:func:`read_annotation_file`).
        split (str, optional): The config's ``dataset.split``; None uses the file as a list.
        path (str): The file, for the messages.
        where (str, optional): Prefix of the problems (the loader); defaults to ``path``.

    Returns:
        tuple: ``(samples or None, problems)``. Samples keep the file's order and duplicates,
        as ``PoseDataset`` does; names of the split without a sample are a problem.
    """
    where = where or path

    def problem(key, message, kind='file'):
        return [Problem(where, key, message, kind=kind)]

    if is_old_format(data):
        if split is not None:
            return None, problem('split', old_format_message(path), 'format')
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
                                      f'of {sorted(data.get("split", None) or {})}')
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
    have = {sample_name(a) for a in annotations if isinstance(a, Mapping)}
    missing = [n for n in wanted if n not in have]
    problems = []
    if missing:
        problems = problem('split', f'{len(missing):,} of the {len(wanted):,} names of split '
                                    f'{split!r} have no annotation, e.g. {missing[:3]}')
    wanted_set = set(wanted)
    return [a for a in annotations
            if isinstance(a, Mapping) and sample_name(a) in wanted_set], problems


def samples_of(data, path: str, split: Optional[str] = None,
               names: Optional[Sequence[str]] = None) -> List[Mapping]:
    """The samples of any annotation layout (for readers that take what they are given).

    Args:
        data: 1.x dict, 0.x list, or one sample dict.
        path (str): The file, for the messages.
        split (str, optional): Only this split (1.x files).
        names (Sequence[str], optional): Only these ``frame_dir`` names, in this order.

    Raises:
        AnnotationError: An unknown layout, an unknown split (naming the file's splits),
            unknown names, or nothing selected.
    """
    if isinstance(data, Mapping) and 'keypoint' in data:
        samples = [data]
    elif isinstance(data, Mapping) and 'annotations' in data:
        samples = data['annotations']
        if not isinstance(samples, list):
            raise AnnotationError(path, f'"annotations" is a {type(samples).__name__}, '
                                        f'expected a list of samples')
    elif is_old_format(data):
        samples = data
    else:
        raise AnnotationError(path, 'expected a PoseDataset pickle ({"split", "annotations"}, '
                                    'a list of samples, or one sample dict)')
    if split is not None:
        splits = data.get('split') if isinstance(data, Mapping) else None
        if not isinstance(splits, Mapping) or split not in splits:
            have = sorted(splits) if isinstance(splits, Mapping) else 'none (no "split" key)'
            raise AnnotationError(path, f'no split named {split!r}; splits in the file: {have}')
        keep = set(splits[split])
        samples = [a for a in samples if isinstance(a, Mapping) and sample_name(a) in keep]
    if names:
        by_name = {}
        for a in samples:
            if isinstance(a, Mapping):
                by_name.setdefault(sample_name(a), a)
        missing = [n for n in names if n not in by_name]
        if missing:
            raise AnnotationError(path, f'no sample named {missing[:3]} ({len(missing)} missing '
                                        f'of {len(names)})')
        samples = [by_name[n] for n in names]
    if not samples:
        raise AnnotationError(path, 'no sample selected')
    return list(samples)


# ------------------------------------------------------------------------- sample validation
@dataclass(frozen=True)
class SampleRules:
    """What every sample must satisfy beyond the format itself (None: not checked).

    :class:`sfhead_mm.datasets.input_spec.InputSpec` gives the rules of a config
    (``spec.sample_rules(pipeline)``); converters give them directly.

    Args:
        num_joints (int, optional): ``V`` of the layout.
        joints_source (str): How to name the layout in messages, e.g.
            ``"the layout 'nturgb+d' (model.backbone.graph_cfg.layout)"``.
        in_channels (int, optional): The model's input channels.
        in_channels_key (str): Where they came from (the config key to change).
        streams (tuple[str]): ``GenSkeFeat`` feats: each stream repeats ``C (+ score)``.
        num_classes (int, optional): Labels must lie in ``0..num_classes-1``.
        num_classes_key (str): Where ``num_classes`` came from.
        dtype (str, optional): Required ``keypoint`` dtype (``'float32'`` for converters).
    """

    num_joints: Optional[int] = None
    joints_source: str = 'the layout'
    in_channels: Optional[int] = None
    in_channels_key: str = 'model.backbone.in_channels'
    streams: Tuple[str, ...] = ('j', )
    num_classes: Optional[int] = None
    num_classes_key: str = 'model.cls_head.num_classes'
    dtype: Optional[str] = None

    def channels_of(self, c: int, has_score: bool) -> int:
        """Model-input channels of a sample with ``C = c`` (and a score or not)."""
        return len(self.streams) * (c + int(has_score))


def _first_bad(mask: np.ndarray) -> list:
    return np.argwhere(mask)[0].tolist()


def check_sample(ann, index: int, rules: SampleRules = SampleRules(), where: str = ''
                 ) -> Tuple[Optional[str], List[Problem]]:
    """Problems of one sample: ``(name, problems)``; every key is checked, none stops the rest.

    Checked: a dict; ``frame_dir``; ``keypoint`` a 4-d ``(M, T, V, C)`` number array, not
    empty, finite and inside float32's range; ``total_frames == T``; ``keypoint_score`` of shape
    ``(M, T, V)`` and finite; ``label`` an int (not bool) in ``0..num_classes-1``; and, from
    ``rules``, ``V``, the model's channels and the dtype.
    """
    if not isinstance(ann, Mapping):
        return None, [Problem(where, '<sample>', f'sample #{index} is a {type(ann).__name__}, '
                                                 f'not a dict', f'#{index}', 'type')]
    name = sample_name(ann)
    shown = str(name) if name is not None else f'#{index}'
    out: List[Problem] = []

    def add(key, message, kind=None):
        out.append(Problem(where, key, message, shown, kind or key))

    if name is None:
        add('frame_dir', 'missing (every sample needs a unique frame_dir)')
    _check_label(ann, rules, add)
    kp = ann.get('keypoint', None)
    if kp is None:
        add('keypoint', 'missing')
        return name, out
    if not isinstance(kp, np.ndarray) or kp.ndim != 4:
        shape = getattr(kp, 'shape', type(kp).__name__)
        add('keypoint', f'has shape {shape}; expected a 4-d array (M persons, T frames, '
                        f'V joints, C coordinates)', 'keypoint-shape')
        return name, out
    if kp.dtype.kind not in 'fiu':
        add('keypoint', f'has dtype {kp.dtype}; expected numbers (float32)', 'keypoint-dtype')
        return name, out
    if rules.dtype is not None and kp.dtype != np.dtype(rules.dtype):
        add('keypoint', f'has dtype {kp.dtype}; expected {rules.dtype}', 'keypoint-dtype')
    M, T, V, C = kp.shape
    if kp.size == 0:
        add('keypoint', f'is empty, shape {kp.shape}', 'keypoint-empty')
    total = ann.get('total_frames', None)
    if total is None:
        add('total_frames', f'missing (keypoint has {T} frames)')
    elif isinstance(total, bool) or not isinstance(total, (int, np.integer)) or total != T:
        add('total_frames', f'total_frames={total!r} but keypoint has T={T} frames '
                            f'(keypoint.shape[1]); UniformSampleFrames asserts they agree')
    if rules.num_joints is not None and V != rules.num_joints:
        add('keypoint', f'V={V} joints (shape {kp.shape}) but {rules.joints_source} has '
                        f'{rules.num_joints}', 'joints')
    score = ann.get('keypoint_score', None)
    if score is not None:
        if getattr(score, 'shape', None) != (M, T, V):
            add('keypoint_score', f'has shape {getattr(score, "shape", None)}; expected '
                                  f'(M, T, V) = {(M, T, V)}')
        elif (isinstance(score, np.ndarray) and score.dtype.kind == 'f'
              and not np.isfinite(score).all()):
            add('keypoint_score', f'holds NaN or inf (first at index '
                                  f'{_first_bad(~np.isfinite(score))})', 'finite')
    if rules.in_channels is not None:
        got = rules.channels_of(C, score is not None)
        if got != rules.in_channels:
            dims = {2: '2D', 3: '3D'}.get(C, f'{C}-channel')
            with_score = ' + keypoint_score' if score is not None else ''
            add('keypoint', f'C={C} ({dims}{with_score}) gives {got} input channels with '
                            f'{len(rules.streams)} stream(s) {list(rules.streams)}, but '
                            f'{rules.in_channels_key} = {rules.in_channels}', 'channels')
    if kp.dtype.kind == 'f' and kp.size:
        finite = np.isfinite(kp)
        if not finite.all():
            add('keypoint', f'holds NaN or inf (first at index {_first_bad(~finite)})',
                'finite')
        elif kp.dtype.itemsize > 4 and np.abs(kp).max() > FLOAT32_MAX:
            add('keypoint', f'holds {kp.flat[np.argmax(np.abs(kp))]:.3g} at index '
                            f'{_first_bad(np.abs(kp) > FLOAT32_MAX)}: beyond float32\'s range, '
                            f'inf in the model\'s input', 'finite')
    return name, out


def _check_label(ann: Mapping, rules: SampleRules, add) -> None:
    if 'label' not in ann:
        add('label', 'missing')
        return
    label = ann['label']
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)):
        add('label', f'is {label!r} ({type(label).__name__}); expected a 0-based class index')
    elif label < 0:
        add('label', f'label {int(label)} is negative; labels are 0-based class indices')
    elif rules.num_classes is not None and label >= rules.num_classes:
        add('label', f'label {int(label)} outside 0..{rules.num_classes - 1} '
                     f'({rules.num_classes_key}={rules.num_classes}; labels are 0-based)')


def check_samples(samples: Iterable, rules: SampleRules = SampleRules(), where: str = ''
                  ) -> Tuple[List[Problem], int, Optional[int]]:
    """Check every sample (and that names are unique).

    Returns:
        tuple: problems, number of samples, index of the first sample without problems
        (for a pipeline dry run), or None.
    """
    problems: List[Problem] = []
    names: Counter = Counter()
    first_good, n = None, 0
    for n, ann in enumerate(samples, 1):
        name, found = check_sample(ann, n - 1, rules, where)
        if name is not None:
            names[name] += 1
        problems.extend(found)
        if not found and first_good is None:
            first_good = n - 1
    for name, count in names.items():
        if count > 1:
            problems.append(Problem(where, 'frame_dir', f'{count} samples share this name',
                                    str(name), 'duplicate'))
    return problems, n, first_good


def check_annotation_data(data, path: str = '<annotations>',
                          rules: SampleRules = SampleRules(),
                          splits: Optional[Sequence[str]] = None) -> List[Problem]:
    """Problems of a whole 1.x annotation dict: structure, every split, every sample once.

    Args:
        data: The content (:func:`read_annotation_file`).
        path (str): The file, for the messages.
        rules (SampleRules): What samples must satisfy beyond the format.
        splits (Sequence[str], optional): Splits that must exist; default: those in the file.

    Returns:
        list[Problem]: Empty when the file is fit for ``PoseDataset``.
    """
    if is_old_format(data):
        return [Problem(path, '<file>', old_format_message(path) + '; '
                        + conversion_command([(None, path)]), kind='format')]
    if not isinstance(data, Mapping) or 'annotations' not in data or 'split' not in data:
        keys = sorted(data)[:10] if isinstance(data, Mapping) else type(data).__name__
        return [Problem(path, '<file>', f'expected a dict {{"split", "annotations"}}, got '
                                        f'{keys}', kind='file')]
    problems: List[Problem] = []
    names = list(splits) if splits is not None else (
        list(data['split']) if isinstance(data['split'], Mapping) else [])
    if not names:
        problems.append(Problem(path, 'split', 'no split in the file', kind='file'))
    for name in names:
        _, found = select_split(data, name, path)
        problems.extend(found)
    if isinstance(data['annotations'], list):
        found, _, _ = check_samples(data['annotations'], rules, path)
        problems.extend(found)
    return problems


def check_annotation_file(path: str, rules: SampleRules = SampleRules(),
                          splits: Optional[Sequence[str]] = None) -> List[Problem]:
    """:func:`check_annotation_data` of a file; an unreadable file is one problem."""
    try:
        data = read_annotation_file(path)
    except AnnotationError as err:
        return [Problem(path, '<file>', err.reason, kind='file')]
    return check_annotation_data(data, path, rules, splits)


# ---------------------------------------------------------------------------------- writing
def make_sample(frame_dir: str, label: int, keypoint: np.ndarray,
                img_shape: Optional[Tuple[int, int]] = None,
                keypoint_score: Optional[np.ndarray] = None, **extra) -> dict:
    """One ``PoseDataset`` sample, ``keypoint`` as contiguous float32 (nothing is checked here).

    Args:
        frame_dir (str): Unique sample name (what ``split`` lists refer to).
        label (int): 0-based class index.
        keypoint (np.ndarray): ``(M, T, V, C)`` coordinates.
        img_shape (tuple[int, int], optional): ``(height, width)`` of the frames (2D pipelines
            read it); also stored as ``original_shape``.
        keypoint_score (np.ndarray, optional): ``(M, T, V)`` confidences.
        **extra: Further keys stored as given.
    """
    keypoint = np.ascontiguousarray(keypoint, dtype=np.float32)
    ann = dict(frame_dir=str(frame_dir), label=int(label),
               total_frames=int(keypoint.shape[1]) if keypoint.ndim == 4 else 0,
               keypoint=keypoint, **extra)
    if img_shape is not None:
        ann.update(img_shape=tuple(img_shape), original_shape=tuple(img_shape))
    if keypoint_score is not None:
        ann['keypoint_score'] = np.ascontiguousarray(keypoint_score, dtype=np.float32)
    return ann


def build_annotation(annotations: Sequence[Mapping], split: Mapping[str, Sequence[str]],
                     rules: SampleRules = SampleRules(), path: str = '<new annotations>'
                     ) -> dict:
    """The 1.x dict of ``annotations`` and ``split``, after checking every sample and split.

    Raises:
        AnnotationError: The first problems on one line (with the count of the rest).
    """
    data = dict(split={k: list(v) for k, v in split.items()}, annotations=list(annotations))
    problems = check_annotation_data(data, path, rules)
    if problems:
        raise AnnotationError(path, problems_line(problems))
    return data


def write_annotation(path: str, data: Mapping, rules: Optional[SampleRules] = None,
                     check: bool = True) -> str:
    """Write a 1.x annotation dict atomically (a temporary file, then one rename).

    Args:
        path (str): The ``.pkl`` to write; an interrupted write leaves no file under this name
            (and no temporary file).
        data (Mapping): ``{'split', 'annotations'}``.
        rules (SampleRules, optional): Checked with the format before writing.
        check (bool): Validate before writing (every sample). Defaults to True.

    Raises:
        AnnotationError: The data does not fit the format (nothing written).
    """
    from ..utils.atomic_write import write_pickle
    if check:
        problems = check_annotation_data(data, path, rules or SampleRules())
        if problems:
            raise AnnotationError(path, 'not written: ' + problems_line(problems))
    return write_pickle(path, dict(data))
