"""A tiny "bring your own dataset" set: 20 Kinect-v1 joints in an order no built-in layout has.

Bodies are built by forward kinematics on the NW-UCLA skeleton (every bone keeps its length;
limbs swing per class), then the joints are stored in a shuffled order (``PERM``). The layout
that fits is ``BYOD_LAYOUT`` (NW-UCLA's bones renumbered); reading the file as NW-UCLA connects
the wrong joints, which are not neighbours and change their distance with every movement: the
case of issue 20 (MSR Action3D data under an NW-UCLA config).
"""
import pickle

import numpy as np

from sfhead_mm.skeleton import get_layout

NWUCLA = get_layout('nw-ucla')
V = NWUCLA.num_joints
#: stored joint i is NW-UCLA joint PERM[i]
PERM = [int(i) for i in np.random.default_rng(3).permutation(V)]
_INV = {nw: i for i, nw in enumerate(PERM)}

BYOD_LAYOUT = dict(
    name='test-byod-shuffled-20',
    joints=[NWUCLA.joints[nw] for nw in PERM],
    edges=[(_INV[c], _INV[p]) for c, p in NWUCLA.edges],
    center=_INV[NWUCLA.center],
    left=[_INV[j] for j in NWUCLA.left], right=[_INV[j] for j in NWUCLA.right],
    norm_center=_INV[NWUCLA.normalization['center']])
CLASSES = ['wave left', 'wave right', 'kick']

# Rest pose offsets from the parent (metres), NW-UCLA joint order.
_OFFSETS = {
    0: (0, 0, 0), 1: (0, 0.25, 0), 2: (0, 0.25, 0), 3: (0, 0.2, 0),
    4: (0.18, -0.05, 0), 5: (0.25, 0, 0), 6: (0.25, 0, 0), 7: (0.08, 0, 0),
    8: (-0.18, -0.05, 0), 9: (-0.25, 0, 0), 10: (-0.25, 0, 0), 11: (-0.08, 0, 0),
    12: (0.1, -0.05, 0), 13: (0, -0.4, 0), 14: (0, -0.4, 0), 15: (0, -0.05, 0.1),
    16: (-0.1, -0.05, 0), 17: (0, -0.4, 0), 18: (0, -0.4, 0), 19: (0, -0.05, 0.1),
}
_PARENT = {0: 0, 1: 0, 2: 1, 3: 2, 4: 2, 5: 4, 6: 5, 7: 6, 8: 2, 9: 8, 10: 9, 11: 10,
           12: 0, 13: 12, 14: 13, 15: 14, 16: 0, 17: 16, 18: 17, 19: 18}
# Joints whose subtree swings for each class (rotation about z, then x).
_SWING = {0: (5, 6), 1: (9, 10), 2: (17, 18)}


def _rot(ax, ay):
    cz, sz, cx, sx = np.cos(ax), np.sin(ax), np.cos(ay), np.sin(ay)
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    return rz @ rx


def body(label: int, T: int, rng) -> np.ndarray:
    """(T, V, 3) NW-UCLA-ordered joints with constant bone lengths."""
    out = np.zeros((T, V, 3))
    phase, speed = rng.uniform(0, 2 * np.pi), rng.uniform(0.3, 0.5)
    root = rng.normal(0, 0.2, 3) + (0, 0, 3.0)
    for t in range(T):
        rots = {j: np.eye(3) for j in range(V)}
        for j in (5, 6, 9, 10, 13, 14, 17, 18):  # every limb moves, the class's ones most
            amp = 1.2 if j in _SWING[label] else 0.4
            a = phase + speed * t + j
            rots[j] = _rot(amp * np.sin(a), 0.5 * amp * np.cos(a))
        world = {0: np.eye(3)}
        for j in range(V):  # parents come before children in NW-UCLA order
            p = _PARENT[j]
            if j == 0:
                out[t, 0] = root
                continue
            world[j] = world[p] @ rots[j]
            out[t, j] = out[t, p] + world[j] @ np.asarray(_OFFSETS[j], dtype=float)
    return out + rng.normal(0, 0.001, out.shape)


def write_byod(path: str, train_per_class: int = 4, val_per_class: int = 2, T: int = 24,
               seed: int = 0, reorder: bool = True) -> str:
    """Write the PoseDataset pickle (``train`` / ``val`` splits); joints shuffled if ``reorder``."""
    rng = np.random.default_rng(seed)
    anns, split = [], {'train': [], 'val': []}
    for label in range(len(CLASSES)):
        for i in range(train_per_class + val_per_class):
            kp = body(label, T, rng)
            if reorder:
                kp = kp[:, PERM]
            name = f'c{label}_s{i}'
            anns.append(dict(frame_dir=name, label=label, total_frames=T,
                             keypoint=kp[None].astype(np.float32)))
            split['train' if i < train_per_class else 'val'].append(name)
    with open(path, 'wb') as f:
        pickle.dump(dict(split=split, annotations=anns), f)
    return path
