"""InfoGCN's encoder (Chi et al., CVPR 2022): self-attention graph convolution.

The architecture of the authors' ``model/infogcn.py`` and ``model/modules.py`` (stnoah1/infogcn):

* joint embedding: each joint's position relative to its ``k``-th ancestor on the bone tree
  (``(I - P^k) x``, the paper's "k-th mode" representation), a linear map to ``base_channels``,
  plus a learnable joint-position embedding, then a data BatchNorm over persons x joints x
  channels;
* nine blocks ``relu(tcn(gcn(x)) + residual(x))`` with 64, 64, 64, 128 (stride 2), 128, 128,
  256 (stride 2), 256, 256 channels. The GCN unit (:class:`SAGC`) aggregates joints with
  ``num_heads`` topologies, each an attention map over joints (per frame) times a shared learnable
  topology initialised to the identity; the TCN unit is the multi-scale temporal convolution
  (kernel 5, dilations 1 and 2) followed by a ReLU, as the authors' ``MS_TCN``.

The information-bottleneck head and objective are ``InfoGCNHead`` and ``InfoGCNLoss``. With them
and 120 classes the recognizer has 1,572,227 parameters, as the authors' model for NTU-120.
"""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule, ModuleList

from mmaction.registry import MODELS
from ..utils import MultiScaleTCN, TemporalConv, bn_init, conv_init
from ..utils.graph import ancestor_matrix, layout_of
from ..utils.input_check import check_skeleton_input
from ..utils.stages import SkeletonDataBN, stage_plan


class JointAttention(nn.Module):
    """Per-frame attention maps between joints, one per head.

    Args:
        in_channels (int): Input channels C.
        hidden_channels (int): Query/key channels per head.
        num_heads (int): Number of heads H.

    Shapes:
        (N, C, T, V) -> (N * T, H, V, V), softmax over the last axis.
    """

    def __init__(self, in_channels: int, hidden_channels: int, num_heads: int):
        super().__init__()
        self.num_heads, self.hidden_channels = num_heads, hidden_channels
        self.scale = hidden_channels ** -0.5
        self.ln = nn.LayerNorm(in_channels)
        self.to_qk = nn.Linear(in_channels, 2 * num_heads * hidden_channels)
        self.init_weights()

    def init_weights(self) -> None:
        nn.init.normal_(self.to_qk.weight, 0, 1)  # the authors' initialisation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, C, T, V = x.shape
        y = self.to_qk(self.ln(x.permute(0, 2, 3, 1)))  # (N, T, V, 2 * H * D)
        q, k = (t.reshape(N * T, V, self.num_heads, self.hidden_channels).transpose(1, 2)
                for t in y.chunk(2, dim=-1))  # (N * T, H, V, D) each
        return (q @ k.transpose(-1, -2) * self.scale).softmax(dim=-1)


class SAGC(nn.Module):
    """Self-attention graph convolution: the GCN unit of an InfoGCN block.

    ``y = relu(BN(sum_h W_h (attn_h * S_h) x) + down(x))`` with attention maps ``attn_h`` from
    :class:`JointAttention` and shared learnable topologies ``S_h`` (identity at start).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels (read by SF-Head as ``out_channels``).
        num_joints (int): V.
        num_heads (int): H. Defaults to 3.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T, V)
    """

    def __init__(self, in_channels: int, out_channels: int, num_joints: int, num_heads: int = 3):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.num_heads = num_heads
        self.shared_topology = nn.Parameter(torch.eye(num_joints).repeat(num_heads, 1, 1))
        self.conv_d = nn.ModuleList(nn.Conv2d(in_channels, out_channels, 1)
                                    for _ in range(num_heads))
        if in_channels != out_channels:
            self.down = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1),
                                      nn.BatchNorm2d(out_channels))
        else:
            self.down = nn.Identity()
        self.bn = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.attn = JointAttention(in_channels, max(1, in_channels // 8), num_heads)
        self.init_weights()

    def init_weights(self) -> None:
        with torch.no_grad():
            self.shared_topology.copy_(torch.eye(self.shared_topology.shape[-1]).expand_as(
                self.shared_topology))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                conv_init(m)
            elif isinstance(m, nn.BatchNorm2d):
                bn_init(m, 1)
        bn_init(self.bn, 1e-6)  # the unit starts close to its residual path
        for conv in self.conv_d:  # branch init: the heads' outputs are summed
            nn.init.normal_(conv.weight, 0, (2. / (conv.weight[0].numel() * conv.out_channels
                                                   * self.num_heads)) ** 0.5)
            nn.init.constant_(conv.bias, 0)
        self.attn.init_weights()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, C, T, V = x.shape
        A = self.attn(x) * self.shared_topology.unsqueeze(0)  # (N * T, H, V, V)
        joints = x.permute(0, 2, 3, 1).reshape(N * T, 1, V, C)
        mixed = (A @ joints).view(N, T, self.num_heads, V, C)  # every head at once
        out = None
        for h, conv in enumerate(self.conv_d):
            z = conv(mixed[:, :, h].permute(0, 3, 1, 2))
            out = z if out is None else out + z
        return self.relu(self.bn(out) + self.down(x))


class InfoGCNBlock(nn.Module):
    """``relu(tcn(gcn(x)) + residual(x))``; ``gcn`` -> ``tcn`` is the seam SF-Head taps.

    ``tcn`` is the multi-scale TCN followed by a ReLU (the authors' ``MS_TCN`` ends with one,
    CTR-GCN's does not), kept together so that SF-Head wraps exactly the authors' TCN.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        num_joints (int): V.
        stride (int): Temporal stride. Defaults to 1.
        num_heads (int): Heads of :class:`SAGC`. Defaults to 3.
        tcn_kernel_size (int): Kernel of the dilated TCN branches. Defaults to 5.
        tcn_dilations (Sequence[int]): One TCN branch per dilation. Defaults to (1, 2).
        batched_tcn (bool): See :class:`~sfhead_mm.models.utils.tcn.MultiScaleTCN`'s
            ``batched``. Defaults to False.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T / stride, V)
    """

    def __init__(self, in_channels: int, out_channels: int, num_joints: int, stride: int = 1,
                 num_heads: int = 3, tcn_kernel_size: int = 5,
                 tcn_dilations: Sequence[int] = (1, 2), batched_tcn: bool = False):
        super().__init__()
        self.gcn = SAGC(in_channels, out_channels, num_joints, num_heads)
        self.tcn = nn.Sequential(
            MultiScaleTCN(out_channels, out_channels, kernel_size=tcn_kernel_size,
                          stride=stride, dilations=tcn_dilations, residual=False,
                          batched=batched_tcn),
            nn.ReLU(inplace=True))
        self.relu = nn.ReLU(inplace=True)
        if in_channels == out_channels and stride == 1:
            self.residual = nn.Identity()
        else:
            self.residual = TemporalConv(in_channels, out_channels, 1, stride)
        self.init_weights()

    def init_weights(self) -> None:
        self.gcn.init_weights()
        # The authors' MS-TCN (model/ms_tcn.py) has no init of its own: PyTorch's defaults.
        for m in self.tcn[0].modules():
            if isinstance(m, (nn.Conv2d, nn.BatchNorm2d)):
                m.reset_parameters()
        if isinstance(self.residual, TemporalConv):
            conv_init(self.residual.conv)
            bn_init(self.residual.bn, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.tcn(self.gcn(x)) + self.residual(x))


@MODELS.register_module()
class InfoGCN(BaseModule):
    """InfoGCN encoder.

    Args:
        graph_cfg (dict): ``layout``: a registered layout name or dict (``'nturgb+d'``,
            ``'nw-ucla'``, ...). It gives V and the bone tree of the relative-position
            embedding (InfoGCN's graph convolution learns its topology; other keys such as
            ``mode`` are accepted and unused).
        in_channels (int): Input channels C (3 for 3D joints). Defaults to 3.
        base_channels (int): Embedding and first-stage channels. Defaults to 64.
        num_stages (int): Number of blocks. Defaults to 9.
        inflate_stages (Sequence[int]): 1-based blocks that multiply the channels by
            ``ch_ratio``. Defaults to (4, 7).
        down_stages (Sequence[int]): 1-based blocks with temporal stride 2. Defaults to (4, 7).
        ch_ratio (int): Channel multiplier of an inflate stage. Defaults to 2.
        num_person (int): M; the data BatchNorm covers M * V * base_channels features.
            Defaults to 2.
        num_heads (int): Attention heads / topologies per GCN unit. Defaults to 3.
        k (int): Hops to the reference joint of the relative-position embedding (1: bone
            vectors; the authors train NTU with ``--k 1``). Must be >= 1. Defaults to 1.
        embed_root (int, optional): Root joint of the bone tree for that embedding. Defaults to
            the layout's normalisation centre (NTU: spine mid, the authors' root).
        tcn_kernel_size (int): Kernel of the TCN's dilated branches. Defaults to 5.
        tcn_dilations (Sequence[int]): TCN dilations. Defaults to (1, 2).
        batched_tcn (bool): Compute the multi-scale TCN's branches together (same parameters
            and state dict, equal outputs up to rounding, see
            :meth:`~sfhead_mm.models.utils.tcn.MultiScaleTCN.forward_batched`). Defaults to
            False.
        init_cfg (dict, optional): mmengine initialisation config.

    Shapes:
        (N, M, T, V, C) -> (N, M, C_out, T_out, V), C_out = base_channels * ch_ratio ** 2 and
        T_out = T / 4 with the defaults.
    """

    def __init__(self, graph_cfg: dict, in_channels: int = 3, base_channels: int = 64,
                 num_stages: int = 9, inflate_stages: Sequence[int] = (4, 7),
                 down_stages: Sequence[int] = (4, 7), ch_ratio: int = 2, num_person: int = 2,
                 num_heads: int = 3, k: int = 1, embed_root: Optional[int] = None,
                 tcn_kernel_size: int = 5, tcn_dilations: Sequence[int] = (1, 2),
                 batched_tcn: bool = False, init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        # `.graph` as MMAction2's backbones: here the layout, whose bone tree is all InfoGCN
        # takes from the skeleton (its topologies are learned).
        layout = self.graph = layout_of(graph_cfg, 'InfoGCN')
        V = self.num_joints = layout.num_joints
        self.in_channels, self.base_channels = in_channels, base_channels
        self.num_person = num_person
        relative = torch.eye(V) - torch.from_numpy(ancestor_matrix(layout, k, embed_root))
        # Derived from the config, so not saved: checkpoints hold learned weights only.
        self.register_buffer('relative_position', relative, persistent=False)
        self.to_joint_embedding = nn.Linear(in_channels, base_channels)
        self.pos_embedding = nn.Parameter(torch.randn(1, V, base_channels))
        # One BatchNorm feature per (person, joint, channel) of the embedding.
        self.data_bn = SkeletonDataBN(base_channels, V, num_person, 'MVC')
        plan = stage_plan(base_channels, base_channels, num_stages, inflate_stages, down_stages,
                          ch_ratio)
        self.net = ModuleList(
            InfoGCNBlock(cin, cout, V, stride=stride, num_heads=num_heads,
                         tcn_kernel_size=tcn_kernel_size, tcn_dilations=tcn_dilations,
                         batched_tcn=batched_tcn)
            for cin, cout, stride in plan)
        self.out_channels = plan[-1][1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_skeleton_input(x, 'InfoGCN', self.num_joints, self.in_channels, self.num_person)
        N, M, T, V, C = x.shape
        x = self.relative_position.to(x.dtype) @ x.reshape(N * M * T, V, C)
        x = self.to_joint_embedding(x) + self.pos_embedding
        x = self.data_bn(x.view(N, M, T, V, -1))
        for block in self.net:
            x = block(x)
        return x.reshape((N, M) + x.shape[1:])
