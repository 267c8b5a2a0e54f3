"""Temporal units shared by CTR-GCN, InfoGCN, HD-GCN and BlockGCN.

All four reference implementations use CTR-GCN's multi-scale temporal convolution: parallel
branches of (1x1 conv -> BN -> ReLU -> dilated temporal conv -> BN), a (1x1 -> BN -> ReLU ->
3x1 max-pool -> BN) branch and a strided 1x1 branch, concatenated on channels.
"""
from typing import List, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F


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
        batched (bool): Compute the branches together (:meth:`forward_batched`): the same
            function and parameters, fewer and larger kernels. Defaults to False (the branch
            loop).

    Shapes:
        (N, C_in, T, V) -> (N, C_out, T / stride, V)
    """

    def __init__(self, in_channels: int, out_channels: int,
                 kernel_size: Union[int, Sequence[int]] = 3, stride: int = 1,
                 dilations: Sequence[int] = (1, 2, 3, 4), residual: bool = True,
                 residual_kernel_size: int = 1, dropout: float = 0., bn_weight_std: float = 0.,
                 batched: bool = False):
        super().__init__()
        self.bn_weight_std = bn_weight_std
        self.batched = batched
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
        self.branch_channels = branch

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
        if self.batched and self._joinable():
            out = self.forward_batched(x)
        else:
            out = torch.cat([b(x) for b in self.branches], dim=1)
        if self.residual is not None:
            out = out + self.residual(x)
        return self.drop(out)

    def _joinable(self) -> bool:
        """Whether :func:`joined_batch_norm` can stand in for every BatchNorm of the branches:
        plain ``nn.BatchNorm2d`` (a ``SyncBatchNorm`` from ``sync_bn`` must run as itself),
        affine, with running statistics, a momentum, and all in the same mode (``norm_eval``
        may have put them in eval mode) with one ``eps`` and ``momentum``."""
        bns = [m for m in self.branches.modules()
               if isinstance(m, nn.modules.batchnorm._NormBase)]
        first = (bns[0].eps, bns[0].momentum, bns[0].training)
        return all(type(m) is nn.BatchNorm2d and m.affine and m.track_running_stats
                   and m.momentum is not None and (m.eps, m.momentum, m.training) == first
                   for m in bns)

    def forward_batched(self, x: torch.Tensor) -> torch.Tensor:
        """The concatenated branches, computed with fewer and larger kernels.

        Same parameters (so the same state dict), running statistics updated as the loop
        updates them, equal to the loop up to rounding:

        - the 1x1 convolutions that read ``x`` (one per dilated branch, the max-pool branch's,
          and the last branch's when it has stride 1) run as one convolution, and their
          BatchNorms as one;
        - the BatchNorms after the dilated convolutions and the max-pool run as one.

        Each channel of a 1x1 convolution or a BatchNorm depends only on its own weights and
        statistics, so joining them along the channels changes nothing but the kernels' sizes.
        The dilated convolutions (different dilations) and the strided 1x1 branch (its
        statistics are over the strided output) stay separate.
        """
        nd = len(self.branches) - 2
        temporal = [self.branches[i][3] for i in range(nd)]
        pool_branch, last = self.branches[nd], self.branches[nd + 1]
        squeeze = [self.branches[i][0] for i in range(nd + 1)]
        squeeze_bn = [self.branches[i][1] for i in range(nd + 1)]
        last_joined = last[0].stride == (1, 1)
        if last_joined:
            squeeze, squeeze_bn = squeeze + [last[0]], squeeze_bn + [last[1]]
        h = F.conv2d(x, torch.cat([c.weight for c in squeeze]),
                     torch.cat([c.bias for c in squeeze]))
        h = joined_batch_norm(h, squeeze_bn).split(self.branch_channels, 1)
        # ReLU per branch: each slice becomes a contiguous tensor the next kernel reads as is
        outs = [t.conv(F.relu(h[i])) for i, t in enumerate(temporal)]
        # The (3, 1) max-pool is 3x faster on a channels-last map with its backward (CPU:
        # 1.7 against 5.5 ms for (16, 16, 52, 20), bf16, the copy included; measured), with the
        # same outputs and gradients, ties included (it keeps the first maximum either way)
        outs.append(pool_branch[3](channels_last(F.relu(h[nd]))))
        # The concatenation's backward hands this BatchNorm a channel slice of the output's
        # gradient; BatchNorm's backward is several times slower on a strided gradient than on
        # a contiguous one (4.7 against 1.1 ms for (16, 48, 52, 20) in bf16, measured)
        outs = [contiguous_grad(joined_batch_norm(
            torch.cat(outs, 1), [t.bn for t in temporal] + [pool_branch[4]]))]
        outs.append(h[nd + 1] if last_joined else last(x))
        return torch.cat(outs, 1)


class _ContiguousGrad(torch.autograd.Function):
    """Identity (or a copy in ``memory_format``) forward; a contiguous gradient backward."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, memory_format=None) -> torch.Tensor:
        return x.view_as(x) if memory_format is None else x.contiguous(
            memory_format=memory_format)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        return grad.contiguous(), None


def contiguous_grad(x: torch.Tensor) -> torch.Tensor:
    """``x`` itself, with the gradient that flows back through it made contiguous (for a
    kernel that is slow on strided gradients, such as BatchNorm's backward on CPU)."""
    return _ContiguousGrad.apply(x, None)


def channels_last(x: torch.Tensor) -> torch.Tensor:
    """A channels-last copy of the (N, C, H, W) ``x`` whose gradient flows back contiguous (in
    ``x``'s layout, so that the kernels before it read it as they wrote ``x``)."""
    return _ContiguousGrad.apply(x, torch.channels_last)


def joined_batch_norm(x: torch.Tensor, bns: List[nn.BatchNorm2d]) -> torch.Tensor:
    """``cat([bn(x_i) for bn, x_i in zip(bns, x.split(...))], 1)`` as one BatchNorm call.

    The modules' weights, biases and running statistics are concatenated along the channels;
    in training mode (the modules') the batch's statistics normalise, the updated running
    statistics are written back into each module, and each module's ``num_batches_tracked``
    counts the batch, as its own call would.

    Args:
        x (torch.Tensor): (N, sum of the modules' channels, ...).
        bns (list[nn.BatchNorm2d]): Affine modules with running statistics and a momentum, all
            with the same ``eps``, ``momentum`` and mode.
    """
    eps, momentum, training = bns[0].eps, bns[0].momentum, bns[0].training
    if any((b.eps, b.momentum, b.training) != (eps, momentum, training) for b in bns):
        raise ValueError('joined_batch_norm: the BatchNorms differ in eps, momentum or mode')
    mean = torch.cat([b.running_mean for b in bns])
    var = torch.cat([b.running_var for b in bns])
    out = F.batch_norm(x, mean, var, torch.cat([b.weight for b in bns]),
                       torch.cat([b.bias for b in bns]), training, momentum, eps)
    if training:
        with torch.no_grad():
            sizes = [b.num_features for b in bns]
            for b, m, v in zip(bns, mean.split(sizes), var.split(sizes)):
                b.running_mean.copy_(m)
                b.running_var.copy_(v)
                b.num_batches_tracked.add_(1)
    return out
