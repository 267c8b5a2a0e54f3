"""Which skeleton layout a config uses, read from the places a config names one.

A layout is named (or given as a dict) by the backbone's ``graph_cfg.layout`` and by pipeline
steps: ``GenSkeFeat`` / ``JointToBone`` / ``ToMotion`` (``dataset``), ``LayoutPreNormalize3D`` /
``LayoutFlip`` (``layout``). Tools that need the layout before anything is built (data checks,
inference readers, the visualiser) ask here, so that a layout written once in a config (a dict
variable used at those places) is found the same way by all of them.
"""
from collections.abc import Mapping
from typing import Iterator, List, Optional, Sequence, Tuple

from .layout import SkeletonLayout, get_layout

#: Pipeline steps and the argument that names their layout.
LAYOUT_ARGS = {
    'GenSkeFeat': 'dataset',
    'JointToBone': 'dataset',
    'ToMotion': 'dataset',
    'LayoutPreNormalize3D': 'layout',
    'LayoutFlip': 'layout',
}


def dataset_pipelines(dataset_cfg) -> Iterator[Sequence]:
    """Pipelines of a dataset config, looking through wrappers (RepeatDataset, ConcatDataset)."""
    stack = [dataset_cfg]
    while stack:
        ds = stack.pop(0)
        if not isinstance(ds, Mapping):
            continue
        if ds.get('pipeline') is not None:
            yield ds['pipeline']
        stack.extend(ds.get('datasets', None) or [])
        if ds.get('dataset') is not None:
            stack.append(ds['dataset'])


def _config_pipelines(cfg) -> Iterator[Sequence]:
    for loader in ('test_dataloader', 'val_dataloader', 'train_dataloader'):
        loader_cfg = cfg.get(loader, None)
        if isinstance(loader_cfg, Mapping):
            yield from dataset_pipelines(loader_cfg.get('dataset'))
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
