"""Video input: BlazePose (mediapipe 0.10.21) estimates poses, then the skeleton recognizer.

    from sfhead_mm.apis.video import predict_video
    pred = predict_video(model, 'clip.mp4', window=64, stride=32)
    print(pred.format_text())

mediapipe 0.10.21 ships its BlazePose models inside the wheel (``pose_detection.tflite``,
``pose_landmark_full.tflite``), so nothing is downloaded; install it with
``pip install --no-deps -r requirements/video.txt`` (newer releases ship no models). Its pose
solution follows **one** person per video (the most prominent); several people need a
multi-person estimator's output (e.g. an MMPose json, read by ``tools/infer.py`` and
``tools/live.py``).

Coordinates: a model of a 3D layout (NTU-25, NW-UCLA-20) gets BlazePose's *world* landmarks
(metres, origin between the hips) turned from the camera frame (x right, y down, z away) to a
Kinect-like one (x left, y up, z away: a rotation of 180 degrees about z, no mirroring); a
model of a 2D layout (COCO-17, OpenPose) gets the image landmarks in pixels, with
``visibility`` as the keypoint score. Joints are mapped by :data:`JOINT_MAPS` (each target joint
is the mean of the BlazePose landmarks listed; see docs/camera_to_label.md).
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, Iterator, Optional, Tuple

import numpy as np

INSTALL_HINT = ('video input needs mediapipe 0.10.21, whose wheel ships the BlazePose models: '
                'pip install --no-deps -r requirements/video.txt (mediapipe==0.10.21 absl-py '
                'attrs; --no-deps keeps numpy 2 and protobuf 6, which it runs with)')
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v', '.mpg', '.mpeg')

# BlazePose landmark indices (sfhead_mm.skeleton.builtin.BLAZEPOSE_33).
_NOSE, _L_EAR, _R_EAR = 0, 7, 8
_L_SH, _R_SH, _L_EL, _R_EL, _L_WR, _R_WR = 11, 12, 13, 14, 15, 16
_L_PINKY, _R_PINKY, _L_INDEX, _R_INDEX, _L_THUMB, _R_THUMB = 17, 18, 19, 20, 21, 22
_L_HIP, _R_HIP, _L_KNEE, _R_KNEE, _L_ANK, _R_ANK = 23, 24, 25, 26, 27, 28
_L_FOOT, _R_FOOT = 31, 32
_HIPS, _SHOULDERS = (_L_HIP, _R_HIP), (_L_SH, _R_SH)

#: target layout -> for each of its joints, the BlazePose landmarks whose mean it is.
JOINT_MAPS: Dict[str, Tuple[Tuple[int, ...], ...]] = {
    'nturgb+d': (
        _HIPS,                                   # spine_base: mid-hip
        _HIPS + _SHOULDERS,                      # spine_mid: mid-torso
        _SHOULDERS + (_NOSE, ),                  # neck: 2/3 mid-shoulder + 1/3 nose
        (_L_EAR, _R_EAR),                        # head: between the ears
        (_L_SH, ), (_L_EL, ), (_L_WR, ), (_L_PINKY, _L_INDEX),      # left arm, hand
        (_R_SH, ), (_R_EL, ), (_R_WR, ), (_R_PINKY, _R_INDEX),      # right arm, hand
        (_L_HIP, ), (_L_KNEE, ), (_L_ANK, ), (_L_FOOT, ),           # left leg, foot
        (_R_HIP, ), (_R_KNEE, ), (_R_ANK, ), (_R_FOOT, ),           # right leg, foot
        _SHOULDERS,                              # spine_shoulder: mid-shoulder
        (_L_INDEX, ), (_L_THUMB, ),              # left hand tip, thumb
        (_R_INDEX, ), (_R_THUMB, ),              # right hand tip, thumb
    ),
    'nw-ucla': (
        _HIPS, _HIPS + _SHOULDERS, _SHOULDERS, (_L_EAR, _R_EAR),
        (_L_SH, ), (_L_EL, ), (_L_WR, ), (_L_PINKY, _L_INDEX),
        (_R_SH, ), (_R_EL, ), (_R_WR, ), (_R_PINKY, _R_INDEX),
        (_L_HIP, ), (_L_KNEE, ), (_L_ANK, ), (_L_FOOT, ),
        (_R_HIP, ), (_R_KNEE, ), (_R_ANK, ), (_R_FOOT, ),
    ),
    'coco': ((_NOSE, ), (2, ), (5, ), (_L_EAR, ), (_R_EAR, ), (_L_SH, ), (_R_SH, ), (_L_EL, ),
             (_R_EL, ), (_L_WR, ), (_R_WR, ), (_L_HIP, ), (_R_HIP, ), (_L_KNEE, ),
             (_R_KNEE, ), (_L_ANK, ), (_R_ANK, )),
}
#: Layouts whose models read 2D image keypoints (others get 3D world landmarks).
IMAGE_LAYOUTS = ('coco', 'openpose')


def _require_mediapipe():
    try:
        import mediapipe as mp
    except ImportError as err:
        raise ImportError(f'{INSTALL_HINT} ({err})') from None
    if not hasattr(mp, 'solutions') or not hasattr(mp.solutions, 'pose'):
        raise ImportError(f'mediapipe {getattr(mp, "__version__", "?")} has no pose solution '
                          f'with bundled models; {INSTALL_HINT}')
    return mp


def is_video(path: str) -> bool:
    return osp.splitext(str(path))[1].lower() in VIDEO_EXTENSIONS


def _layout_name(layout) -> str:
    from ..skeleton import get_layout
    return get_layout(layout).name


def convert_layout(keypoint: np.ndarray, target, source='blazepose',
                   keypoint_score: Optional[np.ndarray] = None
                   ) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """Map joints ``(..., V_source, C)`` to another layout with :data:`JOINT_MAPS`.

    A target joint is the mean of its source landmarks; its score is their minimum. A missing
    (all-zero) landmark makes the target joint zero.

    Returns:
        tuple: ``keypoint`` ``(..., V_target, C)`` and the scores (or None).
    """
    src, dst = _layout_name(source), _layout_name(target)
    if src == dst:
        return keypoint, keypoint_score
    if src != 'blazepose' or dst not in JOINT_MAPS:
        raise ValueError(f'no joint mapping from {src!r} to {dst!r}; known: blazepose -> '
                         f'{sorted(JOINT_MAPS)}')
    mapping = JOINT_MAPS[dst]
    kp = np.asarray(keypoint, dtype=np.float32)
    present = np.any(kp != 0, axis=-1)
    out = np.stack([kp[..., list(idx), :].mean(-2) for idx in mapping], -2)
    ok = np.stack([present[..., list(idx)].all(-1) for idx in mapping], -1)
    out = out * ok[..., None]
    score = None
    if keypoint_score is not None:
        s = np.asarray(keypoint_score, dtype=np.float32)
        score = np.stack([s[..., list(idx)].min(-1) for idx in mapping], -1) * ok
    return out.astype(np.float32), score


# ------------------------------------------------------------------------ estimation
@dataclass
class FramePose:
    """BlazePose's result on one frame (``pose`` None when nobody was found)."""

    index: int
    world: Optional[np.ndarray]  # (33, 3) metres, Kinect-like axes
    image: Optional[np.ndarray]  # (33, 2) pixels
    score: Optional[np.ndarray]  # (33,) visibility
    image_bgr: Optional[np.ndarray] = field(default=None, repr=False)


def iter_video_poses(video: str, model_complexity: int = 1, max_frames: Optional[int] = None,
                     keep_images: bool = False, mirrored: bool = False) -> Iterator[FramePose]:
    """BlazePose on every frame of a video file (or a camera index given as ``'0'``).

    Args:
        mirrored (bool): The video is a mirror image (Kinect v2 colour streams, e.g. NTU RGB+D's
            videos, and most webcam previews): each frame is flipped back before estimation,
            else BlazePose sees a mirrored person (left and right exchanged).
    """
    import cv2
    mp = _require_mediapipe()
    source = int(video) if str(video).isdigit() else video
    if not isinstance(source, int) and not osp.isfile(source):
        raise FileNotFoundError(f'{video}: no such video file')
    cap = cv2.VideoCapture(source)
    if not cap.isOpened():
        raise ValueError(f'{video}: OpenCV cannot open it as a video')
    pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=model_complexity,
                                  smooth_landmarks=True)
    try:
        index = 0
        while max_frames is None or index < max_frames:
            ok, frame = cap.read()
            if not ok:
                break
            if mirrored:
                frame = cv2.flip(frame, 1)
            h, w = frame.shape[:2]
            res = pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            world = image = score = None
            if res.pose_landmarks is not None:
                lms = res.pose_landmarks.landmark
                image = np.array([[p.x * w, p.y * h] for p in lms], dtype=np.float32)
                score = np.array([p.visibility for p in lms], dtype=np.float32)
                if res.pose_world_landmarks is not None:
                    # camera frame (x right, y down, z away) -> Kinect-like (x left, y up)
                    world = np.array([[-p.x, -p.y, p.z] for p in
                                      res.pose_world_landmarks.landmark], dtype=np.float32)
            yield FramePose(index, world, image, score, frame if keep_images else None)
            index += 1
    finally:
        pose.close()
        cap.release()


@dataclass
class VideoPoses:
    """The poses of a video: ``keypoint`` (1, T, 33, C) of the frames where a pose was found."""

    source: str
    keypoint: np.ndarray
    keypoint_score: np.ndarray
    frames: np.ndarray  # indices of those frames in the video
    total_frames: int
    fps: float
    img_shape: Tuple[int, int]
    coords: str  # 'world' or 'image'

    @property
    def found_ratio(self) -> float:
        return len(self.frames) / max(self.total_frames, 1)


def estimate_poses(video: str, coords: str = 'world', model_complexity: int = 1,
                   max_frames: Optional[int] = None, mirrored: bool = False) -> VideoPoses:
    """BlazePose landmarks of a video's frames (frames without a pose are left out).

    ``mirrored``: see :func:`iter_video_poses`."""
    import cv2
    if coords not in ('world', 'image'):
        raise ValueError(f'coords={coords!r}: use "world" (3D metres) or "image" (pixels)')
    cap = cv2.VideoCapture(video)
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 30.0)
    img_shape = (int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)), int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)))
    cap.release()
    kps, scores, frames, total = [], [], [], 0
    for fp in iter_video_poses(video, model_complexity, max_frames, mirrored=mirrored):
        total += 1
        kp = fp.world if coords == 'world' else fp.image
        if kp is None:
            continue
        kps.append(kp)
        scores.append(fp.score)
        frames.append(fp.index)
    C = 3 if coords == 'world' else 2
    keypoint = (np.stack(kps)[None] if kps else np.zeros((1, 0, 33, C), np.float32))
    keypoint_score = (np.stack(scores)[None] if scores else np.zeros((1, 0, 33), np.float32))
    return VideoPoses(source=video, keypoint=keypoint, keypoint_score=keypoint_score,
                      frames=np.asarray(frames, dtype=np.int64), total_frames=total, fps=fps,
                      img_shape=img_shape, coords=coords)


def coords_for(layout) -> str:
    """``'image'`` for 2D layouts (COCO, OpenPose), ``'world'`` otherwise."""
    return 'image' if _layout_name(layout) in IMAGE_LAYOUTS else 'world'


def video_sample(video: str, layout, channels: Optional[int] = None,
                 model_complexity: int = 1, max_frames: Optional[int] = None,
                 mirrored: bool = False):
    """A :class:`~sfhead_mm.apis.readers.SkeletonSample` of a video, in ``layout``.

    Args:
        video (str): The video file.
        layout: The model's layout (NTU-25, NW-UCLA-20, COCO-17 or BlazePose-33).
        channels (int, optional): The model's channels per joint: for 2D layouts 3 means
            ``(x, y, score)``; the pipeline adds the score from ``keypoint_score``.
        mirrored (bool): The video is a mirror image (see :func:`iter_video_poses`).
    """
    from .readers import SkeletonSample
    coords = coords_for(layout)
    poses = estimate_poses(video, coords, model_complexity, max_frames, mirrored)
    if poses.keypoint.shape[1] == 0:
        raise ValueError(f'{video}: BlazePose found no person in {poses.total_frames} frames')
    kp, score = convert_layout(poses.keypoint, layout, 'blazepose', poses.keypoint_score)
    notes = [f'BlazePose found a pose in {len(poses.frames)} of {poses.total_frames} frames '
             f'({coords} coordinates, mapped to {_layout_name(layout)!r})']
    return SkeletonSample(
        name=osp.splitext(osp.basename(video))[0], keypoint=kp,
        keypoint_score=score if coords == 'image' else None, source=video,
        img_shape=poses.img_shape if coords == 'image' else None,
        extra=dict(video_frames=poses.frames), notes=notes), poses


def predict_video(model, video: str, *, window: Optional[int] = None,
                  stride: Optional[int] = None, topk: int = 5, label_map=None,
                  model_complexity: int = 1, max_frames: Optional[int] = None,
                  mirrored: bool = False):
    """Estimate the poses of a video and predict its action (and sliding windows).

    ``mirrored``: the video is a mirror image (NTU RGB+D's Kinect videos; see
    :func:`iter_video_poses`).

    Returns:
        Prediction: As ``predict_skeletons`` (windows count frames with a pose found).
    """
    from ..datasets.input_spec import input_spec_of
    spec = getattr(model, 'input_spec', None) or input_spec_of(model.cfg)
    if spec.layout is None:
        raise ValueError('the model\'s config names no layout; cannot map BlazePose to it')
    sample, _ = video_sample(video, spec.layout, spec.channels, model_complexity, max_frames,
                             mirrored)
    sample.extra.pop('video_frames', None)
    from .inference import predict_skeletons
    return predict_skeletons(model, sample, topk=topk, window=window, stride=stride,
                             label_map=label_map)[0]


__all__ = ['JOINT_MAPS', 'convert_layout', 'iter_video_poses', 'estimate_poses', 'VideoPoses',
           'video_sample', 'predict_video', 'is_video', 'INSTALL_HINT', 'FramePose',
           'coords_for']
