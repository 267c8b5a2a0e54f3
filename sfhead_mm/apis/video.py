"""Video input: BlazePose (mediapipe 0.10.21) estimates poses, then the skeleton recognizer.

    from sfhead_mm.apis.video import predict_video
    pred = predict_video(model, 'clip.mp4', window=64, stride=32)
    print(pred.format_text())

mediapipe 0.10.21 ships its BlazePose models inside the wheel (``pose_detection.tflite``,
``pose_landmark_full.tflite``), so nothing is downloaded; install it with
``pip install --no-deps -r requirements/video.txt`` (newer releases ship no models). Its pose
solution follows **one** person per video (the most prominent). ``max_people=N`` finds up to N
people per frame by *detect, mask, repeat*: pose instance 1 runs on the frame, the person it
finds is masked out of a copy (the box of its landmarks, enlarged by ``mask_margin``, filled
with the frame's mean colour), instance 2 runs on that copy, and so on; each instance keeps
mediapipe's own temporal tracking, and :class:`~sfhead_mm.apis.stream.PoseTracker` gives the
people stable identities (instances may swap people after a loss). See
docs/camera_to_label.md for its limits (a person hidden behind another is not found).

Coordinates: a model of a 3D layout (NTU-25, NW-UCLA-20) gets BlazePose's *world* landmarks
(metres, origin between the hips) turned from the camera frame (x right, y down, z away) to a
Kinect-like one (x left, y up, z away: a rotation of 180 degrees about z, no mirroring); a
model of a 2D layout (COCO-17, OpenPose) gets the image landmarks in pixels, with
``visibility`` as the keypoint score. Joints are mapped by :data:`JOINT_MAPS` (each target joint
is the mean of the BlazePose landmarks listed; see docs/camera_to_label.md).
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Tuple

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
class PersonPose:
    """One person found in one frame: BlazePose's landmarks and the person's track id."""

    track_id: int
    world: Optional[np.ndarray]  # (33, 3) metres, Kinect-like axes, origin between its hips
    image: np.ndarray  # (33, 2) pixels
    score: np.ndarray  # (33,) visibility


@dataclass
class FramePose:
    """BlazePose's result on one frame.

    ``world``, ``image`` and ``score`` are the first person's (the one pose instance 1 found;
    None when nobody was found), as before several people were supported; ``people`` lists
    every person found, first person first, each with its track id.
    """

    index: int
    world: Optional[np.ndarray]  # (33, 3) metres, Kinect-like axes
    image: Optional[np.ndarray]  # (33, 2) pixels
    score: Optional[np.ndarray]  # (33,) visibility
    image_bgr: Optional[np.ndarray] = field(default=None, repr=False)
    people: List[PersonPose] = field(default_factory=list)


def _landmarks(res, w: int, h: int):
    """``(image (33, 2), score (33,), world (33, 3) or None)`` of a pose result, or None."""
    if res.pose_landmarks is None:
        return None
    lms = res.pose_landmarks.landmark
    image = np.array([[p.x * w, p.y * h] for p in lms], dtype=np.float32)
    score = np.array([p.visibility for p in lms], dtype=np.float32)
    world = None
    if res.pose_world_landmarks is not None:
        # camera frame (x right, y down, z away) -> Kinect-like (x left, y up)
        world = np.array([[-p.x, -p.y, p.z] for p in res.pose_world_landmarks.landmark],
                         dtype=np.float32)
    return image, score, world


def person_box(image: np.ndarray, w: int, h: int, margin: float = 0.0
               ) -> Tuple[int, int, int, int]:
    """``(x0, y0, x1, y1)``: the box of a person's image landmarks ``(33, 2)``, enlarged by
    ``margin`` times its width (height) on the left and right (top and bottom), clipped to the
    ``w`` x ``h`` frame."""
    lo, hi = image.min(0), image.max(0)
    pad = margin * (hi - lo)
    x0, y0 = np.floor(lo - pad).astype(int)
    x1, y1 = np.ceil(hi + pad).astype(int)
    return max(int(x0), 0), max(int(y0), 0), min(int(x1), w), min(int(y1), h)


def _box_iou(a, b) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / area if area > 0 else 0.0


def iter_video_poses(video: str, model_complexity: int = 1, max_frames: Optional[int] = None,
                     keep_images: bool = False, mirrored: bool = False, max_people: int = 1,
                     mask_margin: float = 0.15, tracker=None) -> Iterator[FramePose]:
    """BlazePose on every frame of a video file (or a camera index given as ``'0'``).

    Args:
        mirrored (bool): The video is a mirror image (Kinect v2 colour streams, e.g. NTU RGB+D's
            videos, and most webcam previews): each frame is flipped back before estimation,
            else BlazePose sees a mirrored person (left and right exchanged).
        max_people (int): People looked for per frame (detect, mask, repeat; see the module
            docstring). Defaults to 1: one pose instance, no masking, no tracker (track id 0).
        mask_margin (float): With several people, each found person's landmark box is
            enlarged by this fraction of its width (height) on each side before it is masked.
            Defaults to 0.15.
        tracker (PoseTracker, optional): Identities of the people (on image landmarks).
            Defaults to ``PoseTracker(dims=2)`` (gate: half the pose's box diagonal; a person
            unseen for more than 30 frames gets a new id when seen again).
    """
    import cv2
    mp = _require_mediapipe()
    if max_people < 1:
        raise ValueError(f'max_people={max_people}: must be at least 1')
    source = int(video) if str(video).isdigit() else video
    if not isinstance(source, int) and not osp.isfile(source):
        raise FileNotFoundError(f'{video}: no such video file')
    cap = cv2.VideoCapture(source)
    if not cap.isOpened():
        raise ValueError(f'{video}: OpenCV cannot open it as a video')
    if max_people > 1 and tracker is None:
        from .stream import PoseTracker
        tracker = PoseTracker(dims=2)
    poses = [mp.solutions.pose.Pose(static_image_mode=False, model_complexity=model_complexity,
                                    smooth_landmarks=True) for _ in range(max_people)]
    try:
        index = 0
        while max_frames is None or index < max_frames:
            ok, frame = cap.read()
            if not ok:
                break
            if mirrored:
                frame = cv2.flip(frame, 1)
            h, w = frame.shape[:2]
            rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            found, boxes = [], []
            for k, pose in enumerate(poses):
                lm = _landmarks(pose.process(rgb), w, h)
                if lm is None:
                    break  # nobody found: the next instance would see the same image
                if len(poses) == 1:  # one person: as mediapipe's solution alone
                    found.append(lm)
                    break
                box = person_box(lm[0], w, h, mask_margin)
                # the same person again (partly outside the masked box): not a new person
                if not any(_box_iou(box, b) > 0.5 for b in boxes):
                    found.append(lm)
                boxes.append(box)
                if k + 1 < len(poses):
                    if k == 0:  # mask in a copy, with the frame's mean colour
                        mean = rgb.reshape(-1, 3).mean(0).astype(rgb.dtype)
                        rgb = rgb.copy()
                    x0, y0, x1, y1 = box
                    rgb[y0:y1, x0:x1] = mean
            ids = tracker.update([f[0] for f in found]) if tracker is not None else [0] * len(found)
            people = [PersonPose(int(t), world, image, score)
                      for t, (image, score, world) in zip(ids, found)]
            first = people[0] if people else None  # the single-person fields: instance 1's
            yield FramePose(index, first.world if first else None,
                            first.image if first else None, first.score if first else None,
                            frame if keep_images else None, people)
            index += 1
    finally:
        for pose in poses:
            pose.close()
        cap.release()


@dataclass
class VideoPoses:
    """The poses of a video: ``keypoint`` ``(M, T, 33, C)``, one row per person track, over
    the T frames where somebody was found (``frames``); a person absent from one of them has
    zeros there (score 0, ``present`` False). One person (``max_people=1``): ``M == 1``."""

    source: str
    keypoint: np.ndarray
    keypoint_score: np.ndarray
    frames: np.ndarray  # indices of those frames in the video
    total_frames: int
    fps: float
    img_shape: Tuple[int, int]
    coords: str  # 'world' or 'image'
    track_ids: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))  # (M,)
    present: Optional[np.ndarray] = None  # (M, T) the track was found in the frame
    image_keypoint: Optional[np.ndarray] = field(default=None, repr=False)  # (M, T, 33, 2)

    @property
    def found_ratio(self) -> float:
        """Frames where somebody was found, over all frames."""
        return len(self.frames) / max(self.total_frames, 1)

    @property
    def track_found_ratio(self) -> np.ndarray:
        """``(M,)``: frames where each track was found, over all frames."""
        present = self.present if self.present is not None else np.ones(
            self.keypoint.shape[:2], bool)
        return present.sum(1) / max(self.total_frames, 1)


def estimate_poses(video: str, coords: str = 'world', model_complexity: int = 1,
                   max_frames: Optional[int] = None, mirrored: bool = False,
                   max_people: int = 1, mask_margin: float = 0.15) -> VideoPoses:
    """BlazePose landmarks of a video's frames (frames where nobody is found are left out).

    ``mirrored``, ``max_people``, ``mask_margin``: see :func:`iter_video_poses`. Tracks are
    ordered by their first appearance (their track ids)."""
    import cv2
    if coords not in ('world', 'image'):
        raise ValueError(f'coords={coords!r}: use "world" (3D metres) or "image" (pixels)')
    cap = cv2.VideoCapture(video)
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 30.0)
    img_shape = (int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)), int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)))
    cap.release()
    people: List[List[PersonPose]] = []
    frames, total = [], 0
    for fp in iter_video_poses(video, model_complexity, max_frames, mirrored=mirrored,
                               max_people=max_people, mask_margin=mask_margin):
        total += 1
        # a frame counts when someone is found (in world coordinates: with world landmarks)
        found = [p for p in fp.people if coords == 'image' or p.world is not None]
        if found:
            people.append(found)
            frames.append(fp.index)
    tids = sorted({p.track_id for found in people for p in found}) or [0]
    row = {t: m for m, t in enumerate(tids)}
    M, T, C = len(tids), len(frames), (3 if coords == 'world' else 2)
    keypoint = np.zeros((M, T, 33, C), np.float32)
    image = np.zeros((M, T, 33, 2), np.float32)
    keypoint_score = np.zeros((M, T, 33), np.float32)
    present = np.zeros((M, T), bool)
    for t, found in enumerate(people):
        for p in found:
            m = row[p.track_id]
            keypoint[m, t] = p.world if coords == 'world' else p.image
            image[m, t], keypoint_score[m, t], present[m, t] = p.image, p.score, True
    return VideoPoses(source=video, keypoint=keypoint, keypoint_score=keypoint_score,
                      frames=np.asarray(frames, dtype=np.int64), total_frames=total, fps=fps,
                      img_shape=img_shape, coords=coords,
                      track_ids=np.asarray(tids, dtype=np.int64), present=present,
                      image_keypoint=image)


def place_people(world: np.ndarray, image: np.ndarray, present: np.ndarray,
                 img_shape: Tuple[int, int]) -> np.ndarray:
    """Put hip-centred world skeletons ``(M, T, 33, 3)`` where their people stand.

    BlazePose's world landmarks of every person have their origin between that person's hips,
    so several people would overlap. Each person is moved by its hips' offset from the image
    centre (``image`` ``(M, T, 33, 2)`` pixels) times its metres per pixel (median over its
    frames of the world / image length of the mid-hip to mid-shoulder segment): a pinhole
    camera with the principal point at the centre. Depth is not recovered (no offset in z).
    Absent entries (``present`` False) stay zero.
    """
    world = np.array(world, dtype=np.float32, copy=True)
    h, w = img_shape
    centre = np.array([w / 2, h / 2], np.float32)
    hips, shoulders = list(_HIPS), list(_SHOULDERS)
    for m in range(world.shape[0]):
        ok = present[m]
        if not ok.any():
            continue
        mid_hip = image[m, ok][:, hips].mean(1)
        torso_px = np.linalg.norm(image[m, ok][:, shoulders].mean(1) - mid_hip, axis=-1)
        torso_m = np.linalg.norm(world[m, ok][:, shoulders].mean(1)
                                 - world[m, ok][:, hips].mean(1), axis=-1)
        valid = torso_px > 1e-3
        if not valid.any():
            continue
        scale = float(np.median(torso_m[valid] / torso_px[valid]))
        d = (mid_hip - centre) * scale  # image x right, y down -> Kinect-like x left, y up
        world[m, ok, :, 0] -= d[:, None, 0]
        world[m, ok, :, 1] -= d[:, None, 1]
    return world


def coords_for(layout) -> str:
    """``'image'`` for 2D layouts (COCO, OpenPose), ``'world'`` otherwise."""
    return 'image' if _layout_name(layout) in IMAGE_LAYOUTS else 'world'


def _found_poses(video: str, coords: str, model_complexity: int, max_frames: Optional[int],
                 mirrored: bool, max_people: int) -> 'VideoPoses':
    """:func:`estimate_poses`, refusing (one line naming the file) a video with nobody in it."""
    poses = estimate_poses(video, coords, model_complexity, max_frames, mirrored, max_people)
    if poses.keypoint.shape[1] == 0:
        raise ValueError(f'{video}: BlazePose found no person in {poses.total_frames} frames')
    return poses


def video_sample(video: str, layout, channels: Optional[int] = None,
                 model_complexity: int = 1, max_frames: Optional[int] = None,
                 mirrored: bool = False, max_people: int = 1):
    """A :class:`~sfhead_mm.apis.readers.SkeletonSample` of a video, in ``layout``: every
    person track is one row of ``keypoint`` ``(M, T, V, C)`` (see :class:`VideoPoses`).

    Args:
        video (str): The video file.
        layout: The model's layout (NTU-25, NW-UCLA-20, COCO-17 or BlazePose-33).
        channels (int, optional): The model's channels per joint: for 2D layouts 3 means
            ``(x, y, score)``; the pipeline adds the score from ``keypoint_score``.
        mirrored (bool): The video is a mirror image (see :func:`iter_video_poses`).
        max_people (int): People per frame (see :func:`iter_video_poses`). With several
            tracks in world coordinates, each person is placed where it stands
            (:func:`place_people`), else all would stand at the origin.

    Returns:
        tuple: The sample and the :class:`VideoPoses` (``extra['video_frames']``: the video
        frame of each sample frame).
    """
    from .readers import SkeletonSample
    coords = coords_for(layout)
    poses = _found_poses(video, coords, model_complexity, max_frames, mirrored, max_people)
    keypoint = poses.keypoint
    if coords == 'world' and len(poses.track_ids) > 1:
        keypoint = place_people(keypoint, poses.image_keypoint, poses.present, poses.img_shape)
    kp, score = convert_layout(keypoint, layout, 'blazepose', poses.keypoint_score)
    notes = [f'BlazePose found a pose in {len(poses.frames)} of {poses.total_frames} frames '
             f'({coords} coordinates, mapped to {_layout_name(layout)!r})']
    if max_people > 1:
        notes.append(f'{len(poses.track_ids)} person track(s) (max_people={max_people}): ' +
                     ', '.join(f'person {t} in {n} frames' for t, n in
                               zip(poses.track_ids, poses.present.sum(1))))
    return SkeletonSample(
        name=osp.splitext(osp.basename(video))[0], keypoint=kp,
        keypoint_score=score if coords == 'image' else None, source=video,
        img_shape=poses.img_shape if coords == 'image' else None,
        extra=dict(video_frames=poses.frames), notes=notes), poses


def person_samples(video: str, layout, channels: Optional[int] = None,
                   model_complexity: int = 1, max_frames: Optional[int] = None,
                   mirrored: bool = False, max_people: int = 2):
    """One :class:`~sfhead_mm.apis.readers.SkeletonSample` per person track of a video
    (``M == 1``, the frames where that person was found), named ``<video>/person<id>``.

    Returns:
        tuple: The samples (in track order) and the :class:`VideoPoses`.
    """
    from .readers import SkeletonSample
    coords = coords_for(layout)
    poses = _found_poses(video, coords, model_complexity, max_frames, mirrored, max_people)
    kp, score = convert_layout(poses.keypoint, layout, 'blazepose', poses.keypoint_score)
    stem = osp.splitext(osp.basename(video))[0]
    samples = []
    for m, tid in enumerate(poses.track_ids):
        on = poses.present[m]
        samples.append(SkeletonSample(
            name=f'{stem}/person{tid}', keypoint=kp[m:m + 1, on],
            keypoint_score=score[m:m + 1, on] if coords == 'image' else None, source=video,
            img_shape=poses.img_shape if coords == 'image' else None,
            extra=dict(video_frames=poses.frames[on]),
            notes=[f'person track {tid} (max_people={max_people}): BlazePose found it in '
                   f'{int(on.sum())} of {poses.total_frames} frames ({coords} coordinates, '
                   f'mapped to {_layout_name(layout)!r})']))
    return samples, poses


def predict_video(model, video: str, *, window: Optional[int] = None,
                  stride: Optional[int] = None, topk: int = 5, label_map=None,
                  model_complexity: int = 1, max_frames: Optional[int] = None,
                  mirrored: bool = False, max_people: int = 1, persons: str = 'each'):
    """Estimate the poses of a video and predict its action (and sliding windows).

    Args:
        mirrored (bool): The video is a mirror image (NTU RGB+D's Kinect videos; see
            :func:`iter_video_poses`).
        max_people (int): People looked for per frame (:func:`iter_video_poses`).
            Defaults to 1.
        persons (str): With ``max_people > 1``: ``'each'`` predicts every person track
            alone (its frames only; the model's other person slots are zero); ``'together'``
            gives all tracks to the model as one sample (the persons of a two-person model,
            e.g. NTU's interactions; the config's ``FormatGCNInput`` keeps its first
            ``num_person`` tracks, in order of appearance), placed by :func:`place_people`.

    Returns:
        Prediction | list[Prediction]: As ``predict_skeletons`` (windows count frames with a
        pose found): one Prediction with ``max_people=1`` or ``persons='together'``, else
        a list with one per person track (named ``<video>/person<id>``).
    """
    from ..datasets.input_spec import input_spec_of
    if persons not in ('each', 'together'):
        raise ValueError(f'persons={persons!r}: use "each" or "together"')
    spec = getattr(model, 'input_spec', None) or input_spec_of(model.cfg)
    if spec.layout is None:
        raise ValueError('the model\'s config names no layout; cannot map BlazePose to it')
    args = (video, spec.layout, spec.channels, model_complexity, max_frames, mirrored,
            max_people)
    if max_people == 1 or persons == 'together':
        samples, single = [video_sample(*args)[0]], True
    else:
        samples, single = person_samples(*args)[0], False
    for sample in samples:
        sample.extra.pop('video_frames', None)
    from .inference import predict_skeletons
    preds = predict_skeletons(model, samples, topk=topk, window=window, stride=stride,
                              label_map=label_map)
    return preds[0] if single else preds


__all__ = ['JOINT_MAPS', 'convert_layout', 'iter_video_poses', 'estimate_poses', 'VideoPoses',
           'video_sample', 'person_samples', 'place_people', 'predict_video', 'is_video',
           'INSTALL_HINT', 'FramePose', 'PersonPose', 'person_box', 'coords_for']
