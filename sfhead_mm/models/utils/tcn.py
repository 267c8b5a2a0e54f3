"""Temporal units shared by CTR-GCN, InfoGCN, HD-GCN and BlockGCN.

All four reference implementations use CTR-GCN's multi-scale temporal convolution: parallel
branches of (1x1 conv -> BN -> ReLU -> dilated temporal conv -> BN), a (1x1 -> BN -> ReLU ->
3x1 max-pool -> BN) branch and a strided 1x1 branch, concatenated on channels.
"""
from typing import Sequence, Union

import torch
import torch.nn as nn


def conv_init(conv: nn.Module) -> None:
    """Kaiming-normal (fan_out) weights, zero bias: the reference repositories' ``conv_init``."""
    if getattr(conv, 'weight', None) is not None:
        nn.init.kaiming_normal_(conv.weight, mode='fan_out')
    if getattr(conv, 'bias', None) is not None:
        nn.init.constant_(conv.bias, 0)


def bn_init(bn: nn.Module, scale: float) -> None:
    nn.init.constant_(bn.weight, scale)
    nn.init.constant_(bn.bias, 0)


class TemporalConv(nn.Module):
    """A (k x 1) dilated temporal convolution followed by BatchNorm.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Temporal kernel size.
        stride (int): Temporal stride. Defaults to 1.
        dilation (int): Temporal dilation. Defaults to 1.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T / stride, V)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int,
                 stride: int = 1, dilation: int = 1):
        super().__init__()
        pad = (kernel_size + (kernel_size - 1) * (dilation - 1) - 1) // 2
        self.conv = nn.Conv2d(in_channels, out_channels, (kernel_size, 1), padding=(pad, 0),
                              stride=(stride, 1), dilation=(dilation, 1))
        self.bn = nn.BatchNorm2d(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.conv(x))


class MultiScaleTCN(nn.Module):
    """CTR-GCN's multi-scale temporal convolution.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels; must be divisible by ``len(dilations) + 2``.
        kernel_size (int | Sequence[int]): Kernel of the dilated branches. Defaults to 3
            (CTR-GCN's blocks use 5).
        stride (int): Temporal stride. Defaults to 1.
        dilations (Sequence[int]): One dilated branch per entry. Defaults to (1, 2, 3, 4)
            (CTR-GCN's blocks use (1, 2)).
        residual (bool): Add an internal residual (the blocks of CTR-GCN turn it off and add
            their own). Defaults to True.
        residual_kernel_size (int): Kernel of the residual conv when shapes change.
        dropout (float): Dropout after the concatenation (InfoGCN uses none). Defaults to 0.
        bn_weight_std (float): The BatchNorm weights start at ``N(1, bn_weight_std)``; 0 gives
            exactly 1. CTR-GCN's, HD-GCN's and BlockGCN's code draw them with std 0.02 (their
            ``weights_init``). Defaults to 0.

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T / stride, V)
    """

    def __init__(self, in_channels: int, out_channels: int,
                 kernel_size: Union[int, Sequence[int]] = 3, stride: int = 1,
                 dilations: Sequence[int] = (1, 2, 3, 4), residual: bool = True,
                 residual_kernel_size: int = 1, dropout: float = 0., bn_weight_std: float = 0.):
        super().__init__()
        self.bn_weight_std = bn_weight_std
        num_branches = len(dilations) + 2
        if out_channels % num_branches:
            raise ValueError(f'MultiScaleTCN: out_channels={out_channels} is not divisible by '
                             f'{num_branches} branches (len(dilations) + 2)')
        kernels = list(kernel_size) if isinstance(kernel_size, (list, tuple)) else \
            [kernel_size] * len(dilations)
        if len(kernels) != len(dilations):
            raise ValueError('MultiScaleTCN: one kernel size per dilation is needed')
        branch = out_channels // num_branches
        self.in_channels, self.out_channels = in_channels, out_channels

        def squeeze():
            return [nn.Conv2d(in_channels, branch, 1), nn.BatchNorm2d(branch),
                    nn.ReLU(inplace=True)]

        self.branches = nn.ModuleList(
            nn.Sequential(*squeeze(), TemporalConv(branch, branch, k, stride, d))
            for k, d in zip(kernels, dilations))
        self.branches.append(nn.Sequential(
            *squeeze(), nn.MaxPool2d((3, 1), stride=(stride, 1), padding=(1, 0)),
            nn.BatchNorm2d(branch)))
        self.branches.append(nn.Sequential(
            nn.Conv2d(in_channels, branch, 1, stride=(stride, 1)), nn.BatchNorm2d(branch)))

        if not residual:
            self.residual = None
        elif in_channels == out_channels and stride == 1:
            self.residual = nn.Identity()
        else:
            self.residual = TemporalConv(in_channels, out_channels, residual_kernel_size,
                                         stride)
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.init_weights()

    def init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                conv_init(m)
            elif isinstance(m, nn.BatchNorm2d):
                bn_init(m, 1)
                if self.bn_weight_std:
                    nn.init.normal_(m.weight, 1., self.bn_weight_std)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.cat([b(x) for b in self.branches], dim=1)
        if self.residual is not None:
            out = out + self.residual(x)
        return self.drop(out)
