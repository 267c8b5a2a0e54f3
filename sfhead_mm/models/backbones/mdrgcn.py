"""MDR-GCN: multi-dimensional refinement GCN (Liu, Ding et al., MDR-GCN + Robust Decouple Loss).

The architecture of the authors' ``model/MDRGCN.py`` (dingyn-Reno/MDR-GCN, class ``Model``): data
BatchNorm over persons x joints x channels, ten blocks of
``relu(tcn_k3(gcn(x)) + tcn_k5(gcn(x)) + residual(x))`` with 64, 64, 64, 64, 128 (stride 2), 128,
128, 256 (stride 2), 256, 256 channels. The GCN unit sums one :class:`MDRGC` per adjacency subset;
each refines a learnable shared topology per channel (as CTR-GCN) and weights the transformed
features by CVSTA, the channel-variable spatial-temporal attention (paper eq. 3-6). The two
temporal units are CTR-GCN's multi-scale TCN with kernels 3 and 5 (dilations 1 and 2 each).

The authors' classifier (global average pooling over T, V and persons, dropout 0, ``fc``) is
MMAction2's ``GCNHead``: ``fc`` maps to ``cls_head.fc`` and the pooled feature the authors hand to
RDL is the ``pooled`` feature of :class:`~sfhead_mm.models.plugins.RDLPlugin`.
:func:`convert_authors_state_dict` maps the authors' checkpoint keys one-to-one; docs/backbones.md
(MDR-GCN) lists how equality was checked and every deviation.

Registered as ``MDRGCN`` (unless another package took that name first, see
:mod:`..utils.registration`) and always as ``MDRGCN_sfhead_mm``.
"""
import functools
import re
from collections import OrderedDict
from typing import Dict, Mapping, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule, ModuleList

from mmaction.registry import MODELS
from ..utils import MultiScaleTCN, TemporalConv, bn_init, conv_init
from ..utils.graph import build_graph
from ..utils.input_check import check_skeleton_input
from ..utils.registration import register_beside
from ..utils.stages import SkeletonDataBN, stage_plan
from .ctrgcn import CTRGCNUnit

TOPOLOGY_OPS = ('add', 'sub')


def mid_channels(in_channels: int, reduction: int = 8) -> int:
    """C_mid of CVSTA and of the topology relation: ``C_in / reduction`` (the paper's C8).

    Raw-coordinate inputs (the authors test ``in_channels in (3, 9)``; here anything below 16)
    use 8 channels.
    """
    return 8 if in_channels < 16 else in_channels // reduction


class MDRGC(nn.Module):
    """One adjacency subset of the MDR-GCN graph convolution: CTR-GCN's refinement plus CVSTA.

    With ``f_S = pool_T(conv1 x)`` and ``f_V = pool_T(conv2 x)`` (C_mid x V) and
    ``f_T = pool_V(conv_t x)`` (C_mid x T):

    * refined topology ``A~ = conv4(tanh(f_S (+|-) f_V)) * alpha + A`` (C_out x V x V, eq. 5);
    * CVSTA weights ``f_R = conv_tv(tanh(f_T * f_V))`` (C_out x T x V, eq. 3), applied to the
      transformed features ``f_TV = conv3 x``: ``R = f_R * f_TV`` (eq. 4);
    * output ``R`` aggregated over ``A~`` (eq. 6, one subset).

    ``f_V`` is shared by the topology and CVSTA, as in the paper and the authors' code.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        rel_reduction (int): ``C_mid = in_channels // rel_reduction``. Defaults to 8 (C8).
        topology_op (str): ``'add'``: ``tanh(f_S + f_V)``, the authors' published code ("for
            finegym"); ``'sub'``: ``tanh(f_S - f_V)``, their commented "for FSD-10" line (and
            CTR-GCN's). Defaults to 'add'.

    Shapes:
        x (N, C_in, T, V), A (V, V) -> (N, C_out, T, V)
    """

    def __init__(self, in_channels: int, out_channels: int, rel_reduction: int = 8,
                 topology_op: str = 'add'):
        super().__init__()
        if topology_op not in TOPOLOGY_OPS:
            raise ValueError(f'MDRGC: topology_op={topology_op!r}; choose one of {TOPOLOGY_OPS}')
        self.in_channels, self.out_channels = in_channels, out_channels
        self.rel_channels = mid_channels(in_channels, rel_reduction)
        self.topology_op = topology_op
        r = self.rel_channels
        self.conv1 = nn.Conv2d(in_channels, r, 1)  # f_S
        self.conv2 = nn.Conv2d(in_channels, r, 1)  # f_V, shared by topology and CVSTA
        self.conv3 = nn.Conv2d(in_channels, out_channels, 1)  # f_TV, the transformed features
        self.conv4 = nn.Conv2d(r, out_channels, 1)  # W_S
        self.conv_t = nn.Conv2d(in_channels, r, 1)  # f_T (the authors' conv6)
        self.conv_tv = nn.Conv2d(r, out_channels, 1)  # W_TV (the authors' conv7)
        self.tanh = nn.Tanh()
        self.init_weights()

    def init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                conv_init(m)

    def forward(self, x: torch.Tensor, A: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
        f_s = self.conv1(x).mean(-2).unsqueeze(-1)  # (N, R, V, 1)
        f_v = self.conv2(x).mean(-2).unsqueeze(-2)  # (N, R, 1, V)
        f_t = self.conv_t(x).mean(-1, keepdim=True)  # (N, R, T, 1)
        rel = f_s + f_v if self.topology_op == 'add' else f_s - f_v  # (N, R, V, V)
        topology = self.conv4(self.tanh(rel)) * alpha + A  # (N, C_out, V, V)
        refined = self.conv3(x) * self.conv_tv(self.tanh(f_v * f_t))  # R = f_TV * f_R
        return torch.einsum('ncuv,nctv->nctu', topology, refined)


class MDRGCNUnit(CTRGCNUnit):
    """The graph convolution block (GCB): one :class:`MDRGC` per subset, summed, BN, residual, ReLU.

    CTR-GCN's unit (:class:`~.ctrgcn.CTRGCNUnit`: same wiring, initialisation and state-dict keys)
    with MDR-GCN's subset convolution.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels (read by SF-Head and CVSTA as ``out_channels``).
        A (torch.Tensor): Graph subsets ``(K, V, V)``.
        adaptive (bool): Learn the shared topology (initialised to ``A``). Defaults to True.
        rel_reduction (int): See :class:`MDRGC`.
        topology_op (str): See :class:`MDRGC`.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T, V)
    """

    def __init__(self, in_channels: int, out_channels: int, A: torch.Tensor,
                 adaptive: bool = True, rel_reduction: int = 8, topology_op: str = 'add'):
        super().__init__(in_channels, out_channels, A, adaptive,
                         subset_conv=functools.partial(MDRGC, rel_reduction=rel_reduction,
                                                       topology_op=topology_op))


class ParallelTCN(nn.Module):
    """The temporal convolution block (TCB): the sum of multi-scale TCNs of different kernels.

    The authors' block holds ``tcn1`` (kernel 3) and ``tcn2`` (kernel 5), each CTR-GCN's
    multi-scale TCN (dilations 1 and 2, max-pool and 1x1 branches) without an inner residual;
    here they are ``tcns[0]`` and ``tcns[1]``.

    Args:
        channels (int): Input and output channels.
        kernel_sizes (Sequence[int]): One TCN per kernel size. Defaults to (3, 5) (m = 2).
        stride (int): Temporal stride. Defaults to 1.
        dilations (Sequence[int]): Dilations of every TCN. Defaults to (1, 2).
        batched (bool): See :class:`~sfhead_mm.models.utils.tcn.MultiScaleTCN`'s
            ``batched``. Defaults to False.

    Shapes:
        (N, C, T, V) -> (N, C, T / stride, V)
    """

    def __init__(self, channels: int, kernel_sizes: Sequence[int] = (3, 5), stride: int = 1,
                 dilations: Sequence[int] = (1, 2), batched: bool = False):
        super().__init__()
        self.in_channels = self.out_channels = channels
        self.tcns = nn.ModuleList(
            MultiScaleTCN(channels, channels, kernel_size=k, stride=stride,
                          dilations=dilations, residual=False, batched=batched)
            for k in kernel_sizes)
        self.init_weights()

    def init_weights(self) -> None:
        # The authors' `weights_init`: Kaiming (fan_out) convolutions, BN weights ~ N(1, 0.02).
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                conv_init(m)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.normal_(m.weight, 1.0, 0.02)
                nn.init.constant_(m.bias, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = None
        for tcn in self.tcns:
            y = tcn(x)
            out = y if out is None else out + y
        return out


class MDRGCNBlock(nn.Module):
    """``relu(tcn(gcn(x)) + residual(x))``; ``gcn`` -> ``tcn`` is the seam plugins tap.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        A (torch.Tensor): Graph subsets ``(K, V, V)``.
        stride (int): Temporal stride. Defaults to 1.
        residual (bool): Block residual (off in the first block). Defaults to True.
        adaptive (bool): See :class:`MDRGCNUnit`. Defaults to True.
        rel_reduction (int): See :class:`MDRGC`. Defaults to 8.
        topology_op (str): See :class:`MDRGC`. Defaults to 'add'.
        tcn_kernel_sizes (Sequence[int]): See :class:`ParallelTCN`. Defaults to (3, 5).
        tcn_dilations (Sequence[int]): See :class:`ParallelTCN`. Defaults to (1, 2).
        batched_tcn (bool): See :class:`ParallelTCN`'s ``batched``. Defaults to False.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T / stride, V)
    """

    def __init__(self, in_channels: int, out_channels: int, A: torch.Tensor, stride: int = 1,
                 residual: bool = True, adaptive: bool = True, rel_reduction: int = 8,
                 topology_op: str = 'add', tcn_kernel_sizes: Sequence[int] = (3, 5),
                 tcn_dilations: Sequence[int] = (1, 2), batched_tcn: bool = False):
        super().__init__()
        self.gcn = MDRGCNUnit(in_channels, out_channels, A, adaptive, rel_reduction,
                              topology_op)
        self.tcn = ParallelTCN(out_channels, tcn_kernel_sizes, stride, tcn_dilations,
                               batched=batched_tcn)
        self.relu = nn.ReLU(inplace=True)
        if not residual:
            self.residual = None
        elif in_channels == out_channels and stride == 1:
            self.residual = nn.Identity()
        else:
            self.residual = TemporalConv(in_channels, out_channels, 1, stride)
            conv_init(self.residual.conv)
            bn_init(self.residual.bn, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.tcn(self.gcn(x))
        if self.residual is not None:
            y = y + self.residual(x)
        return self.relu(y)


class MDRGCN(BaseModule):
    """MDR-GCN backbone.

    Args:
        graph_cfg (dict): ``layout`` (a registered layout name or dict: ``'nturgb+d'``,
            ``'coco'`` for FineGym, ``'openpose25'`` for FSD-10), ``mode`` (default
            ``'spatial'``; the authors' FineGym and FSD-10 graphs are ST-GCN's partition,
            ``'stgcn_spatial'``) and ``edges`` (default ``'bones'``, see
            :func:`~sfhead_mm.models.utils.graph.build_graph`). The graph only initialises the
            learnable topology ``PA``.
        in_channels (int): Input channels C. Defaults to 3.
        base_channels (int): Channels of the first stage. Defaults to 64.
        num_stages (int): Number of blocks. Defaults to 10.
        inflate_stages (Sequence[int]): 1-based blocks doubling the channels. Defaults to (5, 8).
        down_stages (Sequence[int]): 1-based blocks with temporal stride 2. Defaults to (5, 8).
        ch_ratio (int): Channel multiplier of an inflate stage. Defaults to 2.
        num_person (int): M; the data BatchNorm covers M * V * C features. Defaults to 2.
        adaptive (bool): Learn the shared topology. Defaults to True.
        rel_reduction (int): CVSTA's ``C_mid = C_in / rel_reduction``. Defaults to 8 (C8).
        topology_op (str): ``'add'`` (published code) or ``'sub'`` (the authors' FSD-10 line),
            see :class:`MDRGC`. Defaults to 'add'.
        tcn_kernel_sizes (Sequence[int]): Kernels of the parallel TCNs. Defaults to (3, 5).
        tcn_dilations (Sequence[int]): Dilations of each TCN. Defaults to (1, 2).
        batched_tcn (bool): Compute each multi-scale TCN's branches together (same parameters
            and state dict, equal outputs up to rounding, see
            :meth:`~sfhead_mm.models.utils.tcn.MultiScaleTCN.forward_batched`). Defaults to
            False.
        init_cfg (dict, optional): mmengine initialisation config (e.g. ``Pretrained``).

    Shapes:
        (N, M, T, V, C) -> (N, M, C_out, T_out, V); C_out = 256 and T_out = T / 4 with the
        defaults.
    """

    def __init__(self, graph_cfg: dict, in_channels: int = 3, base_channels: int = 64,
                 num_stages: int = 10, inflate_stages: Sequence[int] = (5, 8),
                 down_stages: Sequence[int] = (5, 8), ch_ratio: int = 2, num_person: int = 2,
                 adaptive: bool = True, rel_reduction: int = 8, topology_op: str = 'add',
                 tcn_kernel_sizes: Sequence[int] = (3, 5),
                 tcn_dilations: Sequence[int] = (1, 2), batched_tcn: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        graph_cfg = dict(graph_cfg)
        graph_cfg.setdefault('mode', 'spatial')
        graph_cfg.setdefault('edges', 'bones')
        self.graph = build_graph(graph_cfg, 'MDRGCN')
        self.num_joints = self.graph.num_node
        A = torch.tensor(self.graph.A, dtype=torch.float32)
        self.in_channels, self.base_channels = in_channels, base_channels
        self.num_person = num_person
        self.data_bn = SkeletonDataBN(in_channels, self.num_joints, num_person, 'MVC')
        plan = stage_plan(in_channels, base_channels, num_stages, inflate_stages, down_stages,
                          ch_ratio)
        self.net = ModuleList(
            MDRGCNBlock(cin, cout, A, stride=stride, residual=i > 0, adaptive=adaptive,
                        rel_reduction=rel_reduction, topology_op=topology_op,
                        tcn_kernel_sizes=tcn_kernel_sizes, tcn_dilations=tcn_dilations,
                        batched_tcn=batched_tcn)
            for i, (cin, cout, stride) in enumerate(plan))
        self.out_channels = plan[-1][1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_skeleton_input(x, 'MDRGCN', self.num_joints, self.in_channels, self.num_person)
        N, M = x.shape[:2]
        x = self.data_bn(x)
        for block in self.net:
            x = block(x)
        return x.reshape((N, M) + x.shape[1:])


register_beside(MODELS, MDRGCN, name='MDRGCN', alias='MDRGCN_sfhead_mm')

# The authors' key -> ours, applied in order to every key of their ``Model.state_dict()``.
_KEY_RULES = (
    (r'^l(\d+)\.', lambda m: f'backbone.net.{int(m.group(1)) - 1}.'),
    (r'\.gcn1\.', lambda m: '.gcn.'),
    (r'\.tcn([12])\.', lambda m: f'.tcn.tcns.{int(m.group(1)) - 1}.'),
    (r'\.conv6\.', lambda m: '.conv_t.'),
    (r'\.conv7\.', lambda m: '.conv_tv.'),
    (r'^data_bn\.', lambda m: 'backbone.data_bn.'),
    (r'^fc\.', lambda m: 'cls_head.fc.'),
)


def convert_authors_state_dict(state_dict: Mapping[str, torch.Tensor],
                               ) -> Dict[str, torch.Tensor]:
    """The authors' ``model.MDRGCN.Model`` weights as a ``RecognizerGCN(MDRGCN, GCNHead)``'s.

    One tensor per key, unchanged: ``l{i}.gcn1`` -> ``backbone.net.{i-1}.gcn``,
    ``l{i}.tcn{1,2}`` -> ``backbone.net.{i-1}.tcn.tcns.{0,1}``, ``conv6``/``conv7`` (CVSTA) ->
    ``conv_t``/``conv_tv``, ``data_bn`` -> ``backbone.data_bn``, ``fc`` -> ``cls_head.fc``.
    A ``module.`` prefix (DataParallel checkpoints) is dropped.

    Args:
        state_dict (Mapping[str, torch.Tensor]): The authors' weights (e.g. ``runs-*.pt``).

    Returns:
        dict: Keys of this package's recognizer; load with ``strict=True``.
    """
    out = OrderedDict()
    for key, value in state_dict.items():
        new = key[len('module.'):] if key.startswith('module.') else key
        for pattern, repl in _KEY_RULES:
            new = re.sub(pattern, repl, new)
        if not new.startswith(('backbone.', 'cls_head.')):
            raise KeyError(f'convert_authors_state_dict: unexpected key {key!r} (not a key of '
                           f'the authors\' model.MDRGCN.Model)')
        out[new] = value
    return out
