"""What the GCN backbones share around their blocks: the input BatchNorm and the stage plan."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn


class SkeletonDataBN(nn.BatchNorm1d):
    """The input BatchNorm of skeleton GCNs, and the move to the blocks' layout.

    ``'MVC'``: one BatchNorm feature per (person, joint, channel), as the CTR-GCN family does;
    ``'VC'``: per (joint, channel), shared by persons, as MMAction2's ST-GCN default.
    A subclass of ``BatchNorm1d``, so the state-dict keys stay ``data_bn.weight`` etc.

    Args:
        channels (int): C of the input.
        num_joints (int): V.
        num_person (int): M (only ``'MVC'`` uses it).
        mode (str): ``'MVC'`` or ``'VC'``.

    Shapes:
        (N, M, T, V, C) -> (N * M, C, T, V)
    """

    def __init__(self, channels: int, num_joints: int, num_person: int, mode: str = 'MVC'):
        super().__init__((num_person if mode == 'MVC' else 1) * channels * num_joints)
        self.mode = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, M, T, V, C = x.shape
        rows = N if self.mode == 'MVC' else N * M
        x = super().forward(x.permute(0, 1, 3, 4, 2).reshape(rows, -1, T))
        return x.view(N, M, V, C, T).permute(0, 1, 3, 4, 2).reshape(N * M, C, T, V)


class SkeletonToRows(nn.Module):
    """``data_bn_type=None``: only the move (N, M, T, V, C) -> (N * M, C, T, V)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, M, T, V, C = x.shape
        return x.permute(0, 1, 4, 2, 3).reshape(N * M, C, T, V)


def build_data_bn(mode: Optional[str], channels: int, num_joints: int, num_person: int,
                  owner: str) -> nn.Module:
    """:class:`SkeletonDataBN` for ``'MVC'``/``'VC'``, :class:`SkeletonToRows` for None."""
    if mode is None:
        return SkeletonToRows()
    if mode not in ('MVC', 'VC'):
        raise ValueError(f'{owner}: data_bn_type={mode!r}; use "MVC", "VC" or None')
    return SkeletonDataBN(channels, num_joints, num_person, mode)


def stage_plan(first_in: int, base_channels: int, num_stages: int,
               inflate_stages: Sequence[int], down_stages: Sequence[int],
               ch_ratio: int = 2) -> List[Tuple[int, int, int]]:
    """``(in_channels, out_channels, stride)`` of each block; stages are 1-based.

    The channels are multiplied by ``ch_ratio`` at the inflate stages and the time is halved at
    the down stages, the plan every backbone of this package (and MMAction2's) follows.
    """
    plan, cin, cout = [], first_in, base_channels
    for stage in range(1, num_stages + 1):
        if stage in inflate_stages:
            cout *= ch_ratio
        plan.append((cin, cout, 2 if stage in down_stages else 1))
        cin = cout
    return plan
