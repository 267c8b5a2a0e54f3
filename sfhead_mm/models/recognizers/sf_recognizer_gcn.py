"""The recognizer a stock skeleton config switches to, to gain SF-Head."""
from types import MappingProxyType
from typing import Mapping, Optional, Sequence

from mmaction.registry import MODELS
from .plugin_recognizer_gcn import PluginRecognizerGCN


@MODELS.register_module()
class SFRecognizerGCN(PluginRecognizerGCN):
    """``RecognizerGCN`` with SF-Head at the GCN->TCN seam of its blocks.

    A stock config becomes its SF-Head version with::

        custom_imports = dict(imports=['sfhead_mm.models'], allow_failed_imports=False)
        model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))

    Args:
        sf_head (dict, optional): Options of :class:`SFHeadPlugin` (``groups``, ``mode``,
            ``blocks``, ``loss_con``, ``loss_red``, ``seam``, ...). ``None`` disables it (then
            only ``plugins`` are used). Defaults to ``dict()``: every block, G=8, inline.
        plugins (Sequence[dict]): Further plugins (FR-Head, RDL, ...).
        **kwargs: ``backbone``, ``cls_head``, ... of ``RecognizerGCN``.
    """

    def __init__(self, sf_head: Optional[Mapping] = MappingProxyType({}),
                 plugins: Sequence[dict] = (),
                 **kwargs):
        cfgs = []
        if sf_head is not None:
            cfgs.append(dict(type='SFHeadPlugin', **sf_head))
        super().__init__(plugins=cfgs + list(plugins), **kwargs)
