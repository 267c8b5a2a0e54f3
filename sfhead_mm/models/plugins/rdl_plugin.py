"""Robust Decouple Loss on the feature the classifier reads, without touching MMAction2's head."""
from typing import Dict, Optional

import torch
import torch.nn as nn

from mmaction.registry import MODELS
from .base import BackbonePlugin, LossContext


@MODELS.register_module()
class RDLPlugin(BackbonePlugin):
    """Adds ``loss_rdl``: :class:`RobustDecoupleLoss` on ``ctx.pooled`` (N, C).

    ``ctx.pooled`` is the backbone output averaged over (T, V) and then persons, exactly what
    ``GCNHead`` feeds its dropout + linear layer, so the head stays MMAction2's own. The plugin
    taps no block: inference is the bare model.

    Args:
        num_classes (int, optional): K. Defaults to the recognizer's ``cls_head.num_classes``.
        in_channels (int, optional): C of the pooled feature. Defaults to the recognizer's
            ``cls_head.in_channels``.
        loss (dict, optional): Options of :class:`RobustDecoupleLoss` (``lambda_out``,
            ``lambda_norm``, ``inter``, ...); ``num_classes`` and ``feat_dim`` are filled in.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self, num_classes: Optional[int] = None, in_channels: Optional[int] = None,
                 loss: Optional[dict] = None, init_cfg=None):
        super().__init__(blocks=None, init_cfg=init_cfg)
        self.num_classes = num_classes
        self.in_channels = in_channels
        self.loss_cfg = {'type': 'RobustDecoupleLoss', **(loss or {})}
        self.rdl: Optional[nn.Module] = None

    def attach(self, backbone: nn.Module, cls_head: Optional[nn.Module] = None) -> None:
        for name in ('num_classes', 'in_channels'):
            if getattr(self, name) is None:
                setattr(self, name, getattr(cls_head, name, None))
            if getattr(self, name) is None:
                raise ValueError(f'RDLPlugin: {name} not given and the recognizer has no '
                                 f'`cls_head.{name}`; set plugins=[dict(type="RDLPlugin", '
                                 f'{name}=...)]')
        cfg = dict(self.loss_cfg, num_classes=self.num_classes, feat_dim=self.in_channels)
        self.rdl = MODELS.build(cfg)
        super().attach(backbone, cls_head)

    def loss(self, ctx: LossContext) -> Dict[str, torch.Tensor]:
        if self.rdl is None:
            raise RuntimeError('RDLPlugin: attach() was not called (add it through a '
                               'PluginRecognizerGCN\'s `plugins`)')
        return dict(loss_rdl=self.rdl(ctx.pooled, ctx.labels))
