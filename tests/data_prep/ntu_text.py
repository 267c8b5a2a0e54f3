"""Generated NTU ``.skeleton`` text (the Kinect v2 format) for tests that must not need real data.

The values are synthetic; the layout is the release's: frame count, then per frame the body
count, per body a 10-field header (tracking id first), the joint count (25) and 25 lines of 12
values (x y z depthX depthY colorX colorY orientationW..Z trackingState).
"""
from typing import Dict, Sequence

import numpy as np

BODY_ID_BASE = 72057594037931100  # Kinect ids look like this (17 digits, beyond float precision)


def body_pose(body: int, frame: int, num_joints: int = 25) -> np.ndarray:
    """Deterministic, upright (taller than wide) 3D pose of ``body`` at ``frame``."""
    j = np.arange(num_joints)
    x = 0.6 * body - 0.3 + 0.02 * np.sin(j) + 0.01 * np.sin(0.2 * frame + body)
    y = -0.8 + 1.6 * j / (num_joints - 1) + 0.01 * np.cos(0.3 * frame)
    z = 3.0 + 0.05 * np.cos(j + frame * 0.1 + body)
    return np.stack([x, y, z], axis=1)


def skeleton_text(frames: Sequence[Sequence[int]], num_joints: int = 25,
                  newline: str = '\r\n') -> str:
    """Text of a ``.skeleton`` file.

    Args:
        frames: For each frame, the body numbers present in it (e.g. ``[[0], [0, 1], []]``).
        num_joints: Joints per body.
        newline: Line ending (the release uses CRLF).

    Returns:
        str: The file content. Joint values are printed with 7 significant digits, as in the
        release, so ``float(text)`` gives back exactly what :func:`expected_xyz` returns.
    """
    out = [str(len(frames))]
    for t, bodies in enumerate(frames):
        out.append(str(len(bodies)))
        for b in bodies:
            out.append(f'{BODY_ID_BASE + b} 0 1 1 1 1 0 0.02764709 0.05745083 2')
            out.append(str(num_joints))
            for x, y, z in body_pose(b, t, num_joints):
                out.append(f'{x:.7g} {y:.7g} {z:.7g} 277.419 191.8218 1036.233 519.1677 '
                           f'-0.2059419 0.05349901 0.9692109 -0.1239193 2')
    return newline.join(out) + newline


def expected_xyz(frames: Sequence[Sequence[int]], num_joints: int = 25) -> Dict[int, np.ndarray]:
    """``body -> (F, V, 3)`` float32 values as printed in :func:`skeleton_text`."""
    result = {}
    for t, bodies in enumerate(frames):
        for b in bodies:
            pose = np.array([[float(f'{v:.7g}') for v in joint]
                             for joint in body_pose(b, t, num_joints)], dtype=np.float32)
            result.setdefault(b, []).append(pose)
    return {b: np.stack(v) for b, v in result.items()}


def write_skeleton(path, frames, **kwargs) -> str:
    with open(path, 'w', newline='') as f:
        f.write(skeleton_text(frames, **kwargs))
    return str(path)
