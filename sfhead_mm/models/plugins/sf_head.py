"""SF-Head, the module of Huang et al., *Synchronized and Fine-Grained Head for Skeleton-Based
Ambiguous Action Recognition*: synchronized spatial-temporal extraction (SSTE) followed by
adaptive cross-dimensional feature aggregation (AC-FA), inserted between the GCN and the TCN
unit of a block.

The forward pass is written as the paper states it (with the authors' published module deciding
where the text is open; ``docs/sf_head.md`` lists those decisions). It is plain autograd code
with no data-dependent control flow, so ``torch.compile`` captures it as one graph and fuses its
elementwise passes.
"""
from typing import Dict, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmaction.registry import MODELS

#: Order of the squared norms in :meth:`SFHead.stats`, and of the inner products with f_r.
SQ_ORDER = ('f_t', 'f_s', 'f_c', 'f_o', 'f_r')
DOT_ORDER = ('f_t', 'f_s', 'f_c', 'f_o')


class ZPoolGate(nn.Module):
    """AC-FA attention gate: ``x * sigmoid(BN(conv7x7(cat(max_d x, mean_d x))))``.

    Pools one axis ``d`` of ``x`` (N, c, T, V); the gate is a map over the two other axes, in
    their order in ``x``.

    Args:
        kernel_size (int): Convolution kernel size. Defaults to 7.
        transposed (bool): The authors' module lays this gate's map out with the two axes
            swapped; the kernel is stored in their orientation and applied transposed
            (``conv(m^T, w) = conv(m, w^T)^T``), which keeps the map in ``x``'s order.
            Defaults to False.
    """

    def __init__(self, kernel_size: int = 7, transposed: bool = False):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2, bias=False)
        self.bn = nn.BatchNorm2d(1)
        self.transposed = transposed

    def forward(self, x: torch.Tensor, dim: int) -> torch.Tensor:
        return x * self.gate_map(x.amax(dim), x.mean(dim)).unsqueeze(dim).to(x.dtype)

    def gate_map(self, pooled_max: torch.Tensor, pooled_mean: torch.Tensor) -> torch.Tensor:
        """``sigmoid(BN(conv7x7(...)))`` of the two pooled maps, each (N, a, b) -> (N, a, b)."""
        pooled = torch.stack([pooled_max, pooled_mean], 1)
        # oneDNN runs this 2 -> 1 channel convolution, and above all its backward, several
        # times faster on a channels-last map, and on maps in x's axis order (the frame x
        # channel map is only c' columns wide); the values are the same.
        pooled = pooled.contiguous(memory_format=torch.channels_last)
        weight = self.conv.weight.transpose(2, 3) if self.transposed else self.conv.weight
        return torch.sigmoid(self.bn(F.conv2d(pooled, weight, padding=self.conv.padding)))[:, 0]


@MODELS.register_module()
class SFHead(BaseModule):
    """Synchronized and Fine-grained Head.

    Args:
        in_channels (int): Channels C of the feature map it refines; must be divisible by
            ``4 * groups``.
        groups (int): Channel groups G folded into the batch. Defaults to 8.
        init_cfg (dict, optional): Initialisation config (the paper's initial values are set
            in ``__init__``).

    Shapes:
        - input ``x``: (B, C, T, V), with B = N * M (persons folded into the batch).
        - output: (B, C, T, V).
        - branch features: each (B * G, C / (4G), T, V).
    """

    def __init__(self, in_channels: int, groups: int = 8, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if groups < 1 or in_channels % (4 * groups) != 0:
            raise ValueError(
                f'SFHead: in_channels={in_channels} is not divisible by 4 * groups = '
                f'{4 * groups} (groups={groups}); choose groups so that C % (4G) == 0')
        self.in_channels = in_channels
        self.groups = groups
        c = in_channels // (4 * groups)
        self.branch_channels = c
        # SSTE: per-channel gate parameters shared by all groups.
        self.cweight = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.cbias = nn.Parameter(torch.ones(1, c, 1, 1))
        self.sweight = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.sbias = nn.Parameter(torch.ones(1, c, 1, 1))
        self.gn = nn.GroupNorm(c, c)
        # AC-FA: gate_cv pools T (map channel x joint), gate_tc pools V (frame x channel),
        # gate_tv pools C (frame x joint); eta weighs the three gated maps and f_c.
        self.gate_cv = ZPoolGate()
        self.gate_tc = ZPoolGate(transposed=True)
        self.gate_tv = ZPoolGate()
        self.eta = nn.Parameter(torch.ones(4))

    def extra_repr(self) -> str:
        return f'in_channels={self.in_channels}, groups={self.groups}'

    def branches(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        """The branch features the output is assembled from (and the losses read).

        Args:
            x (torch.Tensor): (B, C, T, V).

        Returns:
            dict: ``f_t``, ``f_s``, ``f_c``, ``f_o``, ``f_r``, each (B * G, C / 4G, T, V).
        """
        B, C, T, V = x.shape
        if C != self.in_channels:
            raise ValueError(f'SFHead built for {self.in_channels} channels got {C}')
        G = self.groups
        x1, x2, x3, x4 = x.reshape(B * G, C // G, T, V).chunk(4, dim=1)

        # Every branch computes in x's dtype: under bf16 autocast the float32 parameters (and
        # GroupNorm, which autocast runs in float32) would otherwise promote the output, and with
        # it the rest of the block, to float32 (1.47x the bare step instead of 1.28x, measured).
        cweight, cbias, sweight, sbias = (p.to(x.dtype) for p in (
            self.cweight, self.cbias, self.sweight, self.sbias))

        # SSTE: temporal (channel gate from the (T, V) mean) and spatial (GroupNorm) branches
        f_t = x1 * torch.sigmoid(cweight * x1.mean((2, 3), keepdim=True) + cbias)
        f_s = x3 * torch.sigmoid(sweight * self.gn(x3).to(x.dtype) + sbias)
        f_c, f_o = x2, x4

        # AC-FA: three gates, each pooling one axis, and their weighted sum with f_c
        g_cv = self.gate_cv(f_t, dim=2)  # pool T: map channel x joint
        g_tc = self.gate_tc(f_s, dim=3)  # pool V: map frame x channel (see ZPoolGate)
        g_tv = self.gate_tv(f_c, dim=1)  # pool C: map frame x joint
        w = torch.softmax(self.eta, 0).to(x.dtype)
        f_r = w[0] * g_cv + w[1] * g_tc + w[2] * g_tv + w[3] * f_c
        return dict(f_t=f_t, f_s=f_s, f_c=f_c, f_o=f_o, f_r=f_r)

    def assemble(self, feats: Dict[str, torch.Tensor], batch: int) -> torch.Tensor:
        """``shuffle(ungroup(cat([f_t, f_s, f_r, f_o])))``: the (B, C, T, V) output."""
        cat = torch.cat([feats['f_t'], feats['f_s'], feats['f_r'], feats['f_o']], 1)
        _, _, T, V = cat.shape
        C = self.in_channels
        out = cat.reshape(batch, 2, C // 2, T, V).transpose(1, 2)  # channel shuffle, 2 groups
        return out.reshape(batch, C, T, V)

    def forward(self, x: torch.Tensor, return_feats: bool = False
                ) -> Union[torch.Tensor, Tuple[torch.Tensor, Dict[str, torch.Tensor]]]:
        """Refine ``x``.

        Args:
            x (torch.Tensor): (B, C, T, V).
            return_feats (bool): Also return the branch features (see :meth:`branches`).

        Returns:
            torch.Tensor | tuple: The refined map (B, C, T, V); with ``return_feats`` also the
            dict of branch features.
        """
        feats = self.branches(x)
        out = self.assemble(feats, x.shape[0])
        return (out, feats) if return_feats else out

    def forward_with_stats(self, x: torch.Tensor) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
        """The output and, per backbone row, the inner products the losses need.

        Args:
            x (torch.Tensor): (B, C, T, V).

        Returns:
            tuple: ``out`` (B, C, T, V) and :meth:`stats` of the branch features.
        """
        out, feats = self(x, return_feats=True)
        return out, self.stats(feats, x.shape[0])

    @staticmethod
    def stats(feats: Dict[str, torch.Tensor], rows: int) -> Dict[str, torch.Tensor]:
        """Per-row squared norms and inner products of the branch features.

        F-CL and F-RL are functions of cosines between whole per-sample maps, so these small
        tensors are all they need (the plugin sums the M person rows of each sample).

        Args:
            feats (dict): Branch features, each (rows * G, c', T, V).
            rows (int): B, backbone rows (N * M).

        Returns:
            dict: ``sq`` (B, 5): squared norms in :data:`SQ_ORDER`; ``dot`` (B, 4):
            ``f_r . f`` for f in :data:`DOT_ORDER`; ``cross`` (B, B): ``f_s[i] . f_t[j]``.
        """
        flat = {k: v.reshape(rows, -1) for k, v in feats.items()}
        # sums of thousands of products: accumulated in float32 at least (bf16 features)
        acc = torch.promote_types(flat['f_r'].dtype, torch.float32)
        sq = torch.stack([flat[k].square().sum(1, dtype=acc) for k in SQ_ORDER], 1)
        dot = torch.stack([(flat['f_r'] * flat[k]).sum(1, dtype=acc) for k in DOT_ORDER], 1)
        return dict(sq=sq, dot=dot, cross=flat['f_s'] @ flat['f_t'].t())

    @staticmethod
    def num_params(in_channels: int, groups: int = 8) -> int:
        """Parameters of one head: 6 per branch channel plus 304 for the gates and ``eta``."""
        return 6 * (in_channels // (4 * groups)) + 3 * (2 * 49 + 2) + 4
