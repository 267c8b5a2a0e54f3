"""FFN: Feature Fusion Network (Guo, Ma, Li, Chen; paper ``ffn.md``), and its ablation models.

An ST-GCN (MMAction2's ``STGCN``: ten blocks of ``relu(tcn(gcn(x)) + residual(x))`` with 64, 64,
64, 64, 128 (stride 2), 128, 128, 256 (stride 2), 256, 256 channels, the first block without
residual) whose units are swapped by configuration:

* ``gcn_type='stgcn'``: MMAction2's ``unit_gcn`` (adaptive adjacency initialised to the
  ``stgcn_spatial`` graph, no unit residual), as ``STGCN``;
  ``gcn_type='esf'``: :class:`ESFGCN`, the same ``unit_gcn`` with its residual (sec. 2.1), plus a
  parallel spatial-shift branch ``Y = W(X - alpha * X0) M`` (eq. 2);
* ``tcn_type='stgcn'``: MMAction2's ``unit_tcn`` (kernel 9); ``tcn_type='msf'``: :class:`MSFTCN`
  (sec. 2.2);
* ``fusion``: ``None`` (S0..S2), ``'ms_cam'`` (eq. 3 on the TCN's output), ``'aff'`` (eq. 4: the
  TCN's input and output fused by MS-CAM weights), ``'cvsta'`` (the MDR-GCN attention, when
  :mod:`sfhead_mm.models.plugins.cvsta` provides it).

The paper's models are ``S0 = FFN(gcn_type='stgcn', tcn_type='stgcn')`` (ST-GCN itself),
``S1 = (esf, stgcn)``, ``S0-2 = (stgcn, msf)``, ``S2 = (esf, msf)``, ``S3(MS-CAM)`` and
``S3(AFF-r) = S2 + fusion``; :data:`FFN_VARIANTS` names them (``FFN(variant='S3-AFF-1')``).
Every choice the paper leaves open is listed in docs/backbones.md (FFN section).

The block keeps the ``gcn`` / ``tcn`` attributes, so SF-Head (and every plugin using
:mod:`sfhead_mm.models.plugins.insertion`) finds the GCN -> TCN seam of each block unchanged.
"""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule, ModuleList

from mmaction.registry import MODELS
from ..utils import bn_init, conv_init
from ..utils.graph import build_graph
from ..utils.input_check import check_skeleton_input
from ..utils.stages import build_data_bn, stage_plan

#: The ablation models of the paper (Tables 2, 3, 5) as ``FFN`` keyword arguments.
FFN_VARIANTS = {
    'S0': dict(gcn_type='stgcn', tcn_type='stgcn', fusion=None),
    'S1': dict(gcn_type='esf', tcn_type='stgcn', fusion=None),
    'S0-2': dict(gcn_type='stgcn', tcn_type='msf', fusion=None),
    'S2': dict(gcn_type='esf', tcn_type='msf', fusion=None),
    'S3-MS-CAM': dict(gcn_type='esf', tcn_type='msf', fusion='ms_cam', fusion_reduction=1),
    'S3-CVSTA': dict(gcn_type='esf', tcn_type='msf', fusion='cvsta', fusion_reduction=1),
    'S3-AFF-4': dict(gcn_type='esf', tcn_type='msf', fusion='aff', fusion_reduction=4),
    'S3-AFF-2': dict(gcn_type='esf', tcn_type='msf', fusion='aff', fusion_reduction=2),
    'S3-AFF-1': dict(gcn_type='esf', tcn_type='msf', fusion='aff', fusion_reduction=1),
}
GCN_TYPES = ('stgcn', 'esf')
TCN_TYPES = ('stgcn', 'msf')
FUSIONS = (None, 'ms_cam', 'aff', 'cvsta')


def spatial_shift_index(num_joints: int, channels: int) -> torch.Tensor:
    """Source joint of every (joint, channel) after Shift-GCN's non-local spatial shift.

    Channel ``j`` of joint ``i`` is taken from joint ``(i + j) mod V`` (Shift-GCN's ``shift_in``),
    so the C channels of a joint together cover the whole skeleton (ffn.md Fig. 1).

    Returns:
        torch.Tensor: ``(V, C)`` long tensor of source joints.
    """
    joints = torch.arange(num_joints).unsqueeze(1)
    chans = torch.arange(channels).unsqueeze(0)
    return (joints + chans) % num_joints


class SpatialShift(nn.Module):
    """The spatial-shift branch of ESF-GCN, ``Y = W (X - alpha * X0) M`` (eq. 2).

    ``X0`` is the input, ``X`` its non-local spatial shift (:func:`spatial_shift_index`), ``M`` a
    trainable ``(V, C_in)`` mask (initialised to ones) weighting every shifted connection, ``W``
    a pointwise convolution ``C_in -> C_out`` with bias; a BatchNorm per (joint, channel) follows,
    as in Shift-GCN. ``alpha`` is a fixed hyper-parameter (0.2 in the paper).

    Args:
        in_channels (int): C_in.
        out_channels (int): C_out.
        num_joints (int): V.
        alpha (float): Weight of the centre feature in the central difference. Defaults to 0.2.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T, V)
    """

    def __init__(self, in_channels: int, out_channels: int, num_joints: int,
                 alpha: float = 0.2):
        super().__init__()
        if not 0. <= alpha <= 1.:
            raise ValueError(f'SpatialShift: alpha={alpha}; the paper takes alpha in [0, 1]')
        self.alpha = float(alpha)
        self.num_joints = num_joints
        # source[v, c] -> the flat index v_src * C + c into the (V * C) features of one frame
        source = spatial_shift_index(num_joints, in_channels) * in_channels + \
            torch.arange(in_channels)
        self.register_buffer('shift_index', source.reshape(-1), persistent=False)
        self.mask = nn.Parameter(torch.ones(num_joints, in_channels))
        self.weight = nn.Conv2d(in_channels, out_channels, 1)
        self.bn = nn.BatchNorm1d(num_joints * out_channels)
        conv_init(self.weight)
        bn_init(self.bn, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, C, T, V = x.shape
        x0 = x.permute(0, 2, 3, 1).reshape(N, T, V * C)  # (N, T, V*C): one row per frame
        shifted = x0.index_select(2, self.shift_index)
        diff = (shifted - self.alpha * x0).view(N, T, V, C) * self.mask  # (X - a X0) M
        y = self.weight(diff.permute(0, 3, 1, 2))  # W (...): (N, C_out, T, V)
        C_out = y.shape[1]
        y = self.bn(y.permute(0, 3, 1, 2).reshape(N, V * C_out, T))  # per (joint, channel)
        return y.view(N, V, C_out, T).permute(0, 2, 3, 1).contiguous()


class ESFGCN(BaseModule):
    """Enhanced Spatial Feature GCN: ``relu(gcn(x) + shift(x))`` (sec. 2.1, Fig. 2a).

    ``gcn`` is MMAction2's ``unit_gcn`` with a learnable adjacency initialised to the graph
    (``adaptive='init'``, no sparsity constraint) and its residual (``with_res=True``); ``shift``
    is :class:`SpatialShift`.

    Args:
        in_channels (int): C_in.
        out_channels (int): C_out (read by SF-Head as ``out_channels``).
        A (torch.Tensor): Graph subsets ``(K, V, V)``.
        alpha (float): See :class:`SpatialShift`. Defaults to 0.2.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T, V)
    """

    def __init__(self, in_channels: int, out_channels: int, A: torch.Tensor,
                 alpha: float = 0.2):
        super().__init__()
        from mmaction.models.utils import unit_gcn
        self.in_channels, self.out_channels = in_channels, out_channels
        self.gcn = unit_gcn(in_channels, out_channels, A, adaptive='init', with_res=True)
        self.shift = SpatialShift(in_channels, out_channels, A.shape[-1], alpha)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.gcn(x) + self.shift(x))


class MSFTCN(nn.Module):
    """Multi-Scale Feature Fusion temporal convolution (sec. 2.2, Fig. 2b).

    A pointwise convolution (with the block's temporal stride) + BN + ReLU, split into eight
    equal channel groups; the groups go through, in order of decreasing receptive field, five
    ``k=3`` temporal convolutions with dilations 5, 4, 3, 2, 1 (+BN), a 3-frame max-pool, a
    3-frame mean-pool and a pointwise convolution (+BN); each branch but the first also receives
    the previous (larger) branch's output, added to its group (the horizontal connections,
    Res2Net-style); the eight outputs are concatenated and batch-normalised. ``final_conv=True``
    puts the text's second pointwise convolution before that BatchNorm (the paper's parameter
    counts fit without it; see docs/backbones.md).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels, divisible by 8.
        stride (int): Temporal stride. Defaults to 1.
        dilations (Sequence[int]): Dilations of the k=3 branches, largest first.
            Defaults to (5, 4, 3, 2, 1).
        final_conv (bool): A pointwise convolution after the concatenation. Defaults to False.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T / stride, V)
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 dilations: Sequence[int] = (5, 4, 3, 2, 1), final_conv: bool = False):
        super().__init__()
        num_groups = len(dilations) + 3
        if out_channels % num_groups:
            raise ValueError(f'MSFTCN: out_channels={out_channels} is not divisible by '
                             f'{num_groups} groups (len(dilations) + 3)')
        self.in_channels, self.out_channels = in_channels, out_channels
        self.num_groups = num_groups
        width = out_channels // num_groups
        self.transform = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 1, stride=(stride, 1)),
            nn.BatchNorm2d(out_channels), nn.ReLU())
        branches = []
        for d in dilations:
            branches.append(nn.Sequential(
                nn.Conv2d(width, width, (3, 1), padding=(d, 0), dilation=(d, 1)),
                nn.BatchNorm2d(width)))
        branches.append(nn.MaxPool2d((3, 1), stride=1, padding=(1, 0)))
        branches.append(nn.AvgPool2d((3, 1), stride=1, padding=(1, 0),
                                     count_include_pad=False))
        branches.append(nn.Sequential(nn.Conv2d(width, width, 1), nn.BatchNorm2d(width)))
        self.branches = nn.ModuleList(branches)
        # BN over the concatenation: the pools and the summed horizontal connections leave the
        # groups at different scales (a choice of ours, 2 C parameters)
        self.out = nn.Sequential(nn.Conv2d(out_channels, out_channels, 1),
                                 nn.BatchNorm2d(out_channels)) if final_conv else \
            nn.BatchNorm2d(out_channels)
        self.init_weights()

    def init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                conv_init(m)
            elif isinstance(m, nn.BatchNorm2d):
                bn_init(m, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        groups = self.transform(x).chunk(self.num_groups, dim=1)
        outs, prev = [], None
        for group, branch in zip(groups, self.branches):
            prev = branch(group if prev is None else group + prev)
            outs.append(prev)
        return self.out(torch.cat(outs, dim=1))


class MSCAM(nn.Module):
    """Multi-scale channel attention weights ``M(X) = sigmoid(L(X) + G(X))`` (Dai et al. 2021).

    ``L``: pointwise conv ``C -> C/r``, BN, ReLU, pointwise conv ``C/r -> C``, BN; ``G``: the same
    after a global average pool over (T, V), broadcast back.

    Args:
        channels (int): C.
        reduction (int): r. Defaults to 1 (the paper's default).

    Shapes:
        (N, C, T, V) -> (N, C, T, V) weights in (0, 1)
    """

    def __init__(self, channels: int, reduction: int = 1):
        super().__init__()
        if reduction < 1 or channels % reduction:
            raise ValueError(f'MSCAM: reduction={reduction} must be >= 1 and divide '
                             f'channels={channels}')
        inter = channels // reduction

        def branch():
            return [nn.Conv2d(channels, inter, 1), nn.BatchNorm2d(inter), nn.ReLU(),
                    nn.Conv2d(inter, channels, 1), nn.BatchNorm2d(channels)]

        self.local_att = nn.Sequential(*branch())
        self.global_att = nn.Sequential(nn.AdaptiveAvgPool2d(1), *branch())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.local_att(x) + self.global_att(x))


class MSCAMFusion(nn.Module):
    """``Ao = Y * M(Y)`` on the TCN's output Y (eq. 3); the TCN's input is not used."""

    def __init__(self, channels: int, reduction: int = 1, stride: int = 1):
        super().__init__()
        self.att = MSCAM(channels, reduction)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return y * self.att(y)


class AFF(nn.Module):
    """Attentional feature fusion ``Ao = X * M(X + Y) + Y * (1 - M(X + Y))`` (eq. 4).

    X is the TCN's input, Y its output. In the two strided blocks X is taken at every
    ``stride``-th frame so that it matches Y (a parameter-free choice, see docs/backbones.md).

    Args:
        channels (int): C of X and Y.
        reduction (int): r of :class:`MSCAM`. Defaults to 1.
        stride (int): The TCN's temporal stride. Defaults to 1.

    Shapes:
        x (N, C, T, V), y (N, C, T / stride, V) -> (N, C, T / stride, V)
    """

    def __init__(self, channels: int, reduction: int = 1, stride: int = 1):
        super().__init__()
        self.stride = stride
        self.att = MSCAM(channels, reduction)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.stride > 1:
            x = x[:, :, ::self.stride]
        w = self.att(x + y)
        return x * w + y * (1 - w)


def build_fusion(fusion: Optional[str], channels: int, reduction: int,
                 stride: int) -> Optional[nn.Module]:
    """The attention after the TCN: None, :class:`MSCAMFusion`, :class:`AFF` or CVSTA."""
    if fusion is None:
        return None
    if fusion == 'ms_cam':
        return MSCAMFusion(channels, reduction, stride)
    if fusion == 'aff':
        return AFF(channels, reduction, stride)
    if fusion == 'cvsta':
        try:
            from ..plugins.cvsta import CVSTA  # MDR-GCN's attention (issue 17)
        except ImportError:
            raise NotImplementedError(
                "FFN: fusion='cvsta' (the paper's S3(CVSTA)) needs CVSTA from "
                "sfhead_mm.models.plugins.cvsta, which this installation does not have; use "
                "fusion='aff' or 'ms_cam'") from None
        return CVSTAFusion(CVSTA(channels, channels, mid_channels=channels // reduction))
    raise ValueError(f'FFN: fusion={fusion!r}; choose one of {FUSIONS}')


class CVSTAFusion(nn.Module):
    """``Ao = Y * CVSTA(Y)`` on the TCN's output Y (the paper's S3(CVSTA)).

    CVSTA (MDR-GCN, :mod:`sfhead_mm.models.plugins.cvsta`) gives a weight per channel, frame
    and joint; with ``C_mid = C / r`` and r = 1 its size matches Table 5's S3(CVSTA).
    """

    def __init__(self, att: nn.Module):
        super().__init__()
        self.att = att

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return y * self.att(y)


class FFNBlock(BaseModule):
    """``relu(fusion(x_gcn, tcn(x_gcn)) + residual(x))`` with ``x_gcn = gcn(x)``.

    ``gcn`` -> ``tcn`` is the seam SF-Head taps. Without fusion the block is ST-GCN's. A
    ``BaseModule``, as MMAction2's ``STGCNBlock``, so ``init_weights`` reaches the ``init_cfg`` of
    MMAction2's units (Kaiming convolutions, unit BatchNorms).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        A (torch.Tensor): Graph subsets ``(K, V, V)``.
        stride (int): Temporal stride. Defaults to 1.
        residual (bool): Block residual (off in the first block). Defaults to True.
        gcn_type (str): ``'stgcn'`` or ``'esf'``. Defaults to ``'esf'``.
        tcn_type (str): ``'stgcn'`` or ``'msf'``. Defaults to ``'msf'``.
        fusion (str, optional): None, ``'ms_cam'``, ``'aff'`` or ``'cvsta'``. Defaults to
            ``'aff'``.
        fusion_reduction (int): r of MS-CAM / AFF (C_mid = C / r of CVSTA). Defaults to 1.
        alpha (float): ESF-GCN's alpha. Defaults to 0.2.
        msf_final_conv (bool): See :class:`MSFTCN`. Defaults to False.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T / stride, V)
    """

    def __init__(self, in_channels: int, out_channels: int, A: torch.Tensor, stride: int = 1,
                 residual: bool = True, gcn_type: str = 'esf', tcn_type: str = 'msf',
                 fusion: Optional[str] = 'aff', fusion_reduction: int = 1, alpha: float = 0.2,
                 msf_final_conv: bool = False):
        super().__init__()
        from mmaction.models.utils import unit_gcn, unit_tcn
        if gcn_type == 'stgcn':
            self.gcn = unit_gcn(in_channels, out_channels, A, adaptive='init')
        elif gcn_type == 'esf':
            self.gcn = ESFGCN(in_channels, out_channels, A, alpha)
        else:
            raise ValueError(f'FFN: gcn_type={gcn_type!r}; choose one of {GCN_TYPES}')
        if tcn_type == 'stgcn':
            self.tcn = unit_tcn(out_channels, out_channels, 9, stride=stride)
        elif tcn_type == 'msf':
            self.tcn = MSFTCN(out_channels, out_channels, stride, final_conv=msf_final_conv)
        else:
            raise ValueError(f'FFN: tcn_type={tcn_type!r}; choose one of {TCN_TYPES}')
        self.fusion = build_fusion(fusion, out_channels, fusion_reduction, stride)
        if not residual:
            self.residual = None
        elif in_channels == out_channels and stride == 1:
            self.residual = nn.Identity()
        else:
            self.residual = unit_tcn(in_channels, out_channels, kernel_size=1, stride=stride)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        g = self.gcn(x)
        y = self.tcn(g)
        if self.fusion is not None:
            y = self.fusion(g, y)
        if self.residual is not None:
            y = y + self.residual(x)
        return self.relu(y)


@MODELS.register_module()
class FFN(BaseModule):
    """Feature Fusion Network backbone (default: the paper's S3(AFF-1), i.e. FFN).

    Args:
        graph_cfg (dict): ``layout`` and ``mode`` of MMAction2's ``Graph`` (default mode
            ``'stgcn_spatial'``, ST-GCN's; e.g. ``dict(layout='coco')`` for the 2D HRNet
            keypoints, ``dict(layout='nturgb+d')`` for 3D, any layout registered in
            :mod:`sfhead_mm.skeleton` such as ``'nw-ucla'``, or a layout dict); see
            :func:`~sfhead_mm.models.utils.graph.build_graph`.
        variant (str, optional): One of :data:`FFN_VARIANTS` (``'S0'``, ``'S1'``, ``'S0-2'``,
            ``'S2'``, ``'S3-MS-CAM'``, ``'S3-CVSTA'``, ``'S3-AFF-4'``, ``'S3-AFF-2'``,
            ``'S3-AFF-1'``); sets ``gcn_type``, ``tcn_type``, ``fusion`` and
            ``fusion_reduction``, which must then not be given. Defaults to None.
        gcn_type (str): ``'esf'`` (ESF-GCN) or ``'stgcn'``. Defaults to ``'esf'``.
        tcn_type (str): ``'msf'`` (MSF-TCN) or ``'stgcn'`` (kernel 9). Defaults to ``'msf'``.
        fusion (str, optional): ``'aff'``, ``'ms_cam'``, ``'cvsta'`` or None. Defaults to
            ``'aff'``.
        fusion_reduction (int): r of AFF / MS-CAM. Defaults to 1.
        alpha (float): ESF-GCN's alpha. Defaults to 0.2.
        msf_final_conv (bool): See :class:`MSFTCN`. Defaults to False.
        in_channels (int): C: 3 for (x, y, score) 2D keypoints and for 3D joints. Defaults to 3.
        base_channels (int): Channels of the first stage. Defaults to 64.
        num_stages (int): Blocks. Defaults to 10.
        inflate_stages (Sequence[int]): 1-based blocks doubling the channels. Defaults to (5, 8).
        down_stages (Sequence[int]): 1-based blocks with stride 2. Defaults to (5, 8).
        num_person (int): M. Defaults to 2.
        data_bn_type (str, optional): ``'VC'`` (MMAction2's ST-GCN default), ``'MVC'`` or None.
            Defaults to ``'VC'``.
        init_cfg (dict, optional): mmengine initialisation config.

    Shapes:
        (N, M, T, V, C) -> (N, M, 256, T / 4, V) with the defaults.
    """

    def __init__(self, graph_cfg: dict, variant: Optional[str] = None, gcn_type: str = 'esf',
                 tcn_type: str = 'msf', fusion: Optional[str] = 'aff', fusion_reduction: int = 1,
                 alpha: float = 0.2, msf_final_conv: bool = False, in_channels: int = 3,
                 base_channels: int = 64, num_stages: int = 10,
                 inflate_stages: Sequence[int] = (5, 8), down_stages: Sequence[int] = (5, 8),
                 num_person: int = 2, data_bn_type: Optional[str] = 'VC',
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if variant is not None:
            if variant not in FFN_VARIANTS:
                raise ValueError(f'FFN: variant={variant!r}; choose one of '
                                 f'{list(FFN_VARIANTS)}')
            preset = FFN_VARIANTS[variant]
            gcn_type, tcn_type = preset['gcn_type'], preset['tcn_type']
            fusion = preset['fusion']
            fusion_reduction = preset.get('fusion_reduction', fusion_reduction)
        self.variant = variant
        graph_cfg = dict(graph_cfg)
        graph_cfg.setdefault('mode', 'stgcn_spatial')
        self.graph = build_graph(graph_cfg, 'FFN')
        self.num_joints = self.graph.num_node
        A = torch.tensor(self.graph.A, dtype=torch.float32)
        self.in_channels, self.base_channels = in_channels, base_channels
        self.num_person = num_person
        self.data_bn = build_data_bn(data_bn_type, in_channels, self.num_joints, num_person,
                                     'FFN')
        plan = stage_plan(in_channels, base_channels, num_stages, inflate_stages, down_stages)
        self.net = ModuleList(
            FFNBlock(cin, cout, A, stride=stride, residual=i > 0, gcn_type=gcn_type,
                     tcn_type=tcn_type, fusion=fusion, fusion_reduction=fusion_reduction,
                     alpha=alpha, msf_final_conv=msf_final_conv)
            for i, (cin, cout, stride) in enumerate(plan))
        self.out_channels = plan[-1][1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_skeleton_input(x, 'FFN', self.num_joints, self.in_channels, self.num_person)
        N, M = x.shape[:2]
        x = self.data_bn(x)
        for block in self.net:
            x = block(x)
        return x.reshape((N, M) + x.shape[1:])
