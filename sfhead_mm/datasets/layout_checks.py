"""Layout consistency: the config's pipelines vs its model graph vs the checkpoint vs the data.

Everything here catches runs that would otherwise go through *silently* with wrong results:

- the pipelines and the model's graph name different layouts (or joint counts);
- the checkpoint was trained with another layout, or other class names, than the config says;
- the recordings fit another registered layout of the same joint count clearly better (bone
  lengths stable over time with it, not with the declared one: :mod:`sfhead_mm.skeleton.fit`),
  e.g. an NW-UCLA config pointed at another dataset's 20 Kinect v1 joints;
- ``AmbiguousGroupMetric`` groups that do not fit the model (class count, class names);
- ``*_pipeline`` variables a config defines but no dataloader uses (a pipeline written in a child
  config but not assigned to the dataloaders leaves the base config's pipeline in use).

One entry point::

    from sfhead_mm.datasets.layout_checks import check_layout_consistency
    issues = check_layout_consistency(cfg, checkpoint=ckpt_path_or_dict, samples=dataset)
    for issue in issues:
        print(issue)            # 'error: ...' / 'warning: ...', one line each
    if any(i.level == 'error' for i in issues): ...

Light at import: no torch, mmengine or MMAction2 (a checkpoint path is read with
:func:`sfhead_mm.utils.checkpoint.load_checkpoint_file`, imported only then).
"""
import ast
from collections.abc import Mapping
from typing import Iterable, List, Optional, Sequence

import numpy as np

from ..skeleton.config import LAYOUT_ARGS, layout_refs, loader_datasets
from ..skeleton.fit import layout_fit_warning
from ..skeleton.layout import SkeletonLayout, get_layout

LOADERS = ('train', 'val', 'test')


class LayoutIssue(str):
    """One problem, one line (a ``str``: ``'error: ...'`` or ``'warning: ...'``).

    Attributes:
        level (str): ``'error'`` (the run would be wrong) or ``'warning'`` (probably wrong).
        message (str): The text without the level.
    """

    def __new__(cls, level: str, message: str):
        self = super().__new__(cls, f'{level}: {message}')
        self.level, self.message = level, message
        return self


def _error(msg):
    return LayoutIssue('error', msg)


def _warning(msg):
    return LayoutIssue('warning', msg)


def _same(a: SkeletonLayout, b: SkeletonLayout) -> bool:
    """Same skeleton (joint count, bones, centre), whatever the names."""
    norm = lambda lay: (lay.num_joints, lay.center,  # noqa: E731
                        frozenset(frozenset(e) for e in lay.edges))
    return norm(a) == norm(b)


def _describe(spec) -> str:
    if isinstance(spec, Mapping):
        return f'dict {spec.get("name", "(unnamed)")!r}'
    return repr(spec)


# ------------------------------------------------------------------------------ the config
#: Pipeline steps and the argument naming their layout (the package's and MMAction2's).
LAYOUT_STEP_ARGS = dict(LAYOUT_ARGS, LayoutGenSkeFeat='dataset', LayoutJointToBone='dataset')


def used_layout_refs(cfg) -> List[tuple]:
    """``(config key, layout spec)`` of the model's graph and of every pipeline step that a
    dataloader runs (``*_pipeline`` variables no loader uses are left out: see
    :func:`unused_pipeline_issues`)."""
    refs = [(k, v) for k, v in layout_refs(cfg) if k.startswith('model.')]
    for loader, leaf in loader_datasets(cfg, LOADERS):
        for step in leaf.get('pipeline', None) or []:
            if isinstance(step, Mapping) and step.get('type') in LAYOUT_STEP_ARGS:
                arg = LAYOUT_STEP_ARGS[step['type']]
                if step.get(arg) is not None:
                    refs.append((f'{loader}_dataloader: {step["type"]}({arg}=...)', step[arg]))
    return refs


def config_layout_issues(cfg) -> List[LayoutIssue]:
    """The model's graph layout against every pipeline step (of a dataloader) naming a layout."""
    issues, resolved = [], []
    for key, spec in used_layout_refs(cfg):
        try:
            resolved.append((key, get_layout(spec)))
        except (KeyError, ValueError) as err:
            issues.append(_error(f'{key}: layout {_describe(spec)}: {err}'))
    if not resolved:
        return issues
    first_key, first = resolved[0]
    seen = set()
    for key, layout in resolved[1:]:
        if not _same(layout, first) and (key, layout.name) not in seen:
            seen.add((key, layout.name))
            issues.append(_error(
                f'{key} uses layout {layout.name!r} ({layout.num_joints} joints) but '
                f'{first_key} uses {first.name!r} ({first.num_joints} joints): the model would '
                f'read joints in another order than the data is prepared in; write the layout '
                f'once as a variable and use it at both places (docs/layouts.md)'))
    return issues


def _plain(value):
    """A config value without mmengine's ``_scope_`` marks (base variables carry them)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items() if k != '_scope_'}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _loader_pipelines(cfg) -> List[Sequence]:
    out = []
    for _, leaf in loader_datasets(cfg, LOADERS):
        if leaf.get('pipeline', None) is not None:
            out.append(_plain(list(leaf['pipeline'])))
    return out


def unused_pipeline_issues(cfg) -> List[LayoutIssue]:
    """``*_pipeline`` variables that no dataloader uses."""
    used = _loader_pipelines(cfg)
    issues = []
    for key in sorted(cfg.keys()):
        value = cfg.get(key)
        if not key.endswith('pipeline') or not isinstance(value, (list, tuple)):
            continue
        if any(_plain(list(value)) == p for p in used):
            continue
        loader = {'train_pipeline': 'train_dataloader', 'val_pipeline': 'val_dataloader',
                  'test_pipeline': 'test_dataloader'}.get(key, '<name>_dataloader')
        issues.append(_warning(
            f'{key} is defined in the config but no dataloader uses it: the dataloaders keep '
            f'the pipelines they were given (from the base config, when it defines them). '
            f'Assign it, e.g. {loader} = dict(dataset=dict(pipeline={key})) (through '
            f'RepeatDataset: dict(dataset=dict(dataset=dict(pipeline={key}))))'))
    return issues


def _num_classes(cfg) -> Optional[int]:
    head = (cfg.get('model', None) or {}).get('cls_head', None) or {}
    return head.get('num_classes', None)


def config_class_names(cfg) -> Optional[List[str]]:
    """Class names the config declares: ``class_names``, else a dataset's
    ``metainfo.classes`` (names given in a list; a file name is read)."""
    candidates = [cfg.get('class_names', None)]
    for _, leaf in loader_datasets(cfg, ('test', 'val', 'train')):
        candidates.append((leaf.get('metainfo', None) or {}).get('classes', None))
    for spec in candidates:
        if spec:
            if isinstance(spec, str):
                from ..evaluation.group_spec import load_class_names
                return load_class_names(spec)
            return [str(s) for s in spec]
    return None


def group_issues(cfg) -> List[LayoutIssue]:
    """``AmbiguousGroupMetric`` groups against the model's classes and the declared names."""
    from ..evaluation.group_spec import builtin_files, resolve_groups
    issues = []
    num_classes = _num_classes(cfg)
    names = config_class_names(cfg)
    seen = set()
    for key in ('val_evaluator', 'test_evaluator'):
        evaluators = cfg.get(key, None) or []
        if isinstance(evaluators, Mapping):
            evaluators = [evaluators]
        for ev in evaluators:
            if not isinstance(ev, Mapping) or ev.get('type') != 'AmbiguousGroupMetric':
                continue
            groups = ev.get('groups', None)
            ident = repr(groups)
            if ident in seen:
                continue
            seen.add(ident)
            where = f'{key} AmbiguousGroupMetric(groups={_short(groups)})'
            metric_names = ev.get('class_names', None) or names
            try:
                gs = resolve_groups(groups, metric_names)
            except Exception as err:  # unknown class name, index out of range ...
                issues.append(_error(f'{where}: {err}'))
                continue
            if num_classes is not None:
                too_big = [c for c in gs.classes if c >= num_classes]
                if too_big:
                    issues.append(_error(f'{where}: classes {too_big} are beyond the model\'s '
                                         f'{num_classes} classes'))
                if gs.num_names is not None and gs.num_names != num_classes:
                    issues.append(_error(f'{where}: {gs.num_names} class names for a model '
                                         f'with {num_classes} classes'))
            file_names = _group_file_names(groups, builtin_files())
            if file_names is not None:
                if num_classes is not None and len(file_names) != num_classes:
                    issues.append(_error(
                        f'{where}: the group set is written for a dataset of '
                        f'{len(file_names)} classes ({", ".join(file_names[:4])}, ...), the '
                        f'model has {num_classes}; give this dataset\'s own groups by class '
                        f'name: groups={{"name": ["class a", "class b"]}}'))
                elif names is not None and [n.lower() for n in names] != [
                        n.lower() for n in file_names]:
                    differ = [i for i, (a, b) in enumerate(zip(names, file_names))
                              if a.lower() != b.lower()]
                    i = differ[0] if differ else 0
                    issues.append(_error(
                        f'{where}: the group set names other classes than this dataset '
                        f'(class {i}: {file_names[i]!r} there, {names[i]!r} here); its group '
                        f'names would be printed over the wrong labels'))
    return issues


def _short(groups) -> str:
    text = repr(groups)
    return text if len(text) <= 40 else text[:37] + '...'


def _group_file_names(groups, builtins) -> Optional[List[str]]:
    """The class names a built-in or file group set carries, if any."""
    import json
    import os.path as osp
    if not isinstance(groups, str):
        return None
    path = builtins.get(groups, groups)
    if not osp.isfile(path):
        return None
    with open(path, encoding='utf-8') as f:
        data = json.load(f)
    names = data.get('class_names') if isinstance(data, dict) else None
    return [str(n) for n in names] if isinstance(names, list) else None


# -------------------------------------------------------------------------- the checkpoint
def _checkpoint_meta(checkpoint) -> Optional[Mapping]:
    if checkpoint is None:
        return None
    if isinstance(checkpoint, str):
        from ..utils.checkpoint import load_checkpoint_file
        checkpoint = load_checkpoint_file(checkpoint)
    if isinstance(checkpoint, Mapping) and isinstance(checkpoint.get('meta', None), Mapping):
        return checkpoint['meta']
    return checkpoint if isinstance(checkpoint, Mapping) else None


def _literal(node):
    """A config value from its syntax tree: literals, lists, tuples, dicts and ``dict(...)``
    calls only (what mmengine writes into ``meta['cfg']``); anything else raises ValueError."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id == 'dict' and not node.args:
        return {kw.arg: _literal(kw.value) for kw in node.keywords if kw.arg is not None}
    if isinstance(node, (ast.List, ast.Tuple)):
        values = [_literal(v) for v in node.elts]
        return values if isinstance(node, ast.List) else tuple(values)
    if isinstance(node, ast.Dict):
        return {_literal(k): _literal(v) for k, v in zip(node.keys, node.values)}
    return ast.literal_eval(node)


def recorded_config(text: str) -> dict:
    """The top-level ``name = value`` assignments of a config text recorded in a checkpoint,
    read as data without executing it (values that are not plain data are left out)."""
    cfg = {}
    for stmt in ast.parse(text).body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], ast.Name):
            try:
                cfg[stmt.targets[0].id] = _literal(stmt.value)
            except (ValueError, TypeError, SyntaxError):
                continue
    return cfg


def checkpoint_issues(cfg, checkpoint) -> List[LayoutIssue]:
    """The checkpoint's recorded config (layout) and ``dataset_meta`` (classes) vs ``cfg``."""
    meta = _checkpoint_meta(checkpoint)
    if not meta:
        return []
    issues = []
    mine, mine_key = _config_layout(cfg)
    text = meta.get('cfg', None)
    if isinstance(text, str) and mine is not None:
        try:  # read as data, never executed: the text comes from a file
            theirs, _ = _config_layout(recorded_config(text))
        except Exception:  # an unreadable recorded config: nothing to compare
            theirs = None
        if theirs is not None and not _same(theirs, mine):
            issues.append(_error(
                f'the checkpoint was trained with layout {theirs.name!r} '
                f'({theirs.num_joints} joints) but the config uses {mine.name!r} '
                f'({mine.num_joints} joints, {mine_key}); use the config the checkpoint was '
                f'trained with (saved next to it in its work dir)'))
    classes = (meta.get('dataset_meta', None) or {}).get('classes', None)
    names = config_class_names(cfg)
    if classes and names and [str(c) for c in classes] != names:
        issues.append(_warning(
            f'the checkpoint was trained on classes {_list(classes)} but the config declares '
            f'{_list(names)}; predictions will be named after the config'))
    return issues


def _list(names) -> str:
    names = [str(n) for n in names]
    return repr(names) if len(names) <= 4 else f'[{", ".join(map(repr, names[:3]))}, ... ' \
        f'({len(names)} classes)]'


def _config_layout(cfg):
    for key, spec in layout_refs(cfg):
        try:
            return get_layout(spec), key
        except (KeyError, ValueError):
            return None, None
    return None, None


# -------------------------------------------------------------------------------- the data
def keypoints_of(samples, max_samples: int = 16) -> List[np.ndarray]:
    """``keypoint`` arrays of up to ``max_samples`` samples, spread over the input.

    ``samples``: arrays ``(M, T, V, C)``, sample dicts with ``keypoint``, objects with a
    ``keypoint`` attribute (:class:`~sfhead_mm.apis.readers.SkeletonSample`), or a dataset
    (``get_data_info(i)``, e.g. a built ``PoseDataset``; wrappers are looked through).
    """
    if samples is None:
        return []
    if hasattr(samples, 'get_data_info') or hasattr(samples, 'dataset'):
        while not hasattr(samples, 'get_data_info') and hasattr(samples, 'dataset'):
            samples = samples.dataset
        n = len(samples)
        idx = np.unique(np.linspace(0, n - 1, min(n, max_samples)).astype(int)) if n else []
        items: Iterable = (samples.get_data_info(int(i)) for i in idx)
    else:
        samples = list(samples)
        n = len(samples)
        idx = np.unique(np.linspace(0, n - 1, min(n, max_samples)).astype(int)) if n else []
        items = (samples[int(i)] for i in idx)
    out = []
    for item in items:
        kp = item.get('keypoint', None) if isinstance(item, Mapping) else getattr(
            item, 'keypoint', item)
        if kp is not None:
            out.append(np.asarray(kp))
    return out


def samples_of_config(cfg, max_samples: int = 16, loaders: Sequence[str] = LOADERS
                      ) -> List[np.ndarray]:
    """``keypoint`` arrays of up to ``max_samples`` samples of the first readable loader's file
    (its split when the config names one). Reads the whole pickle: use it where the data is read
    anyway (``tools/check_data.py``) or pass the built dataset instead."""
    from ..formats.annotation import AnnotationError, read_annotation_file, samples_of
    for _, leaf in loader_datasets(cfg, loaders):
        ann_file = leaf.get('ann_file', None)
        if not ann_file:
            continue
        try:
            data = read_annotation_file(ann_file)
        except Exception:  # missing / unreadable: tools/check_data.py reports it
            continue
        try:  # the loader's split; every sample when the file lacks it (reported elsewhere)
            anns = samples_of(data, ann_file, leaf.get('split', None))
        except AnnotationError:
            try:
                anns = samples_of(data, ann_file)
            except AnnotationError:
                anns = []
        kps = keypoints_of(anns, max_samples)
        if kps:
            return kps
    return []


def data_fit_issues(cfg, samples, layout=None, max_samples: int = 16,
                    source: str = 'the data') -> List[LayoutIssue]:
    """Bone-length stability of the declared layout against the same-size registered ones."""
    if layout is None:
        layout, _ = _config_layout(cfg)
    if layout is None:
        return []
    keypoints = [k for k in keypoints_of(samples, max_samples)
                 if k.ndim in (3, 4) and k.shape[-2] == layout.num_joints and k.shape[-1] >= 2]
    if not keypoints:
        return []
    keypoints = [k[..., :3] for k in keypoints]
    message = layout_fit_warning(keypoints, layout, source=source)
    return [_warning(message)] if message else []


# ---------------------------------------------------------------------------- entry point
def check_layout_consistency(cfg, checkpoint=None, samples=None, read_samples: int = 0,
                             max_samples: int = 16) -> List[LayoutIssue]:
    """All the checks above; an empty list when everything agrees.

    Args:
        cfg (mmengine.Config | dict): The loaded config.
        checkpoint (str | dict, optional): A checkpoint file, a loaded checkpoint, or its
            ``meta`` (``model.checkpoint_meta`` of :func:`sfhead_mm.apis.init_recognizer`).
        samples (optional): Recordings to score the layout on (see :func:`keypoints_of`): a
            built dataset, samples of ``tools/infer.py``, arrays.
        read_samples (int): When ``samples`` is None, read this many samples from the config's
            annotation file (0: do not read the data).
        max_samples (int): At most this many samples are scored.

    Returns:
        list[LayoutIssue]: ``str`` lines starting with ``error:`` or ``warning:``; ``.level``.
    """
    issues = []
    issues += config_layout_issues(cfg)
    issues += unused_pipeline_issues(cfg)
    issues += group_issues(cfg)
    issues += checkpoint_issues(cfg, checkpoint)
    if samples is None and read_samples:
        samples = samples_of_config(cfg, min(read_samples, max_samples))
    if samples is not None:
        issues += data_fit_issues(cfg, samples, max_samples=max_samples)
    return issues


def report_layout_issues(issues: Sequence[LayoutIssue], logger=None, strict: bool = True
                         ) -> None:
    """Print (or log) the issues; raise ``ValueError`` with all of them when one is an error
    and ``strict``. For tools: ``report_layout_issues(check_layout_consistency(cfg, ...))``."""
    if not issues:
        return
    errors = [i for i in issues if i.level == 'error']
    if errors and strict:
        raise ValueError('layout check failed:\n' + '\n'.join(issues))
    for issue in issues:
        if logger is not None:
            logger.warning(issue)
        else:
            import sys
            print(issue, file=sys.stderr)


# ------------------------------------------------------------------ missing annotation files
#: Annotation file name -> the command that writes it (``{out}``: the path the config names).
#: The configs' default paths (configs/_base_/datasets/*.py, configs/synthetic, configs/ffn)
#: and docs/data_prep.md.
DATA_PREP_COMMANDS = {
    'ntu60_3d.pkl': 'python -m data_prep.ntu --dataset ntu60 nturgb+d_skeletons/ --out {out} '
                    '--workers 8 --verify',
    'ntu120_3d.pkl': 'python -m data_prep.ntu --dataset ntu120 nturgb+d_skeletons/ '
                     'nturgbd_skeletons_s018_to_s032/ --out {out} --workers 8 --verify',
    'nwucla_3d.pkl': 'python -m data_prep.nwucla all_sqe/ --out {out} --verify',
    'pkummd1_3d.pkl': 'python -m data_prep.pkummd --skeletons PKU_Skeleton_Renew/ --labels '
                      'Train_Label_PKU_final/ --split-dir Split/ --out {out} --verify',
    'ntu25_synthetic.pkl': 'python -m sfhead_mm.datasets.synthetic {out}',
    'ntu60_2d.pkl': "MMAction2's pre-extracted 2D pickle ntu60_2d.pkl (MMAction2's "
                    'tools/data/skeleton/README.md), saved as {out}',
    'ntu120_2d.pkl': "MMAction2's pre-extracted 2D pickle ntu120_2d.pkl (MMAction2's "
                     'tools/data/skeleton/README.md), saved as {out}',
}


def data_prep_command(ann_file: str) -> Optional[str]:
    """The command that creates a config's annotation file, or None for an unknown name.

    ``explain_dataset_error`` / ``tools/check_data.py`` append it to a missing-file error:
    ``data/skeleton/nwucla_3d.pkl: annotation file not found; create it with: python -m
    data_prep.nwucla all_sqe/ --out data/skeleton/nwucla_3d.pkl --verify``. The source
    folders are the datasets' own archives (docs/data_prep.md); your own data:
    docs/custom_dataset.md.
    """
    import os.path as osp
    template = DATA_PREP_COMMANDS.get(osp.basename(str(ann_file)))
    return template.format(out=ann_file) if template else None


def missing_file_hint(ann_file: str) -> str:
    """``'; create it with: <command>'`` (or a pointer to the docs) for a missing file."""
    command = data_prep_command(ann_file)
    if command is None:
        return ('; write it with a data_prep converter (docs/data_prep.md) or, for your own '
                'data, as docs/custom_dataset.md shows')
    verb = 'get' if command.startswith("MMAction2's") else 'create it with:'
    return f'; {verb} {command}'
