"""CTR-GCN: channel-wise topology refinement graph convolution (Chen et al., ICCV 2021).

The architecture of the authors' ``model/ctrgcn.py`` (Uason-Chen/CTR-GCN): data BatchNorm over
persons x joints x channels, ten blocks of ``relu(tcn(gcn(x)) + residual(x))`` with 64, 64, 64,
64, 128 (stride 2), 128, 128, 256 (stride 2), 256, 256 channels; the GCN unit refines a learnable
shared topology (initialised to the three subsets of the ``spatial`` graph) per channel, the TCN
unit is the multi-scale temporal convolution (kernel 5, dilations 1 and 2). 1,462,092 parameters
with a 120-class ``GCNHead``, as the authors' model for NTU-120.

Registered as ``CTRGCN`` (unless MMAction2's ``projects/ctrgcn`` took that name first, see
:mod:`..utils.registration`) and always as ``CTRGCN_sfhead_mm``.
"""
from typing import Callable, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule, ModuleList

from mmaction.registry import MODELS
from ..utils import MultiScaleTCN, TemporalConv, bn_init, conv_init
from ..utils.graph import build_graph
from ..utils.input_check import check_skeleton_input
from ..utils.registration import register_beside
from ..utils.stages import SkeletonDataBN, stage_plan


class CTRGC(nn.Module):
    """Channel-wise topology refinement of one adjacency subset.

    Pools two ``rel_channels`` embeddings over time, turns their pairwise differences between
    joints into a ``(C_out, V, V)`` channel-wise topology, scales it by ``alpha`` and adds the
    shared topology ``A``, then aggregates a ``C_out`` projection of the input over it.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        rel_reduction (int): ``rel_channels = in_channels // rel_reduction``. Defaults to 8.
            Inputs with fewer than 16 channels (raw coordinates) use 8 relation channels, as the
            authors do for 3 and 9.

    Shapes:
        x (N, C_in, T, V), A (V, V) -> (N, C_out, T, V)
    """

    def __init__(self, in_channels: int, out_channels: int, rel_reduction: int = 8):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.rel_channels = 8 if in_channels < 16 else in_channels // rel_reduction
        self.conv1 = nn.Conv2d(in_channels, self.rel_channels, 1)
        self.conv2 = nn.Conv2d(in_channels, self.rel_channels, 1)
        self.conv3 = nn.Conv2d(in_channels, out_channels, 1)
        self.conv4 = nn.Conv2d(self.rel_channels, out_channels, 1)
        self.tanh = nn.Tanh()
        self.init_weights()

    def init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                conv_init(m)

    def forward(self, x: torch.Tensor, A: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
        q, k, v = self.conv1(x).mean(-2), self.conv2(x).mean(-2), self.conv3(x)
        rel = self.tanh(q.unsqueeze(-1) - k.unsqueeze(-2))  # (N, R, V, V)
        topology = self.conv4(rel)  # (N, C_out, V, V): refined per channel
        # alpha and A in the topology's dtype: under bf16 autocast the sum stays bf16 (the
        # einsum casts it to bf16 anyway) instead of being promoted to float32; a no-op in fp32.
        topology = topology * alpha.to(topology.dtype) + A.to(topology.dtype)
        return torch.einsum('ncuv,nctv->nctu', topology, v)


class CTRGCNUnit(nn.Module):
    """The GCN unit of a CTR-GCN block: one :class:`CTRGC` per subset, summed, BN, residual, ReLU.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels (read by SF-Head as ``out_channels``).
        A (torch.Tensor): Subsets of the graph ``(K, V, V)``.
        adaptive (bool): Learn the shared topology (initialised to ``A``). Defaults to True.
        batched (bool): Compute the subsets together (:meth:`forward_batched`): the same function
            and parameters, fewer and larger kernels. Defaults to False (the per-subset loop).
        subset_conv (callable, optional): ``(C_in, C_out) -> module`` of one subset, called as
            ``conv(x, A_k, alpha)``; MDR-GCN's unit is this one with its own. Defaults to
            :class:`CTRGC`.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T, V)
    """

    def __init__(self, in_channels: int, out_channels: int, A: torch.Tensor,
                 adaptive: bool = True, batched: bool = False,
                 subset_conv: Optional[Callable[[int, int], nn.Module]] = None):
        super().__init__()
        if batched and subset_conv is not None:
            raise ValueError('batched=True computes CTRGC subsets only; it cannot be combined '
                             'with another subset_conv')
        self.in_channels, self.out_channels = in_channels, out_channels
        self.adaptive = adaptive
        self.batched = batched
        make = subset_conv or CTRGC
        self.convs = nn.ModuleList(make(in_channels, out_channels) for _ in range(A.shape[0]))
        if adaptive:
            self.PA = nn.Parameter(A.clone())
        else:
            self.register_buffer('A', A.clone())
        self.alpha = nn.Parameter(torch.zeros(1))
        self.bn = nn.BatchNorm2d(out_channels)
        if in_channels != out_channels:
            self.down = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1),
                                      nn.BatchNorm2d(out_channels))
        else:
            self.down = nn.Identity()
        self.relu = nn.ReLU(inplace=True)
        self.init_weights()

    def init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                conv_init(m)
            elif isinstance(m, nn.BatchNorm2d):
                bn_init(m, 1)
        # The unit starts close to its residual path (the authors' choice).
        bn_init(self.bn, 1e-6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        A = self.PA if self.adaptive else self.A
        if self.batched:
            y = self.forward_batched(x, A)
        else:
            y = None
            for i, conv in enumerate(self.convs):
                z = conv(x, A[i], self.alpha)
                y = z if y is None else y + z
        return self.relu(self.bn(y) + self.down(x))

    def forward_batched(self, x: torch.Tensor, A: torch.Tensor) -> torch.Tensor:
        """The sum over subsets of :meth:`CTRGC.forward`, computed for all subsets at once.

        Same parameters (so the same state dict); equal to the loop up to rounding:
        ``conv1``/``conv2`` are 1x1, so they commute with the mean over time and run on the
        time-pooled input; the subsets' ``conv3`` run as one convolution, their ``conv4`` as one
        grouped convolution with ``alpha`` folded into its weights and bias, and the aggregation
        sums over subsets and joints in one contraction.
        """
        N, _, T, V = x.shape
        K, R, C = len(self.convs), self.convs[0].rel_channels, self.out_channels
        cat = torch.cat
        w_qk = cat([cat([c.conv1.weight, c.conv2.weight]) for c in self.convs])
        b_qk = cat([cat([c.conv1.bias, c.conv2.bias]) for c in self.convs])
        qk = F.conv2d(x.mean(-2, keepdim=True), w_qk, b_qk).view(N, K, 2, R, V)
        rel = torch.tanh(qk[:, :, 0].unsqueeze(-1) - qk[:, :, 1].unsqueeze(-2))  # (N,K,R,V,V)
        # conv4(rel) * alpha as a convolution by alpha-scaled weights and bias: the same linear
        # map, without a product over the whole (N, K, C, V, V) topology forward and two (one
        # of them reduced to alpha's gradient) backward
        w4 = cat([c.conv4.weight for c in self.convs]) * self.alpha
        b4 = cat([c.conv4.bias for c in self.convs]) * self.alpha
        topology = F.conv2d(rel.reshape(N, K * R, V, V), w4, b4, groups=K).view(N, K, C, V, V)
        # (N, K, C, V, V); A in its dtype, as in CTRGC.forward
        topology = add_shared_topology(topology, A)
        w3 = cat([c.conv3.weight for c in self.convs])
        b3 = cat([c.conv3.bias for c in self.convs])
        v = F.conv2d(x, w3, b3).view(N, K, C, T, V)
        return torch.einsum('nkcuv,nkctv->nctu', topology, v)


class _AddSharedTopology(torch.autograd.Function):
    """``topology + A`` for a (N, K, C, V, V) ``topology`` and a (K, V, V) ``A`` (cast to the
    topology's dtype); ``A``'s gradient is summed over N, then over C, in float32 at least."""

    @staticmethod
    def forward(ctx, topology: torch.Tensor, A: torch.Tensor) -> torch.Tensor:
        ctx.a_dtype = A.dtype
        return topology + A.to(topology.dtype).unsqueeze(1)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        # the contraction's backward hands a permuted gradient; the convolution before needs
        # it contiguous anyway, and the sums below are fast on a contiguous one only
        grad, grad_a = grad.contiguous(), None
        if ctx.needs_input_grad[1]:
            acc = torch.promote_types(grad.dtype, torch.float32)  # float32 at least
            grad_a = grad.sum(0, dtype=acc).sum(1).to(ctx.a_dtype)
        return grad, grad_a


def add_shared_topology(topology: torch.Tensor, A: torch.Tensor) -> torch.Tensor:
    """``topology + A[:, None]`` (A in the topology's dtype), with a faster backward for ``A``.

    Autograd reduces the broadcast gradient over N and C in one strided pass, which on a CPU
    takes 4.4 ms for a (16, 3, 256, 20, 20) bf16 gradient; summing over N, then over C, takes
    1.0 ms (measured, 1 thread) and accumulates in float32 (float64 for float64).

    Shapes:
        topology (N, K, C, V, V), A (K, V, V) -> (N, K, C, V, V)
    """
    return _AddSharedTopology.apply(topology, A)


class CTRGCNBlock(nn.Module):
    """``relu(tcn(gcn(x)) + residual(x))``; ``gcn`` -> ``tcn`` is the seam SF-Head taps.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        A (torch.Tensor): Graph subsets ``(K, V, V)``.
        stride (int): Temporal stride. Defaults to 1.
        residual (bool): Block residual (off in the first block). Defaults to True.
        adaptive (bool): See :class:`CTRGCNUnit`. Defaults to True.
        tcn_kernel_size (int): Kernel of the dilated TCN branches. Defaults to 5.
        tcn_dilations (Sequence[int]): One TCN branch per dilation. Defaults to (1, 2).
        batched (bool): See :class:`CTRGCNUnit`. Defaults to False.
        batched_tcn (bool): See :class:`~sfhead_mm.models.utils.tcn.MultiScaleTCN`'s
            ``batched``. Defaults to False.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T / stride, V)
    """

    def __init__(self, in_channels: int, out_channels: int, A: torch.Tensor, stride: int = 1,
                 residual: bool = True, adaptive: bool = True, tcn_kernel_size: int = 5,
                 tcn_dilations: Sequence[int] = (1, 2), batched: bool = False,
                 batched_tcn: bool = False):
        super().__init__()
        self.gcn = CTRGCNUnit(in_channels, out_channels, A, adaptive=adaptive, batched=batched)
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
        self.init_weights()

    def init_weights(self) -> None:
        self.gcn.init_weights()
        self.tcn.init_weights()
        if isinstance(self.residual, TemporalConv):
            conv_init(self.residual.conv)
            bn_init(self.residual.bn, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.tcn(self.gcn(x))
        if self.residual is not None:
            y = y + self.residual(x)
        return self.relu(y)


class CTRGCN(BaseModule):
    """CTR-GCN backbone.

    Args:
        graph_cfg (dict): ``layout`` (a registered layout name or dict, e.g. ``'nturgb+d'``,
            ``'nw-ucla'``) and ``mode`` (default ``'spatial'``, the authors' three subsets) of
            MMAction2's ``Graph``, and ``edges`` (default ``'bones'``: the bone tree, which is
            the authors' NTU graph; ``'layout'``: MMAction2's graph, as PySKL and MMAction2's
            ``projects/ctrgcn`` build it; see
            :func:`~sfhead_mm.models.utils.graph.build_graph`).
        in_channels (int): Input channels C (3 for 3D joints). Defaults to 3.
        base_channels (int): Channels of the first stage. Defaults to 64.
        num_stages (int): Number of blocks. Defaults to 10.
        inflate_stages (Sequence[int]): 1-based blocks that multiply the channels by
            ``ch_ratio``. Defaults to (5, 8).
        down_stages (Sequence[int]): 1-based blocks with temporal stride 2. Defaults to (5, 8).
        ch_ratio (int): Channel multiplier of an inflate stage. Defaults to 2.
        num_person (int): M, persons per sample; the data BatchNorm covers M * V * C features.
            Defaults to 2.
        adaptive (bool): Learn the shared topology. Defaults to True.
        tcn_kernel_size (int): Kernel of the TCN's dilated branches. Defaults to 5.
        tcn_dilations (Sequence[int]): TCN dilations. Defaults to (1, 2).
        batched_subsets (bool): Compute the three CTR-GC subsets together (same parameters and
            state dict, equal outputs up to rounding, see :meth:`CTRGCNUnit.forward_batched`).
            Defaults to False.
        batched_tcn (bool): Compute the multi-scale TCN's branches together (same parameters
            and state dict, equal outputs up to rounding, see
            :meth:`~sfhead_mm.models.utils.tcn.MultiScaleTCN.forward_batched`). Defaults to
            False.
        init_cfg (dict, optional): mmengine initialisation config (e.g. ``Pretrained``).

    Shapes:
        (N, M, T, V, C) -> (N, M, C_out, T_out, V), C_out = base_channels * ch_ratio ** 2 and
        T_out = T / 4 with the defaults.
    """

    def __init__(self, graph_cfg: dict, in_channels: int = 3, base_channels: int = 64,
                 num_stages: int = 10, inflate_stages: Sequence[int] = (5, 8),
                 down_stages: Sequence[int] = (5, 8), ch_ratio: int = 2, num_person: int = 2,
                 adaptive: bool = True, tcn_kernel_size: int = 5,
                 tcn_dilations: Sequence[int] = (1, 2), batched_subsets: bool = False,
                 batched_tcn: bool = False, init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        graph_cfg = dict(graph_cfg)
        graph_cfg.setdefault('mode', 'spatial')
        graph_cfg.setdefault('edges', 'bones')  # the authors' graph (see partitioned_adjacency)
        self.graph = build_graph(graph_cfg, 'CTRGCN')  # `.graph` as MMAction2's backbones
        self.num_joints = self.graph.num_node
        A = torch.tensor(self.graph.A, dtype=torch.float32)
        self.in_channels, self.base_channels = in_channels, base_channels
        self.num_person = num_person
        # One BatchNorm feature per (person, joint, channel), as the authors' data_bn.
        self.data_bn = SkeletonDataBN(in_channels, self.num_joints, num_person, 'MVC')
        plan = stage_plan(in_channels, base_channels, num_stages, inflate_stages, down_stages,
                          ch_ratio)
        self.net = ModuleList(
            CTRGCNBlock(cin, cout, A, stride=stride, residual=i > 0, adaptive=adaptive,
                        tcn_kernel_size=tcn_kernel_size, tcn_dilations=tcn_dilations,
                        batched=batched_subsets, batched_tcn=batched_tcn)
            for i, (cin, cout, stride) in enumerate(plan))
        self.out_channels = plan[-1][1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_skeleton_input(x, 'CTRGCN', self.num_joints, self.in_channels, self.num_person)
        N, M = x.shape[:2]
        x = self.data_bn(x)
        for block in self.net:
            x = block(x)
        return x.reshape((N, M) + x.shape[1:])


register_beside(MODELS, CTRGCN, name='CTRGCN', alias='CTRGCN_sfhead_mm')
