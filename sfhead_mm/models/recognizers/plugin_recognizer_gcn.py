"""A ``RecognizerGCN`` that wires plugins (SF-Head, FR-Head, RDL, ...) into its backbone."""
import contextlib
from typing import Dict, List, Sequence

import torch
from mmengine.model import ModuleList

from mmaction.models.recognizers import RecognizerGCN
from mmaction.registry import MODELS
from mmaction.utils import SampleList
from ..plugins.base import BackbonePlugin, LossContext


@MODELS.register_module()
class PluginRecognizerGCN(RecognizerGCN):
    """``RecognizerGCN`` plus training-time plugins tapped into the backbone.

    The training loss dict carries ``loss_cls`` and every plugin's own (already weighted) terms
    under their own keys, so the log shows each. ``tensor`` and ``predict`` modes run the
    backbone with its taps: plugins that do not affect inference leave it untouched, and those
    with ``taps_while_capturing_only`` (FR-Head) have no tap outside ``loss`` at all.

    Args:
        plugins (Sequence[dict]): Plugin configs, each built from ``MODELS``.
        **kwargs: ``backbone``, ``cls_head``, ... of ``RecognizerGCN``.
    """

    def __init__(self, plugins: Sequence[dict] = (), **kwargs):
        super().__init__(**kwargs)
        self.plugins = ModuleList()
        for cfg in plugins:
            self.add_plugin(MODELS.build(cfg))

    def add_plugin(self, plugin: BackbonePlugin) -> None:
        if not isinstance(plugin, BackbonePlugin):
            raise TypeError(f'{type(plugin).__name__} is not a BackbonePlugin')
        plugin.attach(self.backbone, cls_head=self.cls_head)
        self.plugins.append(plugin)

    @contextlib.contextmanager
    def _capturing(self):
        for plugin in self.plugins:
            plugin.start_capture()
        try:
            yield
        finally:
            for plugin in self.plugins:
                plugin.stop_capture()

    def loss(self, inputs: torch.Tensor, data_samples: SampleList, **kwargs) -> Dict:
        """Classification loss plus the plugins' terms.

        Args:
            inputs (torch.Tensor): (B, num_clips, M, T, V, C).
            data_samples (list[ActionDataSample]): With ``gt_label``.
        """
        with self._capturing():
            feats, loss_kwargs = self.extract_feat(inputs, data_samples=data_samples)
        # float32 scores: under bf16 autocast MMAction2's loss_by_feat calls .numpy() on them
        # (top-k accuracy), which numpy cannot represent; the CE runs in float32 anyway.
        cls_scores = self.cls_head(feats, **loss_kwargs).float()
        losses = self.cls_head.loss_by_feat(cls_scores, data_samples)
        losses.update(loss_kwargs.get('loss_aux', {}))
        if len(self.plugins):
            ctx = self._loss_context(feats, cls_scores, data_samples)
            for plugin in self.plugins:
                for key, value in plugin.loss(ctx).items():
                    if key in losses:
                        raise KeyError(f'{type(plugin).__name__} returns loss key {key!r}, '
                                       f'which another term already uses')
                    losses[key] = value
        return losses

    @staticmethod
    def _loss_context(feats, cls_scores, data_samples) -> LossContext:
        N, M = feats.shape[:2]
        labels = torch.stack([ds.gt_label for ds in data_samples]).to(
            cls_scores.device).view(-1).long()
        # MMAction2's GCNHead: global average over (T, V), then over persons.
        pooled = feats.mean(dim=(-1, -2)).mean(dim=1)
        return LossContext(batch_size=N, num_person=M, backbone_out=feats,
                           cls_scores=cls_scores, labels=labels, pooled=pooled)

    def inference_affected(self) -> List[str]:
        """Names of plugins that change the inference computation."""
        return [type(p).__name__ for p in self.plugins if p.affects_inference]
