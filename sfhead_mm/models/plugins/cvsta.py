"""CVSTA: channel-variable spatial-temporal attention (MDR-GCN, eq. 3-4), in any GCN backbone.

``CVSTA(f_in) = f_R = W_TV tanh(f_T * f_V)``: two 1x1 convolutions take the block input to C_mid
channels (C8: ``C_mid = C_in / 8``), one is pooled over joints (``f_T``, C_mid x T), the other over
frames (``f_V``, C_mid x V); their outer product through ``tanh`` and a 1x1 convolution gives a
weight for every channel, frame and joint of the output (C_out x T x V). MDR-GCN multiplies it
with the transformed features inside its GCN (see :mod:`..backbones.mdrgcn`, where ``f_V`` is
shared with the topology refinement). :class:`CVSTAPlugin` puts it into the blocks of any
backbone from a config: ``gcn(x) * CVSTA(x)`` at the GCN -> TCN seam.
"""
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn

from mmaction.registry import MODELS
from ..utils import conv_init
from .base import BackbonePlugin, LossContext
from .insertion import output_channels


def cvsta_mid_channels(in_channels: int, reduction: int = 8) -> int:
    """``C_in / reduction``; raw coordinates (fewer than 16 channels) get 8, as MDR-GCN's code."""
    return 8 if in_channels < 16 else max(1, in_channels // reduction)


class CVSTA(nn.Module):
    """Spatial-temporal saliency weights of a block's input.

    Args:
        in_channels (int): C_in of the block input.
        out_channels (int): C_out of the tensor the weights multiply.
        mid_channels (int, optional): C_mid. Defaults to ``cvsta_mid_channels(in_channels,
            reduction)``.
        reduction (int): C_mid = C_in / reduction when ``mid_channels`` is not given.
            Defaults to 8 (the paper's C8).

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T, V)
    """

    def __init__(self, in_channels: int, out_channels: int, mid_channels: Optional[int] = None,
                 reduction: int = 8):
        super().__init__()
        mid = mid_channels or cvsta_mid_channels(in_channels, reduction)
        self.in_channels, self.mid_channels, self.out_channels = in_channels, mid, out_channels
        self.conv_t = nn.Conv2d(in_channels, mid, 1)  # f_T after pooling over joints
        self.conv_v = nn.Conv2d(in_channels, mid, 1)  # f_V after pooling over frames
        self.conv_tv = nn.Conv2d(mid, out_channels, 1)  # W_TV
        self.tanh = nn.Tanh()
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                conv_init(m)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f_t = self.conv_t(x).mean(-1, keepdim=True)  # (N, C_mid, T, 1)
        f_v = self.conv_v(x).mean(-2, keepdim=True)  # (N, C_mid, 1, V)
        return self.conv_tv(self.tanh(f_t * f_v))


class _SeamHook:
    """Forward hook on a GCN unit calling ``callback(index, input, output)``.

    A callable object (not a closure) so that ``copy.deepcopy`` of the model keeps working.
    """

    def __init__(self, callback, index: int):
        self.callback, self.index = callback, index

    def __call__(self, module, inputs, output):
        return self.callback(self.index, inputs[0], output)


def input_channels(unit: nn.Module, where: str) -> int:
    """C_in of a GCN unit: its ``in_channels``, else that of its first convolution."""
    channels = getattr(unit, 'in_channels', None)
    if isinstance(channels, int):
        return channels
    for m in unit.modules():
        if isinstance(m, nn.Conv2d):
            return m.in_channels
    raise ValueError(f'{where}: cannot tell the input channels of {type(unit).__name__}; give '
                     f'the plugin `in_channels=[...]`, one per selected block')


@MODELS.register_module()
class CVSTAPlugin(BackbonePlugin):
    """CVSTA at the GCN -> TCN seam of each selected block: ``tcn(gcn(x) * CVSTA(x))``.

    The weights are computed from the GCN unit's input ``x`` (the paper's ``f_in``) and applied
    to the GCN unit's output (its ``f_TV``: the transformed, aggregated features), so the
    backbone's code and checkpoint keys stay as they are; the CVSTA parameters live under
    ``plugins.<i>.attn.<block>``. It changes inference (``affects_inference``) and adds no loss.

    Args:
        reduction (int): C_mid = C_in / reduction (8: the paper's C8; 4, 16 its Table II).
            Defaults to 8.
        mid_channels (int, optional): A fixed C_mid for every block instead.
        residual (bool): ``y + y * CVSTA(x)`` instead of ``y * CVSTA(x)``: the block starts as
            the bare backbone's plus a modulation (useful when fine-tuning a trained baseline).
            Defaults to False (the paper's eq. 4).
        in_channels (Sequence[int], optional): C_in of each selected block's GCN unit, when it
            cannot be read from the unit (``in_channels`` or its first convolution).
        channels (Sequence[int], optional): C_out of each selected block's GCN unit, likewise.
        **kwargs: ``blocks``, ``seam``, ``block_types`` of :class:`BackbonePlugin`.
    """

    affects_inference = True

    def __init__(self, reduction: int = 8, mid_channels: Optional[int] = None,
                 residual: bool = False, in_channels: Optional[Sequence[int]] = None,
                 channels: Optional[Sequence[int]] = None, **kwargs):
        kwargs.setdefault('site', 'gcn')
        if kwargs['site'] != 'gcn':
            raise ValueError('CVSTAPlugin: site must be "gcn" (the attention weights the GCN '
                             'output from the GCN input)')
        super().__init__(**kwargs)
        self.reduction, self.mid_channels, self.residual = reduction, mid_channels, residual
        self.in_channels, self.channels = in_channels, channels
        self.attn = nn.ModuleList()

    def build_block_modules(self, blocks) -> None:
        for key in ('in_channels', 'channels'):
            given = getattr(self, key)
            if given is not None and len(given) != len(blocks):
                raise ValueError(f'CVSTAPlugin: {key} has {len(given)} entries for '
                                 f'{len(blocks)} selected blocks')
        for i, (name, block) in enumerate(blocks):
            where = f'CVSTAPlugin, block {i} ({name or "<root>"})'
            unit = getattr(block, self.seam['gcn'])
            cin = self.in_channels[i] if self.in_channels else input_channels(unit, where)
            cout = self.channels[i] if self.channels else output_channels(unit, where)
            self.attn.append(CVSTA(cin, cout, self.mid_channels, self.reduction))

    def _register_taps(self) -> None:
        if self._tap_plan is not None and not self._handles:
            blocks, indices = self._tap_plan
            self._handles = [
                getattr(blocks[idx][1], self.seam['gcn']).register_forward_hook(
                    _SeamHook(self._weigh, i)) for i, idx in enumerate(indices)]

    def _weigh(self, index: int, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        w = self.attn[index](x)
        if w.shape[-2:] != y.shape[-2:]:
            raise RuntimeError(f'CVSTAPlugin, block {self.block_names[index]!r}: the GCN unit '
                               f'changes (T, V) from {tuple(x.shape[-2:])} to '
                               f'{tuple(y.shape[-2:])}; CVSTA needs the same frames and joints')
        return y + y * w if self.residual else y * w

    def loss(self, ctx: LossContext) -> Dict[str, torch.Tensor]:
        return {}
