"""Export a deploy checkpoint: the trained model without its training-only plugins.

A :class:`~sfhead_mm.models.recognizers.PluginRecognizerGCN` carries plugins whose
``affects_inference`` is False (SF-Head in auxiliary mode, FR-Head, RDL): their weights change
nothing at inference. The export drops them (and the optimizer state and message hub of a
training checkpoint) and writes, next to the checkpoint, the config of the model that remains:
MMAction2's plain ``RecognizerGCN`` when no plugin is left, else a ``PluginRecognizerGCN`` with the
plugins that act at inference (inline SF-Head), which runs unchanged. Before writing, both models
are run on the same input and must give identical outputs.
"""
import copy
import os
import os.path as osp
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmengine.config import Config

from ..utils.atomic_write import atomic_path
from ..datasets.input_spec import input_spec_of
from .inference import init_recognizer

PLUGIN_RECOGNIZERS = ('PluginRecognizerGCN', 'SFRecognizerGCN')


@dataclass
class DeployResult:
    """What :func:`export_deploy` wrote and removed."""

    checkpoint: str
    config: str
    dropped: List[str] = field(default_factory=list)
    kept: List[str] = field(default_factory=list)
    source_bytes: int = 0
    deploy_bytes: int = 0
    verified: bool = False


def plugin_cfgs(model_cfg: Mapping) -> List[dict]:
    """Configs of a plugin recognizer's plugins, in the order the recognizer builds them."""
    kind = model_cfg.get('type')
    plugins = [dict(p) for p in model_cfg.get('plugins', None) or []]
    if kind == 'SFRecognizerGCN':
        sf_head = model_cfg.get('sf_head', {})  # absent = SFRecognizerGCN's default, {}
        return ([dict(type='SFHeadPlugin', **sf_head)] if sf_head is not None else []) + plugins
    if kind == 'PluginRecognizerGCN':
        return plugins
    raise ValueError(f'model.type={kind!r}: no plugins to export (expected one of '
                     f'{PLUGIN_RECOGNIZERS})')


def deploy_model_cfg(model_cfg: Mapping, keep: List[int]) -> Tuple[dict, List[dict]]:
    """The deploy model config keeping the plugins at ``keep``; also all plugin configs."""
    cfgs = plugin_cfgs(model_cfg)
    out = {k: v for k, v in model_cfg.items() if k not in ('type', 'sf_head', 'plugins')}
    if keep:
        out.update(type='PluginRecognizerGCN', plugins=[cfgs[i] for i in keep])
    else:
        out['type'] = 'RecognizerGCN'
    return out, cfgs


def _rename_plugin_keys(state: Dict[str, torch.Tensor], keep: List[int]
                        ) -> Dict[str, torch.Tensor]:
    new_index = {old: new for new, old in enumerate(keep)}
    out = {}
    for key, value in state.items():
        if key.startswith('plugins.'):
            _, index, rest = key.split('.', 2)
            if int(index) not in new_index:
                continue
            key = f'plugins.{new_index[int(index)]}.{rest}'
        out[key] = value
    return out


def _probe_input(cfg) -> Optional[torch.Tensor]:
    """A random model input ``(1, 1, M, T, V, C)`` shaped by the config's input spec, or None."""
    shape = input_spec_of(cfg).input_shape(batch=1, num_person=2, clip_len=32)
    if shape is None:
        return None
    gen = torch.Generator().manual_seed(0)
    return torch.randn(1, 1, *shape[1:], generator=gen)


@torch.no_grad()
def _outputs(model, x: torch.Tensor) -> torch.Tensor:
    feats, _ = model.extract_feat(x)
    return model.cls_head(feats)


def _save_atomic(obj, path: str) -> None:
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


def _dump_config_atomic(cfg: Config, path: str) -> None:
    with atomic_path(path) as tmp:
        cfg.dump(tmp)


def export_deploy(config: Union[str, Config], checkpoint: str, out: str,
                  out_config: Optional[str] = None,
                  cfg_options: Optional[dict] = None) -> DeployResult:
    """Write the deploy checkpoint ``out`` and its config (``out`` with ``.py``).

    Args:
        config (str | Config): The training config.
        checkpoint (str): The trained checkpoint.
        out (str): Deploy checkpoint to write (``.pth``).
        out_config (str, optional): Config to write. Defaults to ``out`` with ``.py``.
        cfg_options (dict, optional): Overrides of the training config.

    Returns:
        DeployResult: Paths, dropped and kept plugins, file sizes, whether the outputs were
        compared on a probe input.

    Raises:
        RuntimeError: The deploy model's outputs differ from the trained model's.
    """
    from mmaction.registry import MODELS
    model = init_recognizer(config, checkpoint, cfg_options=cfg_options)
    cfg = model.cfg
    model_cfg = cfg.model.to_dict() if hasattr(cfg.model, 'to_dict') else dict(cfg.model)
    plugins = list(getattr(model, 'plugins', []) or [])
    keep = [i for i, p in enumerate(plugins) if p.affects_inference]
    if plugins:
        new_model_cfg, cfgs = deploy_model_cfg(model_cfg, keep)
        for plugin, pcfg in zip(plugins, cfgs):
            if type(plugin).__name__ != pcfg.get('type'):
                raise ValueError(f'plugin {type(plugin).__name__} does not match its config '
                                 f'{pcfg.get("type")!r}; cannot export')
    else:
        new_model_cfg = model_cfg
    state = _rename_plugin_keys(model.state_dict(), keep)
    deploy = MODELS.build(new_model_cfg)
    deploy.load_state_dict(state, strict=True)
    deploy.eval()
    result = DeployResult(checkpoint=out, config=out_config or osp.splitext(out)[0] + '.py',
                          dropped=[type(p).__name__ for i, p in enumerate(plugins)
                                   if i not in keep],
                          kept=[type(plugins[i]).__name__ for i in keep])
    probe = _probe_input(cfg)
    if probe is not None:
        before, after = _outputs(model, probe), _outputs(deploy, probe)
        if not torch.equal(before, after):
            raise RuntimeError(f'the deploy model differs from the trained one by up to '
                               f'{(before - after).abs().max().item():.3g}; nothing written')
        result.verified = True
    new_cfg = copy.deepcopy(cfg)
    new_cfg.model = new_model_cfg
    for key in ('load_from', 'resume'):
        new_cfg.pop(key, None)
    old_meta = dict(getattr(model, 'checkpoint_meta', {}) or {})
    meta = {k: old_meta[k] for k in ('dataset_meta', 'epoch', 'iter', 'mmengine_version',
                                     'seed', 'experiment_name') if k in old_meta}
    meta.update(cfg=new_cfg.pretty_text,
                deploy=dict(source_checkpoint=osp.abspath(checkpoint), dropped=result.dropped,
                            kept=result.kept))
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    _dump_config_atomic(new_cfg, result.config)
    _save_atomic(dict(meta=meta, state_dict=deploy.state_dict()), out)
    result.source_bytes = osp.getsize(checkpoint)
    result.deploy_bytes = osp.getsize(out)
    return result
