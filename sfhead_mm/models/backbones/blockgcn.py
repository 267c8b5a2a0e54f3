"""BlockGCN (Zhou et al., "BlockGCN: Redefine Topology Awareness for Skeleton-Based Action
Recognition", CVPR 2024), after the authors' ZhouYuxuanYX/BlockGCN ``model/BlockGCN.py``.

* BlockGC (:class:`BlockGC`): the channels are split into H groups ("heads"); each head has its
  own learnable V x V topology per subset (initialised to the identity), biased by a learnable
  encoding of the hop distance between joints (the bone connectivity the paper wants to keep),
  and a grouped 1x1 projection. Three subsets are summed.
* The joints are first embedded (linear C -> 128 plus a learnable per-joint position embedding).
* Topological embedding (:class:`PersistenceEmbedding`): 0-dimensional persistent homology of the
  sample's (time-averaged) joint configuration, vectorised by learnable structure elements and
  projected into every block's input.
* Each block is ``relu(tcn(gcn(x)) + residual(x))`` with CTR-GCN's multi-scale TCN; ``gcn`` ->
  ``tcn`` is the seam SF-Head taps.
"""
from types import MappingProxyType
from typing import Mapping, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmaction.registry import MODELS
from ...skeleton import SkeletonLayout
from ..utils.graph import layout_of
from ..utils.input_check import check_skeleton_input
from ..utils.persistence import death_times_0d
from ..utils.stages import build_data_bn, stage_plan
from ..utils.tcn import MultiScaleTCN, TemporalConv, bn_init, conv_init

TOPO_SOURCES = ('joint', 'bone', 'input')
TOPO_NORMS = ('sample', 'batch')


def _column_norm(w: torch.Tensor) -> torch.Tensor:
    """L2 norm over the source-joint axis (-2), as the authors normalise each topology."""
    return torch.norm(w, 2, dim=-2, keepdim=True) + 1e-4


class BlockGC(nn.Module):
    """Block graph convolution with per-head topologies and hop-distance encoding.

    For each subset s: ``z = x_h @ (W_s[h] / |W_s[h]| + R_s[h][hops] / |R_s[h][hops]|)`` per
    head h (column-normalised), then a grouped 1x1 conv (groups = heads); subsets summed, BN,
    residual, ReLU.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        hops (np.ndarray): (V, V) hop distances of the skeleton graph.
        num_heads (int): Heads H when ``in_channels > num_heads``, else 1 (the authors' rule
            for the 3-channel input). Defaults to 8.
        num_subsets (int): Subsets summed. Defaults to 3.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T, V)
    """

    def __init__(self, in_channels: int, out_channels: int, hops: np.ndarray,
                 num_heads: int = 8, num_subsets: int = 3):
        super().__init__()
        heads = num_heads if in_channels > num_heads else 1
        if in_channels % heads or out_channels % heads:
            raise ValueError(f'BlockGC: in_channels={in_channels} and out_channels='
                             f'{out_channels} must be divisible by num_heads={heads}')
        V = hops.shape[0]
        self.in_channels, self.out_channels = in_channels, out_channels
        self.num_heads, self.num_subsets = heads, num_subsets
        self.register_buffer('hops', torch.as_tensor(hops, dtype=torch.long), persistent=False)
        self.topology = nn.Parameter(torch.eye(V).repeat(num_subsets, heads, 1, 1))
        self.hop_encoding = nn.Parameter(torch.zeros(num_subsets, heads, int(hops.max()) + 1))
        self.proj = nn.ModuleList(nn.Conv2d(in_channels, out_channels, 1, groups=heads)
                                  for _ in range(num_subsets))
        if in_channels != out_channels:
            self.down = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1),
                                      nn.BatchNorm2d(out_channels))
        else:
            self.down = nn.Identity()
        self.bn = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                conv_init(m)
            elif isinstance(m, nn.BatchNorm2d):
                bn_init(m, 1)
        # BatchNorm scale 1, also for self.bn: the authors' unit_gcn sets it to 1e-6 and then
        # resets every BatchNorm of the unit to 1 in two later loops.

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, C, T, V = x.shape
        hop_bias = self.hop_encoding[:, :, self.hops]  # (S, H, V, V)
        x_heads = x.view(N, self.num_heads, C // self.num_heads, T, V)
        y = 0
        for s in range(self.num_subsets):
            w = self.topology[s] / _column_norm(self.topology[s]) \
                + hop_bias[s] / _column_norm(hop_bias[s])
            z = torch.einsum('nhctv,hvw->nhctw', x_heads, w).reshape(N, C, T, V)
            y = y + self.proj[s](z)
        return self.relu(self.bn(y) + self.down(x))


class BlockGCNBlock(nn.Module):
    """``relu(tcn(gcn(x)) + residual(x))`` with :class:`BlockGC` and the multi-scale TCN.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        hops (np.ndarray): (V, V) hop distances.
        stride (int): Temporal stride. Defaults to 1.
        num_heads (int): Heads of BlockGC. Defaults to 8.
        tcn_kernel_size (int): Kernel of the dilated TCN branches. Defaults to 5.
        tcn_dilations (Sequence[int]): Dilations of the TCN branches. Defaults to (1, 2).
        batched_tcn (bool): See :class:`~sfhead_mm.models.utils.tcn.MultiScaleTCN`'s
            ``batched``. Defaults to False.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T / stride, V)
    """

    def __init__(self, in_channels: int, out_channels: int, hops: np.ndarray, stride: int = 1,
                 num_heads: int = 8, tcn_kernel_size: int = 5,
                 tcn_dilations: Sequence[int] = (1, 2), batched_tcn: bool = False):
        super().__init__()
        self.gcn = BlockGC(in_channels, out_channels, hops, num_heads=num_heads)
        self.tcn = MultiScaleTCN(out_channels, out_channels, kernel_size=tcn_kernel_size,
                                 stride=stride, dilations=tcn_dilations, residual=False,
                                 bn_weight_std=0.02,  # the authors' weights_init
                                 batched=batched_tcn)
        self.relu = nn.ReLU(inplace=True)
        if in_channels == out_channels and stride == 1:
            self.residual = nn.Identity()
        else:
            self.residual = TemporalConv(in_channels, out_channels, 1, stride)
            conv_init(self.residual.conv)
            bn_init(self.residual.bn, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.tcn(self.gcn(x)) + self.residual(x))


def _bone_to_joint_matrix(layout: SkeletonLayout) -> torch.Tensor:
    """(V, V) matrix P with ``joints = P @ bones`` (up to a translation) for a bone stream.

    ``bone[j] = x[j] - x[ref(j)]`` along the layout's bone pairs, so ``x[j] - x[root]`` is the sum
    of the bones on the path from j to the root (the joint paired with itself).
    """
    refs = dict(layout.bones)
    P = torch.zeros(layout.num_joints, layout.num_joints)
    for j in range(layout.num_joints):
        k, seen = j, set()
        while refs[k] != k:
            if k in seen:
                raise ValueError(f'BlockGCN: the bone pairs of layout {layout.name!r} contain a '
                                 f'cycle through joint {k}; topology source "bone" needs a tree')
            seen.add(k)
            P[j, k] = 1
            k = refs[k]
    return P


class PersistenceEmbedding(nn.Module):
    """BlockGCN's topological feature of a sample: persistence of its joint configuration.

    The joints are averaged over persons and frames; the pairwise distance matrix D (V, V) of
    those mean positions is scaled to [0, 1]; each joint is then the point ``D[v]`` in R^V (its
    distance profile), and the 0-dimensional persistence diagram of the Vietoris-Rips filtration
    of those V points (:func:`~sfhead_mm.models.utils.persistence.death_times_0d`) is turned into
    K numbers by learnable structure elements:
    ``f_k = sum_p exp(-(s_k0^2 (c_k0 - birth_p)^2 + s_k1^2 (c_k1 - death_p)^2))``.

    Args:
        layout (SkeletonLayout): The layout (for ``source='bone'``).
        num_elements (int): K structure elements. Defaults to 64.
        source (str): What the input holds: ``'joint'`` coordinates, ``'bone'`` vectors (joints
            are rebuilt along the layout's bone pairs; distances are translation-invariant, so
            this is exact), or ``'input'`` (use the input as it is, e.g. motion streams).
            Defaults to 'joint'.
        norm (str): ``'sample'`` scales each sample's D by its own maximum; ``'batch'`` by the
            batch's min/max, as the authors' code (a sample's feature then depends on the rest of
            the batch). Defaults to 'sample'.
        channels (int, optional): Use only the first ``channels`` input channels (e.g. 2 for 2D
            keypoints with a score channel). Defaults to all.

    Shapes:
        (N, M, T, V, C) -> (N, K)
    """

    def __init__(self, layout: SkeletonLayout, num_elements: int = 64, source: str = 'joint',
                 norm: str = 'sample', channels: Optional[int] = None):
        super().__init__()
        if source not in TOPO_SOURCES:
            raise ValueError(f'BlockGCN topo_cfg: source={source!r}; use one of {TOPO_SOURCES}')
        if norm not in TOPO_NORMS:
            raise ValueError(f'BlockGCN topo_cfg: norm={norm!r}; use one of {TOPO_NORMS}')
        self.source, self.norm, self.channels = source, norm, channels
        self.num_elements = num_elements
        if source == 'bone':
            self.register_buffer('bone_to_joint', _bone_to_joint_matrix(layout),
                                 persistent=False)
        # torch-topological's StructureElementLayer initialisation.
        self.centres = nn.Parameter(torch.rand(num_elements, 2))
        self.sharpness = nn.Parameter(torch.full((num_elements, 2), 3.))

    @torch.no_grad()
    def diagram(self, x: torch.Tensor) -> torch.Tensor:
        """Death times (N, V - 1) of the sample's joint configuration (births are all 0)."""
        if self.channels is not None:
            x = x[..., :self.channels]
        if x.dtype in (torch.float16, torch.bfloat16):  # cdist wants full precision
            x = x.float()
        centre = x.mean(dim=(1, 2))  # (N, V, C): mean over persons and frames
        if self.source == 'bone':
            centre = torch.einsum('jv,nvc->njc', self.bone_to_joint, centre)
        dist = torch.cdist(centre, centre)
        if self.norm == 'sample':
            dist = dist / dist.amax(dim=(1, 2), keepdim=True).clamp_min(1e-12)
        else:
            lo, hi = dist.min(), dist.max()
            dist = (dist - lo) / (hi - lo).clamp_min(1e-12)
        profiles = torch.cdist(dist, dist)  # joints as points: their distance profiles
        return death_times_0d(profiles)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        deaths = self.diagram(x)  # (N, P)
        points = torch.stack([torch.zeros_like(deaths), deaths], dim=-1)  # (N, P, 2)
        diff = self.centres[None, :, None, :] - points[:, None]  # (N, K, P, 2)
        weights = self.sharpness.pow(2)[None, :, None, :]
        return torch.exp(-(diff.pow(2) * weights).sum(-1)).sum(-1)


class TopologyProjection(nn.Module):
    """The topological feature projected to one block's input channels (Linear, BN, ReLU).

    The BatchNorm normalises over the samples of the batch (the authors' ``TopoTrans``); a
    training batch of a single sample uses the running statistics instead of failing.

    Shapes:
        (N, K) -> (N, C)
    """

    def __init__(self, num_elements: int, channels: int):
        super().__init__()
        self.fc = nn.Linear(num_elements, channels)
        self.bn = nn.BatchNorm1d(channels)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.fc(x)
        if self.training and y.shape[0] == 1:
            # One sample has no batch statistics (BatchNorm1d would raise); normalise it with
            # the running ones, as at inference, and leave them unchanged.
            y = F.batch_norm(y, self.bn.running_mean, self.bn.running_var, self.bn.weight,
                             self.bn.bias, training=False, eps=self.bn.eps)
        else:
            y = self.bn(y)
        return self.relu(y)


def _layout_from_graph_cfg(graph_cfg: dict) -> SkeletonLayout:
    cfg = dict(graph_cfg)
    mode = cfg.pop('mode', 'spatial')
    if mode != 'spatial':
        raise ValueError(f'BlockGCN: graph_cfg.mode={mode!r}; BlockGCN reads only the '
                         f'skeleton (hop distances), use "spatial"')
    layout = layout_of(cfg, 'BlockGCN')
    cfg.pop('layout')
    if cfg:
        raise KeyError(f'BlockGCN: unknown graph_cfg keys {sorted(cfg)}; expected layout, mode')
    return layout


@MODELS.register_module()
class BlockGCN(BaseModule):
    """BlockGCN backbone.

    The authors' model: joint embedding to ``base_channels`` (128), then ten blocks of 128 x4,
    256 (stride 2) x3, 256 (stride 2) x3, each block's input offset by the projected
    topological feature.

    Args:
        graph_cfg (dict): ``layout`` (registered name or dict, e.g. ``'nturgb+d'``,
            ``'nw-ucla'``); ``mode`` is accepted for stock configs and must be ``'spatial'``.
        in_channels (int): Input channels (3 for 3D joints). Defaults to 3.
        base_channels (int): Embedding and first-stage channels. Defaults to 128.
        data_bn_type (str): ``'MVC'`` (the authors'), ``'VC'`` or ``None``. Defaults to 'MVC'.
        ch_ratio (int): Channel multiplier at each inflate stage. Defaults to 2.
        num_person (int): M, persons per sample. Defaults to 2.
        num_stages (int): Number of blocks. Defaults to 10.
        inflate_stages (Sequence[int]): 1-based stages that multiply the channels.
            Defaults to (5,).
        down_stages (Sequence[int]): 1-based stages with temporal stride 2. Defaults to (5, 8).
        num_heads (int): Heads of BlockGC. Defaults to 8.
        topo_cfg (dict, optional): Options of :class:`PersistenceEmbedding` (``num_elements``,
            ``source``, ``norm``, ``channels``); ``None`` removes the topological embedding.
            Defaults to ``dict()``.
        tcn_kernel_size (int): Kernel of the dilated TCN branches. Defaults to 5.
        tcn_dilations (Sequence[int]): Dilations of the TCN branches. Defaults to (1, 2).
        batched_tcn (bool): Compute the multi-scale TCN's branches together (same parameters
            and state dict, equal outputs up to rounding, see
            :meth:`~sfhead_mm.models.utils.tcn.MultiScaleTCN.forward_batched`). Defaults to
            False.
        init_cfg (dict | list[dict], optional): Initialisation config.

    Shapes:
        (N, M, T, V, C) -> (N, M, C_out, T_out, V)
    """

    def __init__(self, graph_cfg: dict, in_channels: int = 3, base_channels: int = 128,
                 data_bn_type: Optional[str] = 'MVC', ch_ratio: int = 2, num_person: int = 2,
                 num_stages: int = 10, inflate_stages: Sequence[int] = (5, ),
                 down_stages: Sequence[int] = (5, 8), num_heads: int = 8,
                 topo_cfg: Optional[Mapping] = MappingProxyType({}), tcn_kernel_size: int = 5,
                 tcn_dilations: Sequence[int] = (1, 2), batched_tcn: bool = False,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.layout = _layout_from_graph_cfg(graph_cfg)
        V = self.layout.num_joints
        hops = self.layout.hop_distance()
        self.in_channels, self.num_person, self.data_bn_type = in_channels, num_person, \
            data_bn_type

        self.joint_embedding = nn.Linear(in_channels, base_channels)
        self.pos_embedding = nn.Parameter(torch.randn(1, V, base_channels))
        self.data_bn = build_data_bn(data_bn_type, base_channels, V, num_person, 'BlockGCN')
        plan = stage_plan(base_channels, base_channels, num_stages, inflate_stages, down_stages,
                          ch_ratio)
        self.gcn = nn.ModuleList(
            BlockGCNBlock(cin, cout, hops, stride=stride, num_heads=num_heads,
                          tcn_kernel_size=tcn_kernel_size, tcn_dilations=tcn_dilations,
                          batched_tcn=batched_tcn)
            for cin, cout, stride in plan)
        self.out_channels = plan[-1][1]
        block_in = [cin for cin, _, _ in plan]

        if topo_cfg is None:
            self.topo, self.topo_proj = None, None
        else:
            self.topo = PersistenceEmbedding(self.layout, **dict(topo_cfg))
            self.topo_proj = nn.ModuleList(
                TopologyProjection(self.topo.num_elements, c) for c in block_in)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Args:
            x (torch.Tensor): (N, M, T, V, C) skeletons.

        Returns:
            torch.Tensor: (N, M, C_out, T_out, V).
        """
        check_skeleton_input(x, 'BlockGCN', self.layout.num_joints, self.in_channels,
                             self.num_person if self.data_bn_type == 'MVC' else None)
        N, M, T, V, _ = x.shape
        topo = self.topo(x) if self.topo is not None else None

        h = self.data_bn(self.joint_embedding(x) + self.pos_embedding)  # (N*M, C, T, V)

        for i, block in enumerate(self.gcn):
            if topo is not None:
                # One feature per sample, shared by its persons (rows are sample-major).
                offset = self.topo_proj[i](topo).repeat_interleave(M, dim=0)
                h = h + offset[:, :, None, None]
            h = block(h)
        return h.reshape((N, M) + h.shape[1:])
