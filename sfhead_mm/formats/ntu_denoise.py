"""The standard NTU RGB+D clean-up: from tracked Kinect bodies to at most two actors.

Kinect reports spurious "bodies" (furniture, reflections, a second track of the same person).
The clean-up of the common public pipeline (``get_raw_denoised_data.py`` of Microsoft's VA-NN /
SGN code, reused by CTR-GCN and its successors) is reproduced here, with its thresholds:

1. drop bodies tracked for ``<= 11`` frames (too short to be a person);
2. if several bodies are left, drop those whose frames are mostly (``>= 69.754 %``) "noisy",
   a noisy frame being one whose x-spread exceeds 0.8 x its y-spread (people stand upright,
   noise is flat or wide); the motion of a body that stays is measured on its clean frames;
3. rank the rest by motion (sum over x, y, z of the variance of all its joint positions) and
   fill two actor slots: the most moving body is actor 1, each following body joins actor 1's
   slot if its frame interval does not overlap actor 1's, else actor 2's if it does not overlap
   actor 2's, else it is discarded;
4. drop the frames where neither actor has data.

One deliberate difference: the reference writes a body's frames as one contiguous block from its
first frame on, which shifts them when the body is lost for a few frames in between; here each
frame goes to its own index. Everything else, including the reference's quirk that actor 2's
interval starts at frame 0, is kept so that results stay comparable with published numbers.

The same actors can be written in 2D: :func:`denoise_colour` selects on 3D exactly as
:func:`denoise` (the thresholds are in metres) and drops the same frames, then writes the chosen
bodies' colour-frame pixels with a score from each joint's tracking state (:data:`STATE_SCORE`).
"""
from dataclasses import dataclass
from typing import List, Tuple

import numpy as np

from .errors import FormatError
from .ntu import RawBody, RawSkeleton

# keypoint_score of a joint from its Kinect trackingState: 0 not tracked, 1 inferred, 2 tracked.
STATE_SCORE = np.array([0.0, 0.5, 1.0], dtype=np.float32)


@dataclass(frozen=True)
class DenoiseConfig:
    """Thresholds of the clean-up (defaults: the reference pipeline's).

    Args:
        min_length (int): Bodies tracked for this many frames or fewer are noise.
        spread_ratio (float): A frame is noisy when x-spread > ``spread_ratio`` x y-spread.
        max_noisy_fraction (float): A body with at least this fraction of noisy frames is
            dropped (when others remain).
        max_actors (int): Actor slots kept (the reference: 2).
        enabled (bool): False keeps every body, most moving first, up to ``max_actors``
            (no length or spread filter, no interval merging).
    """

    min_length: int = 11
    spread_ratio: float = 0.8
    max_noisy_fraction: float = 0.69754
    max_actors: int = 2
    enabled: bool = True


def _motion(joints: np.ndarray) -> float:
    """Sum over x, y, z of the variance of all joint positions ``(F, V, 3)``."""
    return float(np.sum(np.var(joints.reshape(-1, 3), axis=0)))


def _clean_frames(joints: np.ndarray, ratio: float) -> np.ndarray:
    """Boolean ``(F,)``: frames whose x-spread is at most ``ratio`` x their y-spread."""
    spread = joints.max(axis=1) - joints.min(axis=1)  # (F, 3)
    return spread[:, 0] <= ratio * spread[:, 1]


def select_actors(raw: RawSkeleton, cfg: DenoiseConfig = DenoiseConfig()
                  ) -> Tuple[List[List[RawBody]], List[str]]:
    """Steps 1-3: which bodies fill which actor slot.

    Args:
        raw (RawSkeleton): Parsed file.
        cfg (DenoiseConfig): Thresholds.

    Returns:
        tuple: ``slots`` (list of actor slots, each a list of bodies written in that order) and
        ``notes`` (one line per body dropped or discarded, for the report).
    """
    bodies = list(raw.bodies)
    notes: List[str] = []
    if not bodies:
        raise FormatError(raw.path, 'no body to select actors from')
    motion = {id(b): _motion(b.joints) for b in bodies}
    if not cfg.enabled:
        ranked = sorted(bodies, key=lambda b: motion[id(b)], reverse=True)
        return [[b] for b in ranked[:cfg.max_actors]], notes

    kept = [b for b in bodies if len(b.frames) > cfg.min_length]
    for b in bodies:
        if len(b.frames) <= cfg.min_length:
            notes.append(f'body {b.body_id}: dropped, tracked for {len(b.frames)} frames '
                         f'(<= {cfg.min_length})')
    if not kept:
        # The reference has no answer here (it fails); keeping the longest track is the
        # only choice that still yields a sample, and the report says so.
        longest = max(bodies, key=lambda b: len(b.frames))
        kept = [longest]
        notes.append(f'body {longest.body_id}: kept although short, it is the longest track')

    if len(kept) > 1:
        for b in list(kept):
            if len(kept) == 1:
                break
            clean = _clean_frames(b.joints, cfg.spread_ratio)
            noisy = len(clean) - int(clean.sum())
            if noisy == 0:
                continue
            fraction = noisy / len(clean)
            if fraction >= cfg.max_noisy_fraction:
                kept.remove(b)
                notes.append(f'body {b.body_id}: dropped, {100 * fraction:.1f}% of its frames '
                             f'are wider than tall (>= {100 * cfg.max_noisy_fraction:.3f}%)')
            else:
                motion[id(b)] = min(motion[id(b)], _motion(b.joints[clean]))

    # Python's sort is stable: equal motions keep file order, as in the reference.
    ranked = sorted(kept, key=lambda b: motion[id(b)], reverse=True)
    first = ranked[0]
    slots = [[first]]
    start1, end1 = int(first.frames[0]), int(first.frames[-1])
    start2, end2 = 0, 0  # the reference's initial (virtual) interval of actor 2
    for b in ranked[1:]:
        start, end = int(b.frames[0]), int(b.frames[-1])
        if min(end1, end) - max(start1, start) <= 0:
            slots[0].append(b)
            start1, end1 = min(start, start1), max(end, end1)
        elif cfg.max_actors > 1 and min(end2, end) - max(start2, start) <= 0:
            if len(slots) == 1:
                slots.append([])
            slots[1].append(b)
            start2, end2 = min(start, start2), max(end, end2)
        else:
            notes.append(f'body {b.body_id}: discarded, its frames {start}-{end} overlap both '
                         f'actors')
    return slots, notes


def _fill(slots: List[List[RawBody]], num_frames: int, values) -> np.ndarray:
    """``(M, num_frames, ...)`` array of ``values(body)`` per actor slot, zeros elsewhere."""
    first = values(slots[0][0])
    out = np.zeros((len(slots), num_frames) + first.shape[1:], dtype=first.dtype)
    for m, slot in enumerate(slots):
        for body in slot:  # later bodies overwrite shared frames, as in the reference
            out[m, body.frames] = values(body)
    return out


def _clean(raw: RawSkeleton, cfg: DenoiseConfig
           ) -> Tuple[List[List[RawBody]], np.ndarray, np.ndarray, List[str]]:
    """Steps 1-4 on 3D: actor slots, their ``(M, T, V, 3)`` joints, the kept frames, notes."""
    slots, notes = select_actors(raw, cfg)
    keypoint = _fill(slots, raw.num_frames, lambda b: b.joints)
    present = np.any(keypoint != 0, axis=(0, 2, 3))
    dropped = int(raw.num_frames - present.sum())
    if dropped:
        notes.append(f'{dropped} of {raw.num_frames} frames dropped: no actor in them')
    if not present.any():
        raise FormatError(raw.path, 'no frame left after the clean-up')
    return slots, keypoint, present, notes


def denoise(raw: RawSkeleton, cfg: DenoiseConfig = DenoiseConfig()
            ) -> Tuple[np.ndarray, List[str]]:
    """Clean a parsed file into MMAction2's keypoint array.

    Args:
        raw (RawSkeleton): Parsed file.
        cfg (DenoiseConfig): Thresholds.

    Returns:
        tuple: ``keypoint`` ``(M, T, V, 3)`` float32 with ``M`` in ``{1, 2}`` actors and ``T``
        the frames where at least one actor has data (zeros where one actor is absent), and
        the ``notes`` of :func:`select_actors` plus the number of frames dropped.
    """
    _, keypoint, present, notes = _clean(raw, cfg)
    return np.ascontiguousarray(keypoint[:, present]), notes


def denoise_colour(raw: RawSkeleton, cfg: DenoiseConfig = DenoiseConfig()
                   ) -> Tuple[np.ndarray, np.ndarray, List[str]]:
    """The actors of :func:`denoise` in 2D: colour-frame pixels and tracking-state scores.

    Actors are selected and frames dropped on 3D exactly as in :func:`denoise`, so the 2D and
    3D arrays of one file have the same ``M`` and ``T``.

    Shapes:
        keypoint: ``(M, T, V, 2)`` float32 colorX, colorY in pixels of the 1920 x 1080 frame.
        keypoint_score: ``(M, T, V)`` float32 :data:`STATE_SCORE` of the trackingState (tracked
        1.0, inferred 0.5, not tracked 0.0); 0 (and keypoint 0) where the actor is absent.

    Args:
        raw (RawSkeleton): Parsed file, read with ``colour=True``.
        cfg (DenoiseConfig): Thresholds.

    Returns:
        tuple: ``keypoint``, ``keypoint_score`` and the ``notes`` of :func:`denoise`.

    Raises:
        FormatError: The file was read without its colour coordinates.
    """
    if any(b.colour is None or b.state is None for b in raw.bodies):
        raise FormatError(raw.path, 'no colour coordinates: read the file with colour=True')
    slots, _, present, notes = _clean(raw, cfg)
    keypoint = _fill(slots, raw.num_frames, lambda b: b.colour)
    score = _fill(slots, raw.num_frames, lambda b: STATE_SCORE[b.state])
    return (np.ascontiguousarray(keypoint[:, present]), np.ascontiguousarray(score[:, present]),
            notes)


def read_actors(path: str, num_joints: int = 25, cfg: DenoiseConfig = DenoiseConfig(),
                fmt: str = 'auto') -> Tuple[np.ndarray, List[str]]:
    """Read an NTU file and clean it: what both the converter and inference do with one.

    Args:
        path (str): ``.skeleton`` text, or the txt2npy ``.npy`` dict.
        num_joints (int): Joints per body (25).
        cfg (DenoiseConfig): Clean-up thresholds.
        fmt (str): ``'skeleton'``, ``'npy'`` or ``'auto'`` (from the extension).

    Returns:
        tuple: ``keypoint`` ``(M<=2, T, V, 3)`` float32 and the clean-up ``notes``.

    Raises:
        FormatError: Unreadable or corrupt file (with its line where there is one).
    """
    from .ntu import read_any, read_skeleton, read_skeleton_npy
    if fmt == 'npy':
        raw = read_skeleton_npy(path, num_joints)
    elif fmt == 'skeleton':
        raw = read_skeleton(path, num_joints)
    else:
        raw = read_any(path, num_joints)
    return denoise(raw, cfg)
