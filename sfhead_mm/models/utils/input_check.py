"""Checking a backbone's input against its config before the first layer sees it.

A 2D/3D, joint-count or person-count mismatch otherwise surfaces deep inside as a BatchNorm
``running_mean`` size error (mmaction2 #1438, #2059, #2141); here it names the config key to fix.
"""
from typing import Optional

import torch


def check_skeleton_input(x: torch.Tensor, owner: str, num_joints: int, in_channels: int,
                         num_person: Optional[int] = None) -> None:
    """Raise a readable ``ValueError`` unless ``x`` is ``(N, M, T, V, C)`` as configured.

    Args:
        x (torch.Tensor): The backbone input.
        owner (str): The backbone's name, for the message.
        num_joints (int): V of the configured layout.
        in_channels (int): C the backbone was built for.
        num_person (int, optional): M, when the backbone's data BatchNorm fixes it.
    """
    if x.dim() != 5:
        raise ValueError(f'{owner}: expected input (N, M, T, V, C), got shape {tuple(x.shape)}')
    _, M, _, V, C = x.shape
    problems = []
    if V != num_joints:
        problems.append(f'V={V} joints but graph_cfg.layout has {num_joints} (set '
                        f'graph_cfg.layout to the layout of the data)')
    if C != in_channels:
        problems.append(f'C={C} channels but in_channels={in_channels} (2D keypoints are 2, '
                        f'3D 3; a keypoint score or several GenSkeFeat streams add more)')
    if num_person is not None and M != num_person:
        problems.append(f'M={M} persons but num_person={num_person} (FormatGCNInput(num_person) '
                        f'in the pipeline and the backbone\'s num_person must agree)')
    if problems:
        raise ValueError(f'{owner}: input {tuple(x.shape)} does not match the config: '
                         + '; '.join(problems))
