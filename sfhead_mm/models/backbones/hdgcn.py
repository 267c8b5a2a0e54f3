"""HD-GCN (Lee et al., "Hierarchically Decomposed Graph Convolutional Networks for Skeleton-Based
Action Recognition", ICCV 2023), after the authors' Jho-Yonsei/HD-GCN ``model/HDGCN.py``.

Each block is ``relu(tcn(gcn(x)) + residual(x))``: the GCN unit (:class:`HDGraphConv`) convolves
over every layer of the hierarchically decomposed graph (:mod:`..utils.hd_graph`) with three
adaptive subsets plus an edge convolution (dynamic k-NN graph in feature space), and merges the
layers by attention-guided hierarchy aggregation (:class:`HierarchyAggregation`, all blocks but
the first); the TCN unit is CTR-GCN's multi-scale temporal convolution.
"""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmaction.registry import MODELS
from ..utils.graph import layout_of
from ..utils.hd_graph import HierarchicalGraph
from ..utils.input_check import check_skeleton_input
from ..utils.stages import build_data_bn, stage_plan
from ..utils.tcn import MultiScaleTCN, TemporalConv, bn_init, conv_init


GRAPH_KEYS = {'layout', 'com', 'max_levels', 'mode'}


def _init_units(module: nn.Module) -> None:
    """The authors' init of their GCN units: Kaiming (fan_out) convs, unit BatchNorm."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            conv_init(m)
        elif isinstance(m, nn.BatchNorm2d):
            bn_init(m, 1)


class EdgeConv(nn.Module):
    """Edge convolution over the k nearest neighbours in feature space (DGCNN style).

    For every node, the features ``(x_j - x_i, x_i)`` of its k nearest nodes j (itself
    included) go through a shared 1x1 conv, BN and LeakyReLU, then a max over the neighbours.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        k (int): Neighbours per node (clipped to the number of nodes).

    Shapes:
        (N, C_in, V) -> (N, C_out, V)
    """

    def __init__(self, in_channels: int, out_channels: int, k: int):
        super().__init__()
        self.k = k
        self.conv = nn.Sequential(
            nn.Conv2d(in_channels * 2, out_channels, 1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.LeakyReLU(0.2, inplace=True))
        _init_units(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, C, V = x.shape
        k = min(self.k, V)
        # Negative squared distances: the k largest are the k nearest (the node itself first).
        inner = torch.matmul(x.transpose(1, 2), x)
        sq = (x ** 2).sum(dim=1, keepdim=True)
        idx = (2 * inner - sq - sq.transpose(1, 2)).topk(k, dim=-1)[1]  # (N, V, k)
        nodes = x.transpose(1, 2)  # (N, V, C)
        neighbours = nodes[torch.arange(N, device=x.device)[:, None, None], idx]  # (N, V, k, C)
        centre = nodes.unsqueeze(2).expand_as(neighbours)
        feats = torch.cat([neighbours - centre, centre], dim=-1).permute(0, 3, 1, 2)
        return self.conv(feats).max(dim=-1)[0]


class HierarchyAggregation(nn.Module):
    """Attention-guided hierarchy aggregation (A-HA): weights the L layers of the HD-Graph.

    Each layer's features are max-pooled over time, squeezed to C/4 channels and averaged over
    that layer's joints; an edge convolution over the L layer descriptors and a 1x1 conv give a
    sigmoid weight per (channel, layer); the layers are summed with those weights.

    Args:
        channels (int): Channels C of the GCN output.
        layers (Sequence[Sequence[int]]): Joints of each layer (``HierarchicalGraph.layers``).
        num_joints (int): V.
        k (int): Neighbours of the edge convolution over layers. Defaults to 3.

    Shapes:
        (N, C, L, T, V) -> (N, C, T, V)
    """

    def __init__(self, channels: int, layers: Sequence[Sequence[int]], num_joints: int,
                 k: int = 3):
        super().__init__()
        inter = channels // 4
        pool = torch.zeros(len(layers), num_joints)
        for i, joints in enumerate(layers):
            pool[i, list(joints)] = 1. / len(joints)
        # Averaging matrix (L, V): one matmul instead of L index-and-mean ops.
        self.register_buffer('layer_pool', pool, persistent=False)
        self.conv_down = nn.Sequential(
            nn.Conv2d(channels, inter, 1), nn.BatchNorm2d(inter), nn.ReLU(inplace=True))
        self.edge_conv = EdgeConv(inter, inter, k=k)
        self.aggregate = nn.Conv1d(inter, channels, 1)
        _init_units(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, C, L = x.shape[:3]
        desc = self.conv_down(x.max(dim=-2)[0])  # (N, C/4, L, V)
        desc = torch.einsum('nclv,lv->ncl', desc, self.layer_pool)
        att = torch.sigmoid(self.aggregate(self.edge_conv(desc)))  # (N, C, L)
        return (x * att.view(N, C, L, 1, 1)).sum(dim=2)


class HDGraphConv(nn.Module):
    """HD-GCN's graph convolution over the hierarchically decomposed graph.

    For each layer l: a 1x1 squeeze to C_out/4 channels, then the three subsets of ``A[l]``
    (learnable, initialised to the HD-Graph), each followed by 1x1 conv + BN, and an edge
    convolution; the four outputs are concatenated to C_out channels. Layers are summed (first
    block) or merged by :class:`HierarchyAggregation`; then BN, residual and ReLU.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels; a multiple of 4.
        graph (HierarchicalGraph): The HD-Graph.
        attention (bool): Merge the layers with A-HA (else sum). Defaults to True.
        edge_k (int): Neighbours of the per-layer edge convolution. Defaults to 5.
        aha_k (int): Neighbours of A-HA's edge convolution. Defaults to 3.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T, V)
    """

    def __init__(self, in_channels: int, out_channels: int, graph: HierarchicalGraph,
                 attention: bool = True, edge_k: int = 5, aha_k: int = 3):
        super().__init__()
        num_layers, num_subsets = graph.A.shape[:2]
        if out_channels % (num_subsets + 1):
            raise ValueError(f'HDGraphConv: out_channels={out_channels} must be divisible by '
                             f'{num_subsets + 1} (three subsets + edge convolution)')
        inter = out_channels // (num_subsets + 1)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.num_layers, self.num_subsets = num_layers, num_subsets
        self.PA = nn.Parameter(torch.from_numpy(graph.A.copy()))
        self.conv_down = nn.ModuleList(
            nn.Sequential(nn.Conv2d(in_channels, inter, 1), nn.BatchNorm2d(inter),
                          nn.ReLU(inplace=True)) for _ in range(num_layers))
        self.conv = nn.ModuleList()
        for _ in range(num_layers):
            subsets = [nn.Sequential(nn.Conv2d(inter, inter, 1), nn.BatchNorm2d(inter))
                       for _ in range(num_subsets)]
            self.conv.append(nn.ModuleList(subsets + [EdgeConv(inter, inter, k=edge_k)]))
        self.aha = HierarchyAggregation(out_channels, graph.layers, graph.num_joints,
                                        k=aha_k) if attention else None
        if in_channels != out_channels:
            self.down = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1),
                                      nn.BatchNorm2d(out_channels))
        else:
            self.down = nn.Identity()
        self.bn = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        _init_units(self)
        # Near-zero start: each block begins close to its residual path (the authors' choice).
        bn_init(self.bn, 1e-6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        T = x.shape[2]
        out = []
        for i in range(self.num_layers):
            x_down = self.conv_down[i](x)
            ys = [self.conv[i][j](torch.einsum('nctu,vu->nctv', x_down, self.PA[i, j]))
                  for j in range(self.num_subsets)]
            # The edge conv sees the time-averaged joints; its output holds for every frame.
            edge = self.conv[i][-1](x_down.mean(dim=2))
            ys.append(edge.unsqueeze(2).expand(-1, -1, T, -1))
            out.append(torch.cat(ys, dim=1))
        out = torch.stack(out, dim=2)  # (N, C_out, L, T, V)
        out = self.aha(out) if self.aha is not None else out.sum(dim=2)
        return self.relu(self.bn(out) + self.down(x))


class HDGCNBlock(nn.Module):
    """``relu(tcn(gcn(x)) + residual(x))``; ``gcn`` -> ``tcn`` is the seam SF-Head taps.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        graph (HierarchicalGraph): The HD-Graph.
        stride (int): Temporal stride. Defaults to 1.
        residual (bool): Block residual (off in the first block). Defaults to True.
        attention (bool): A-HA in the GCN unit (off in the first block). Defaults to True.
        tcn_kernel_size (int): Kernel of the dilated TCN branches. Defaults to 5.
        tcn_dilations (Sequence[int]): Dilations of the TCN branches. Defaults to (1, 2).
        batched_tcn (bool): See :class:`~sfhead_mm.models.utils.tcn.MultiScaleTCN`'s
            ``batched``. Defaults to False.
        **gcn_kwargs: ``edge_k``, ``aha_k`` of :class:`HDGraphConv`.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T / stride, V)
    """

    def __init__(self, in_channels: int, out_channels: int, graph: HierarchicalGraph,
                 stride: int = 1, residual: bool = True, attention: bool = True,
                 tcn_kernel_size: int = 5, tcn_dilations: Sequence[int] = (1, 2),
                 batched_tcn: bool = False, **gcn_kwargs):
        super().__init__()
        self.gcn = HDGraphConv(in_channels, out_channels, graph, attention=attention,
                               **gcn_kwargs)
        self.tcn = MultiScaleTCN(out_channels, out_channels, kernel_size=tcn_kernel_size,
                                 stride=stride, dilations=tcn_dilations, residual=False,
                                 bn_weight_std=0.02,  # the authors' weights_init
                                 batched=batched_tcn)
        self.relu = nn.ReLU(inplace=True)
        if not residual:
            self.residual = None
        elif in_channels == out_channels and stride == 1:
            self.residual = nn.Identity()
        else:
            self.residual = TemporalConv(in_channels, out_channels, 1, stride)
            _init_units(self.residual)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.tcn(self.gcn(x))
        if self.residual is not None:
            y = y + self.residual(x)
        return self.relu(y)


@MODELS.register_module()
class HDGCN(BaseModule):
    """HD-GCN backbone.

    Ten blocks by default, as the authors' model: channels ``base_channels`` x4,
    x2 (stride 2) x3, x4 (stride 2) x3; the first block without residual and without A-HA.

    Args:
        graph_cfg (dict): ``layout`` (registered name or dict, e.g. ``'nturgb+d'``,
            ``'nw-ucla'``), ``com`` (CoM joint name or 0-based index; defaults to the layout's
            centre, NTU's ``spine_shoulder`` = the authors' CoM 21), ``max_levels`` (7); see
            :class:`~sfhead_mm.models.utils.hd_graph.HierarchicalGraph`.
        in_channels (int): Input channels (3 for 3D joints). Defaults to 3.
        base_channels (int): Channels of the first stage. Defaults to 64.
        data_bn_type (str): ``'MVC'`` (one BN over persons, joints, channels: the authors'),
            ``'VC'`` or ``None``. Defaults to 'MVC'.
        ch_ratio (int): Channel multiplier at each inflate stage. Defaults to 2.
        num_person (int): M, persons per sample. Defaults to 2.
        num_stages (int): Number of blocks. Defaults to 10.
        inflate_stages (Sequence[int]): 1-based stages that multiply the channels.
            Defaults to (5, 8).
        down_stages (Sequence[int]): 1-based stages with temporal stride 2. Defaults to (5, 8).
        edge_k (int): Neighbours of the per-layer edge convolution. Defaults to 5.
        aha_k (int): Neighbours of A-HA's edge convolution. Defaults to 3.
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

    def __init__(self, graph_cfg: dict, in_channels: int = 3, base_channels: int = 64,
                 data_bn_type: Optional[str] = 'MVC', ch_ratio: int = 2, num_person: int = 2,
                 num_stages: int = 10, inflate_stages: Sequence[int] = (5, 8),
                 down_stages: Sequence[int] = (5, 8), edge_k: int = 5, aha_k: int = 3,
                 tcn_kernel_size: int = 5, tcn_dilations: Sequence[int] = (1, 2),
                 batched_tcn: bool = False, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        layout_of(graph_cfg, 'HDGCN')  # a readable error for a missing or unknown layout
        unknown = set(graph_cfg) - GRAPH_KEYS
        if unknown:
            raise KeyError(f'HDGCN: unknown graph_cfg keys {sorted(unknown)}; expected some of '
                           f'{sorted(GRAPH_KEYS)}')
        self.graph = HierarchicalGraph(**graph_cfg)
        V = self.graph.num_joints
        self.in_channels, self.num_person, self.data_bn_type = in_channels, num_person, \
            data_bn_type
        self.data_bn = build_data_bn(data_bn_type, in_channels, V, num_person, 'HDGCN')
        plan = stage_plan(in_channels, base_channels, num_stages, inflate_stages, down_stages,
                          ch_ratio)
        self.gcn = nn.ModuleList(
            HDGCNBlock(cin, cout, self.graph, stride=stride, residual=i > 0, attention=i > 0,
                       tcn_kernel_size=tcn_kernel_size, tcn_dilations=tcn_dilations,
                       batched_tcn=batched_tcn, edge_k=edge_k, aha_k=aha_k)
            for i, (cin, cout, stride) in enumerate(plan))
        self.out_channels = plan[-1][1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Args:
            x (torch.Tensor): (N, M, T, V, C) skeletons.

        Returns:
            torch.Tensor: (N, M, C_out, T_out, V).
        """
        check_skeleton_input(x, 'HDGCN', self.graph.num_joints, self.in_channels,
                             self.num_person if self.data_bn_type == 'MVC' else None)
        N, M = x.shape[:2]
        x = self.data_bn(x)
        for block in self.gcn:
            x = block(x)
        return x.reshape((N, M) + x.shape[1:])
