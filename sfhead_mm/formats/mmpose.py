"""MMPose per-frame pose results (json) -> ``keypoint (M, T, V, 2)`` and ``keypoint_score``.

Accepted layouts: the ``{"meta_info", "instance_info": [{"frame_id", "instances": [...]}]}``
file MMPose's demos save (``--save-predictions``), a plain list of such frames, or a list of
per-frame instance lists. Each instance has ``keypoints`` (``(V, 2)``, or ``(V, 3)`` triples with
the score) and ``keypoint_scores``.
"""
from collections.abc import Mapping
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

from .errors import FormatError
from .json_io import float32_array


@dataclass
class MMPoseResult:
    """Persons ranked per frame by mean keypoint score (MMPose does not track)."""

    keypoint: np.ndarray
    keypoint_score: np.ndarray
    img_shape: Optional[Tuple[int, int]] = None


def _frames(path: str, data) -> Tuple[List[list], Optional[Tuple[int, int]]]:
    """Per-frame instance lists, and the image shape when the file gives one."""
    img_shape = None
    if isinstance(data, Mapping):
        for key in ('img_shape', 'image_size'):
            if key in data and len(data[key]) == 2:
                img_shape = tuple(int(v) for v in data[key])
        meta = data.get('meta_info') or {}
        if img_shape is None and isinstance(meta, Mapping) and 'img_shape' in meta:
            img_shape = tuple(int(v) for v in meta['img_shape'][:2])
        for key in ('instance_info', 'predictions', 'frames'):
            if key in data:
                data = data[key]
                break
        else:
            raise FormatError(path, 'a json object without "skeletons" (NW-UCLA) or '
                                    '"instance_info" / "predictions" (MMPose)')
    if not isinstance(data, list) or not data:
        raise FormatError(path, 'expected a non-empty list of frames')
    frames = []
    for t, frame in enumerate(data):
        if isinstance(frame, Mapping) and 'instances' in frame:
            frame = frame['instances']
        if not isinstance(frame, list):
            raise FormatError(path, f'frame {t}: expected {{"instances": [...]}} or a list of '
                                    f'instances, got {type(frame).__name__}')
        frames.append(frame)
    return frames, img_shape


def parse_mmpose(path: str, data, max_persons: Optional[int] = None) -> MMPoseResult:
    """MMPose results -> arrays; in every frame rank ``m`` (by mean score) is person ``m``.

    Frames without instances stay zero. ``keypoints`` given as ``[x, y, score]`` triples are
    split.

    Args:
        path (str): The json file (named in errors).
        data: Its parsed content.
        max_persons (int, optional): Keep at most this many persons.

    Raises:
        FormatError: Unknown layout, missing keys, inconsistent shapes, NaN / inf.
    """
    frames, img_shape = _frames(path, data)
    per_frame = []
    V = None
    for t, instances in enumerate(frames):
        ranked = []
        for i, inst in enumerate(instances):
            where = f'frame {t}, instance {i}'
            if not isinstance(inst, Mapping) or 'keypoints' not in inst:
                raise FormatError(path, f'{where}: no "keypoints"')
            kp = float32_array(path, inst['keypoints'], f'{where}: "keypoints"')
            if kp.ndim != 2 or kp.shape[1] not in (2, 3):
                raise FormatError(path, f'{where}: "keypoints" has shape {kp.shape}; expected '
                                        f'(V, 2) or (V, 3)')
            if kp.shape[1] == 3 and 'keypoint_scores' not in inst:
                kp, score = kp[:, :2], kp[:, 2]
            else:
                kp = kp[:, :2]
                score = float32_array(path, inst.get('keypoint_scores', np.ones(len(kp))),
                                      f'{where}: "keypoint_scores"').reshape(-1)
            if len(score) != len(kp):
                raise FormatError(path, f'{where}: {len(kp)} keypoints but {len(score)} '
                                        f'keypoint_scores')
            if V is None:
                V = len(kp)
            elif len(kp) != V:
                raise FormatError(path, f'{where}: {len(kp)} keypoints, earlier instances '
                                        f'have {V}')
            ranked.append((float(score.mean()), kp, score))
        ranked.sort(key=lambda r: -r[0])
        per_frame.append(ranked)
    if V is None:
        raise FormatError(path, 'no instance in any frame')
    M = max(len(r) for r in per_frame)
    if max_persons is not None:
        M = min(M, max_persons)
    T = len(per_frame)
    keypoint = np.zeros((M, T, V, 2), dtype=np.float32)
    score = np.zeros((M, T, V), dtype=np.float32)
    for t, ranked in enumerate(per_frame):
        for m, (_, kp, sc) in enumerate(ranked[:M]):
            keypoint[m, t], score[m, t] = kp, sc
    return MMPoseResult(keypoint, score, img_shape)
