"""Which skeleton layout a config uses, read from the places a config names one.

A layout is named (or given as a dict) by the backbone's ``graph_cfg.layout`` and by pipeline
steps: ``GenSkeFeat`` / ``JointToBone`` / ``ToMotion`` (``dataset``), ``LayoutPreNormalize3D`` /
``LayoutFlip`` (``layout``). Tools that need the layout before anything is built (data checks,
inference readers, the visualiser) ask here, so that a layout written once in a config (a dict
variable used at those places) is found the same way by all of them.

This module also holds THE walker of dataset wrappers (:func:`leaf_dataset_items`, for configs
and for built datasets) and the config's test pipeline (:func:`config_test_pipeline`); everything
that looks through ``RepeatDataset`` / ``ConcatDataset`` calls it. Light: no torch, mmengine or
MMAction2.
"""
from collections.abc import Mapping
from typing import Iterator, List, Optional, Sequence, Tuple

from .layout import SkeletonLayout, get_layout

#: The steps that make the joint/bone/motion streams (MMAction2's and its layout-aware twin).
STREAM_STEPS = ('GenSkeFeat', 'LayoutGenSkeFeat')
#: Pipeline steps and the argument that names their layout.
LAYOUT_ARGS = {
    'GenSkeFeat': 'dataset',
    'JointToBone': 'dataset',
    'LayoutGenSkeFeat': 'dataset',
    'LayoutJointToBone': 'dataset',
    'ToMotion': 'dataset',
    'LayoutPreNormalize3D': 'layout',
    'LayoutFlip': 'layout',
}


def leaf_dataset_items(dataset, prefix: str = 'dataset') -> List[Tuple[str, object]]:
    """``(config key, leaf)`` of the leaf datasets under dataset wrappers: THE walker.

    Works on a dataset config (``RepeatDataset`` / ``ClassBalancedDataset`` wrap ``dataset``,
    ``ConcatDataset`` wraps ``datasets``) and on built datasets (the same attributes), so the
    config side and the runner side find the same leaves, in the same (breadth-first) order.

    Args:
        dataset (Mapping | object | None): A ``*_dataloader.dataset`` config or a built dataset.
        prefix (str): The key of ``dataset`` itself, e.g. ``'train_dataloader.dataset'``.

    Returns:
        list[tuple[str, object]]: E.g. ``('train_dataloader.dataset.dataset', {...})``; the
        leaves are dicts for configs, dataset objects for built ones.
    """
    leaves, queue = [], [(prefix, dataset)]
    while queue:
        key, ds = queue.pop(0)
        if ds is None or isinstance(ds, (str, bytes, int, float)):
            continue
        if isinstance(ds, Mapping):
            many, one = ds.get('datasets', None), ds.get('dataset', None)
        else:
            many, one = getattr(ds, 'datasets', None), getattr(ds, 'dataset', None)
        if many:
            queue.extend((f'{key}.datasets.{i}', d) for i, d in enumerate(many))
        elif one is not None:
            queue.append((f'{key}.dataset', one))
        else:
            leaves.append((key, ds))
    return leaves


def leaf_datasets(dataset) -> list:
    """The leaves of :func:`leaf_dataset_items`, without their keys."""
    return [leaf for _, leaf in leaf_dataset_items(dataset)]


def dataset_pipelines(dataset_cfg) -> Iterator[Sequence]:
    """Pipelines of a dataset config's leaves (looking through wrappers)."""
    for leaf in leaf_datasets(dataset_cfg):
        pipeline = leaf.get('pipeline', None) if isinstance(leaf, Mapping) else None
        if pipeline is not None:
            yield pipeline


def loader_datasets(cfg, loaders: Sequence[str] = ('train', 'val', 'test')
                    ) -> List[Tuple[str, Mapping]]:
    """``(loader name, leaf dataset config)`` of each ``<name>_dataloader`` of a config."""
    return [(name, leaf) for name, _, leaf in loader_dataset_items(cfg, loaders)]


def loader_dataset_items(cfg, loaders: Sequence[str] = ('train', 'val', 'test')
                         ) -> List[Tuple[str, str, Mapping]]:
    """``(loader name, config key, leaf dataset config)`` of each ``<name>_dataloader``."""
    out = []
    for name in loaders:
        loader = cfg.get(f'{name}_dataloader', None)
        if isinstance(loader, Mapping):
            out.extend((name, key, leaf) for key, leaf in leaf_dataset_items(
                loader.get('dataset', None), f'{name}_dataloader.dataset')
                if isinstance(leaf, Mapping))
    return out


def config_test_pipeline(cfg) -> Optional[list]:
    """The pipeline ``tools/test.py`` runs: ``test_dataloader``'s, else ``test_pipeline``, else
    ``val_dataloader``'s; None when the config has none."""
    for _, leaf in loader_datasets(cfg, ('test', )):
        if leaf.get('pipeline', None) is not None:
            return list(leaf['pipeline'])
    if isinstance(cfg.get('test_pipeline', None), (list, tuple)):
        return list(cfg['test_pipeline'])
    for _, leaf in loader_datasets(cfg, ('val', )):
        if leaf.get('pipeline', None) is not None:
            return list(leaf['pipeline'])
    return None


def _config_pipelines(cfg) -> Iterator[Sequence]:
    for _, leaf in loader_datasets(cfg, ('test', 'val', 'train')):
        if leaf.get('pipeline', None) is not None:
            yield leaf['pipeline']
    for key in ('test_pipeline', 'val_pipeline', 'train_pipeline'):
        if isinstance(cfg.get(key, None), (list, tuple)):
            yield cfg[key]


def layout_refs(cfg) -> List[Tuple[str, object]]:
    """Every ``(config key, layout spec)`` the config holds, the backbone's first."""
    refs = []
    model = cfg.get('model', None) or {}
    graph_cfg = (model.get('backbone', None) or {}).get('graph_cfg', None)
    if isinstance(graph_cfg, Mapping) and graph_cfg.get('layout') is not None:
        refs.append(('model.backbone.graph_cfg.layout', graph_cfg['layout']))
    for pipeline in _config_pipelines(cfg):
        for step in pipeline:
            if isinstance(step, Mapping) and step.get('type') in LAYOUT_ARGS:
                arg = LAYOUT_ARGS[step['type']]
                if step.get(arg) is not None:
                    refs.append((f'{step["type"]}({arg}=...)', step[arg]))
    return refs


def layout_of_config(cfg) -> Tuple[Optional[SkeletonLayout], Optional[str]]:
    """The layout a config uses and the key it was read from; ``(None, None)`` if none.

    Args:
        cfg (mmengine.Config | dict): A loaded config.

    Raises:
        KeyError: The config names a layout that is not registered.
    """
    for key, spec in layout_refs(cfg):
        try:
            return get_layout(spec), key
        except KeyError as err:
            raise KeyError(f'config key {key}: {err.args[0]}') from None
    return None, None
