"""A small, deterministic synthetic skeleton dataset with look-alike action pairs.

It exists for the demo and for fast tests: it is written in MMAction2's ``PoseDataset`` pickle
format with the NTU RGB+D 25-joint layout (3D, metres, y up), 1 or 2 persons per clip. Its eight
classes come as four look-alike pairs, the kind of confusion SF-Head targets:

====  =====================  ========================================================
pair  classes                what separates them
====  =====================  ========================================================
1     salute / hand wave     right hand held at the forehead vs waved beside the head
2     clap / rub hands       hands meeting and parting vs held together, circling
3     sit down / stand up    the same motion, played forwards or backwards
4     handshake / push       two persons; right hands meet vs both hands to the chest
====  =====================  ========================================================

Nuisances (body size, facing, speed, amplitude, timing, sensor noise, an idle bystander in some
single-person clips) make the pairs hard but learnable. Same ``seed`` → byte-identical pickle.

Command line::

    python -m sfhead_mm.datasets.synthetic OUT.pkl [--train-per-class 40] [--val-per-class 12]
"""
import argparse
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np

from ..utils.atomic_write import write_pickle

CLASSES = ('salute', 'hand wave', 'clap', 'rub hands', 'sit down', 'stand up',
           'handshake', 'push')
#: Look-alike groups, by class index (also usable by the ambiguous-group metric).
GROUPS = {
    'raise hand to head': [0, 1],
    'hands together': [2, 3],
    'sit / stand': [4, 5],
    'two-person contact': [6, 7],
}
TWO_PERSON = (6, 7)

# Rest pose, NTU joint order (0-based), metres; x towards the person's left, y up, z away from
# the camera (the person faces -z).
_REST = np.array([
    [0.00, 0.00, 0.00],  # 0 spine_base
    [0.00, 0.28, 0.00],  # 1 spine_mid
    [0.00, 0.56, 0.00],  # 2 neck
    [0.00, 0.70, 0.00],  # 3 head
    [0.18, 0.48, 0.00],  # 4 left_shoulder
    [0.22, 0.22, 0.00],  # 5 left_elbow
    [0.24, -0.02, 0.00],  # 6 left_wrist
    [0.25, -0.09, 0.00],  # 7 left_hand
    [-0.18, 0.48, 0.00],  # 8 right_shoulder
    [-0.22, 0.22, 0.00],  # 9 right_elbow
    [-0.24, -0.02, 0.00],  # 10 right_wrist
    [-0.25, -0.09, 0.00],  # 11 right_hand
    [0.10, -0.04, 0.00],  # 12 left_hip
    [0.10, -0.45, 0.00],  # 13 left_knee
    [0.10, -0.85, 0.02],  # 14 left_ankle
    [0.10, -0.90, -0.08],  # 15 left_foot
    [-0.10, -0.04, 0.00],  # 16 right_hip
    [-0.10, -0.45, 0.00],  # 17 right_knee
    [-0.10, -0.85, 0.02],  # 18 right_ankle
    [-0.10, -0.90, -0.08],  # 19 right_foot
    [0.00, 0.50, 0.00],  # 20 spine_shoulder
    [0.25, -0.16, 0.00],  # 21 left_hand_tip
    [0.21, -0.10, -0.02],  # 22 left_thumb
    [-0.25, -0.16, 0.00],  # 23 right_hand_tip
    [-0.21, -0.10, -0.02],  # 24 right_thumb
], dtype=np.float64)

_UPPER_ARM, _FOREARM = 0.27, 0.25
# (shoulder, elbow, wrist, hand, tip, thumb) per side
_ARMS = {'left': (4, 5, 6, 7, 21, 22), 'right': (8, 9, 10, 11, 23, 24)}


def _smooth(t: np.ndarray) -> np.ndarray:
    """Smoothstep on [0, 1]: eases a movement in and out."""
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _place_arm(pose: np.ndarray, side: str, hand: np.ndarray) -> None:
    """Two-bone IK: put the hand of ``side`` at ``hand`` (T, 3), elbow bent outward-down."""
    s_i, e_i, w_i, h_i, tip_i, th_i = _ARMS[side]
    shoulder = pose[:, s_i]
    reach = hand - shoulder
    dist = np.linalg.norm(reach, axis=-1, keepdims=True).clip(1e-6)
    direction = reach / dist
    dist = np.clip(dist, 0.05, _UPPER_ARM + _FOREARM - 1e-3)
    # distance along the shoulder->hand line to the elbow's projection, and the offset from it
    along = (dist**2 + _UPPER_ARM**2 - _FOREARM**2) / (2 * dist)
    offset = np.sqrt(np.clip(_UPPER_ARM**2 - along**2, 0.0, None))
    pole = np.array([1.0 if side == 'left' else -1.0, -1.0, 0.3])
    pole = pole - (pole * direction).sum(-1, keepdims=True) * direction
    pole /= np.linalg.norm(pole, axis=-1, keepdims=True).clip(1e-6)
    elbow = shoulder + direction * along + pole * offset
    wrist = shoulder + direction * dist
    fore = (wrist - elbow) / np.linalg.norm(wrist - elbow, axis=-1, keepdims=True).clip(1e-6)
    pose[:, e_i] = elbow
    pose[:, w_i] = wrist
    pose[:, h_i] = wrist + 0.07 * fore
    pose[:, tip_i] = wrist + 0.14 * fore
    pose[:, th_i] = wrist + 0.06 * fore + 0.03 * pole


def _base(T: int, rng: np.random.Generator) -> np.ndarray:
    """Rest pose for T frames with a slight idle sway."""
    pose = np.repeat(_REST[None], T, axis=0).copy()
    t = np.arange(T)
    sway = 0.01 * np.sin(2 * np.pi * t / rng.uniform(30, 60) + rng.uniform(0, 6.28))
    pose[:, :, 0] += sway[:, None]
    return pose


def _salute(T, rng):
    pose = _base(T, rng)
    t = np.linspace(0, 1, T)
    up = _smooth((t - rng.uniform(0.05, 0.2)) / rng.uniform(0.2, 0.35))
    down = _smooth((t - rng.uniform(0.75, 0.9)) / 0.15)
    lift = up * (1 - down)
    rest = _REST[11]
    target = np.array([-0.09, 0.74, -0.09]) + rng.normal(0, 0.015, 3)
    hand = rest + lift[:, None] * (target - rest)
    hand += 0.004 * rng.standard_normal((T, 3))  # held still, slight tremor
    _place_arm(pose, 'right', hand)
    return pose


def _wave(T, rng):
    pose = _base(T, rng)
    t = np.linspace(0, 1, T)
    up = _smooth((t - rng.uniform(0.05, 0.2)) / rng.uniform(0.2, 0.35))
    down = _smooth((t - rng.uniform(0.75, 0.9)) / 0.15)
    lift = up * (1 - down)
    rest = _REST[11]
    target = np.array([-0.30, 0.72, -0.08]) + rng.normal(0, 0.02, 3)
    hand = rest + lift[:, None] * (target - rest)
    cycles = rng.uniform(2.0, 4.0)
    amp = rng.uniform(0.06, 0.12)
    hand[:, 0] += lift * amp * np.sin(2 * np.pi * cycles * t + rng.uniform(0, 6.28))
    _place_arm(pose, 'right', hand)
    return pose


def _hands_front(T, rng, gap_fn):
    pose = _base(T, rng)
    t = np.linspace(0, 1, T)
    up = _smooth((t - rng.uniform(0.0, 0.15)) / 0.2) * (1 - _smooth((t - 0.88) / 0.12))
    centre = np.array([0.0, 0.28, -0.30]) + rng.normal(0, 0.02, 3)
    gap, dy, dz = gap_fn(t)
    for side, sign in (('left', 1.0), ('right', -1.0)):
        rest = _REST[_ARMS[side][3]]
        target = centre + np.stack([sign * gap, sign * dy, sign * dz], -1)
        _place_arm(pose, side, rest + up[:, None] * (target - rest))
    return pose


def _clap(T, rng):
    claps = rng.uniform(3.0, 5.0)
    phase = rng.uniform(0, 6.28)
    amp = rng.uniform(0.08, 0.14)

    def gap(t):
        g = 0.025 + amp * np.abs(np.sin(np.pi * claps * t + phase))
        return g, np.zeros_like(t), np.zeros_like(t)

    return _hands_front(T, rng, gap)


def _rub(T, rng):
    cycles = rng.uniform(3.0, 6.0)
    phase = rng.uniform(0, 6.28)
    r = rng.uniform(0.025, 0.045)

    def gap(t):
        a = 2 * np.pi * cycles * t + phase
        return np.full_like(t, 0.03), r * np.sin(a), r * np.cos(a)

    return _hands_front(T, rng, gap)


def _sit(T, rng, reverse=False):
    pose = _base(T, rng)
    t = np.linspace(0, 1, T)
    start, length = rng.uniform(0.1, 0.3), rng.uniform(0.4, 0.6)
    d = _smooth((t - start) / length)
    if reverse:
        d = 1 - d
    drop = rng.uniform(0.38, 0.48) * d
    lean = rng.uniform(0.08, 0.15) * np.sin(np.pi * d)  # lean forward mid-movement
    upper = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 20, 21, 22, 23, 24]
    pose[:, upper, 1] -= drop[:, None]
    pose[:, [2, 3, 4, 8, 20], 2] -= lean[:, None]
    # thighs swing forward as the hips drop; ankles and feet stay on the floor
    for knee in (13, 17):
        pose[:, knee, 2] -= 0.40 * d
        pose[:, knee, 1] -= 0.05 * d
    for hip, knee, ankle in ((12, 13, 14), (16, 17, 18)):
        pose[:, hip, 2] += 0.02 * d
    hand_rest = _REST[[7, 11]]
    for side, h in zip(('left', 'right'), hand_rest):
        hand = np.repeat(h[None], T, 0)
        hand[:, 1] -= drop * 0.8
        hand[:, 2] -= 0.25 * d
        _place_arm(pose, side, hand)
    return pose


def _stand(T, rng):
    return _sit(T, rng, reverse=True)


def _facing_pair(T, rng) -> Tuple[np.ndarray, np.ndarray]:
    """Two rest poses facing each other along x, 0.9-1.1 m apart."""
    a, b = _base(T, rng), _base(T, rng)
    gap = rng.uniform(0.9, 1.1)
    a = _yaw(a, np.pi / 2) + np.array([-gap / 2, 0, 0])
    b = _yaw(b, -np.pi / 2) + np.array([gap / 2, 0, 0])
    return a, b


def _handshake(T, rng):
    a, b = _facing_pair(T, rng)
    t = np.linspace(0, 1, T)
    reach = _smooth((t - rng.uniform(0.05, 0.2)) / 0.25) * (1 - _smooth((t - 0.85) / 0.15))
    meet = (a[0, 8] + b[0, 8]) / 2 + np.array([0, -0.25, 0])
    shakes = rng.uniform(2.0, 4.0)
    bob = 0.04 * np.sin(2 * np.pi * shakes * t) * reach
    for person in (a, b):
        rest = person[0, 11]
        hand = rest + reach[:, None] * (meet - rest)
        hand[:, 1] += bob
        _place_arm(person, 'right', hand)
    return np.stack([a, b])


def _push(T, rng):
    a, b = _facing_pair(T, rng)
    t = np.linspace(0, 1, T)
    hit = rng.uniform(0.35, 0.55)
    reach = _smooth((t - (hit - 0.3)) / 0.3) * (1 - _smooth((t - hit - 0.25) / 0.2))
    back = rng.uniform(0.15, 0.3) * _smooth((t - hit) / 0.2)
    b[:, :, 0] += back[:, None]  # the pushed person steps back
    chest = b[:, 20] + np.array([-0.12, -0.1, 0])
    for side, dz in (('left', -0.12), ('right', 0.12)):
        rest = a[0, _ARMS[side][3]]
        target = chest + np.array([0, 0, dz])
        _place_arm(a, side, rest + reach[:, None] * (target - rest))
    return np.stack([a, b])


def _yaw(pose: np.ndarray, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    return pose @ rot.T


_GENERATORS: Sequence[Callable] = (_salute, _wave, _clap, _rub, _sit, _stand, _handshake,
                                   _push)


def make_clip(label: int, rng: np.random.Generator, min_frames: int = 40,
              max_frames: int = 80, bystander_prob: float = 0.3) -> np.ndarray:
    """One clip of class ``label`` as an (M, T, 25, 3) float32 array."""
    T = int(rng.integers(min_frames, max_frames + 1))
    clip = _GENERATORS[label](T, rng)
    if clip.ndim == 3:
        clip = clip[None]
        if rng.random() < bystander_prob:  # an idle second person at the side
            other = _yaw(_base(T, rng), rng.uniform(-0.5, 0.5))
            clip = np.concatenate([clip, (other + [rng.choice([-1.6, 1.6]), 0, 0.6])[None]])
    scale = rng.uniform(0.85, 1.15)
    clip = _yaw(clip * scale, rng.uniform(-0.5, 0.5))
    clip = clip + np.array([rng.uniform(-0.5, 0.5), rng.uniform(-0.1, 0.1),
                            rng.uniform(2.5, 3.5)])
    clip = clip + rng.normal(0, 0.008, clip.shape)
    return clip.astype(np.float32)


def generate(train_per_class: int = 40, val_per_class: int = 12, seed: int = 0,
             min_frames: int = 40, max_frames: int = 80) -> Dict:
    """Build the dataset in MMAction2's PoseDataset format.

    Returns:
        dict: ``{'split': {...}, 'annotations': [...], 'classes': [...], 'groups': {...}}``.
        The splits are named ``train``/``val`` and, so that stock NTU configs can point at
        this file by changing only ``ann_file``, also ``xsub_train``/``xsub_val``.
    """
    rng = np.random.default_rng(seed)
    annotations: List[Dict] = []
    split: Dict[str, List[str]] = {'train': [], 'val': []}
    for part, per_class in (('train', train_per_class), ('val', val_per_class)):
        for i in range(per_class * len(CLASSES)):
            label = i % len(CLASSES)
            clip = make_clip(label, rng, min_frames, max_frames)
            name = f'syn_{part}_{i:05d}_A{label + 1:03d}'
            annotations.append(dict(
                frame_dir=name, label=label, keypoint=clip, total_frames=clip.shape[1],
                img_shape=(1080, 1920), original_shape=(1080, 1920)))
            split[part].append(name)
    split['xsub_train'] = list(split['train'])
    split['xsub_val'] = list(split['val'])
    return dict(split=split, annotations=annotations, classes=list(CLASSES),
                groups={k: list(v) for k, v in GROUPS.items()})


def write(path: str, **kwargs) -> str:
    """Generate and write atomically (temporary file, then rename). Returns ``path``."""
    return write_pickle(path, generate(**kwargs))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out', help='output .pkl path')
    parser.add_argument('--train-per-class', type=int, default=40)
    parser.add_argument('--val-per-class', type=int, default=12)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    write(args.out, train_per_class=args.train_per_class,
          val_per_class=args.val_per_class, seed=args.seed)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
