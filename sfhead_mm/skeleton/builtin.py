"""Built-in layouts: NTU RGB+D (Kinect v2, 25), NW-UCLA (Kinect v1, 20), COCO-17, OpenPose-18,
OpenPose BODY_25 (FSD-10), BlazePose-33.

MMAction2's names (``nturgb+d``, ``coco``, ``openpose``) are kept as the canonical names, and their
edges, centres and bone pairs are MMAction2's own, so stock configs behave exactly as before.
"""
from .layout import SkeletonLayout, register_layout


def _one_based(pairs):
    return tuple((i - 1, j - 1) for i, j in pairs)


NTU_RGBD_25 = SkeletonLayout(
    name='nturgb+d',
    aliases=('ntu', 'ntu25', 'ntu-rgbd', 'kinect-v2'),
    description='NTU RGB+D 60/120, Kinect v2, 25 joints',
    joints=('spine_base', 'spine_mid', 'neck', 'head', 'left_shoulder', 'left_elbow',
            'left_wrist', 'left_hand', 'right_shoulder', 'right_elbow', 'right_wrist',
            'right_hand', 'left_hip', 'left_knee', 'left_ankle', 'left_foot', 'right_hip',
            'right_knee', 'right_ankle', 'right_foot', 'spine_shoulder', 'left_hand_tip',
            'left_thumb', 'right_hand_tip', 'right_thumb'),
    edges=_one_based([(1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5), (7, 6), (8, 7),
                      (9, 21), (10, 9), (11, 10), (12, 11), (13, 1), (14, 13), (15, 14),
                      (16, 15), (17, 1), (18, 17), (19, 18), (20, 19), (22, 8), (23, 8),
                      (24, 12), (25, 12)]),
    center=20,
    # MMAction2's (and 2s-AGCN's) bone pairs: hand tip -> thumb -> hand, as published.
    bone_pairs=((0, 1), (1, 20), (2, 20), (3, 2), (4, 20), (5, 4), (6, 5), (7, 6), (8, 20),
                (9, 8), (10, 9), (11, 10), (12, 0), (13, 12), (14, 13), (15, 14), (16, 0),
                (17, 16), (18, 17), (19, 18), (21, 22), (20, 20), (22, 7), (23, 24),
                (24, 11)),
    left=(4, 5, 6, 7, 12, 13, 14, 15, 21, 22),
    right=(8, 9, 10, 11, 16, 17, 18, 19, 23, 24),
    # PreNormalize3D's defaults: origin spine_mid, Z from spine_base to spine_mid,
    # X from right to left shoulder.
    norm_center=1,
    norm_zaxis=(0, 1),
    norm_xaxis=(8, 4),
)

NW_UCLA_20 = SkeletonLayout(
    name='nw-ucla',
    aliases=('nwucla', 'ucla', 'kinect-v1'),
    description='Northwestern-UCLA Multiview Action3D, Kinect v1, 20 joints',
    joints=('hip_center', 'spine', 'shoulder_center', 'head', 'left_shoulder', 'left_elbow',
            'left_wrist', 'left_hand', 'right_shoulder', 'right_elbow', 'right_wrist',
            'right_hand', 'left_hip', 'left_knee', 'left_ankle', 'left_foot', 'right_hip',
            'right_knee', 'right_ankle', 'right_foot'),
    # CTR-GCN's graph/ucla.py edges and feeders' bone list (shoulder centre is the root).
    edges=_one_based([(1, 2), (2, 3), (4, 3), (5, 3), (6, 5), (7, 6), (8, 7), (9, 3),
                      (10, 9), (11, 10), (12, 11), (13, 1), (14, 13), (15, 14), (16, 15),
                      (17, 1), (18, 17), (19, 18), (20, 19)]),
    center=2,
    left=(4, 5, 6, 7, 12, 13, 14, 15),
    right=(8, 9, 10, 11, 16, 17, 18, 19),
    # The NW-UCLA feeders centre on the spine joint; the axes mirror NTU's (same indices
    # name the same body parts in the Kinect v1 order).
    norm_center=1,
    norm_zaxis=(0, 1),
    norm_xaxis=(8, 4),
)

COCO_17 = SkeletonLayout(
    name='coco',
    aliases=('coco17', 'coco-17'),
    description='COCO keypoints, 17 joints (2D pose estimators, e.g. HRNet)',
    joints=('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder',
            'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist',
            'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle'),
    edges=((15, 13), (13, 11), (16, 14), (14, 12), (11, 5), (12, 6), (9, 7), (7, 5),
           (10, 8), (8, 6), (5, 0), (6, 0), (1, 0), (3, 1), (2, 0), (4, 2)),
    center=0,
    bone_pairs=((0, 0), (1, 0), (2, 0), (3, 1), (4, 2), (5, 0), (6, 0), (7, 5), (8, 6),
                (9, 7), (10, 8), (11, 0), (12, 0), (13, 11), (14, 12), (15, 13), (16, 14)),
    left=(1, 3, 5, 7, 9, 11, 13, 15),
    right=(2, 4, 6, 8, 10, 12, 14, 16),
)

OPENPOSE_18 = SkeletonLayout(
    name='openpose',
    aliases=('openpose18', 'openpose-18'),
    description='OpenPose COCO-18 body keypoints (with neck)',
    joints=('nose', 'neck', 'right_shoulder', 'right_elbow', 'right_wrist', 'left_shoulder',
            'left_elbow', 'left_wrist', 'right_hip', 'right_knee', 'right_ankle', 'left_hip',
            'left_knee', 'left_ankle', 'right_eye', 'left_eye', 'right_ear', 'left_ear'),
    edges=((4, 3), (3, 2), (7, 6), (6, 5), (13, 12), (12, 11), (10, 9), (9, 8), (11, 5),
           (8, 2), (5, 1), (2, 1), (0, 1), (15, 0), (14, 0), (17, 15), (16, 14)),
    center=1,
    bone_pairs=((0, 0), (1, 0), (2, 1), (3, 2), (4, 3), (5, 1), (6, 5), (7, 6), (8, 2),
                (9, 8), (10, 9), (11, 5), (12, 11), (13, 12), (14, 0), (15, 0), (16, 14),
                (17, 15)),
    left=(5, 6, 7, 11, 12, 13, 15, 17),
    right=(2, 3, 4, 8, 9, 10, 14, 16),
)

# OpenPose BODY_25 as the FSD-10 figure-skating skeletons (MDR-GCN's graph/skating.py,
# layout 'openpose25': its 24 edges, written child -> parent from the mid-hip centre).
OPENPOSE_BODY_25 = SkeletonLayout(
    name='openpose25',
    aliases=('body25', 'openpose-body25', 'fsd10', 'fsd-10'),
    description='OpenPose BODY_25 body + feet keypoints (FSD-10 figure skating), 25 joints',
    joints=('nose', 'neck', 'right_shoulder', 'right_elbow', 'right_wrist', 'left_shoulder',
            'left_elbow', 'left_wrist', 'mid_hip', 'right_hip', 'right_knee', 'right_ankle',
            'left_hip', 'left_knee', 'left_ankle', 'right_eye', 'left_eye', 'right_ear',
            'left_ear', 'left_big_toe', 'left_small_toe', 'left_heel', 'right_big_toe',
            'right_small_toe', 'right_heel'),
    edges=((4, 3), (3, 2), (7, 6), (6, 5), (2, 1), (5, 1), (1, 8), (0, 1), (15, 0), (16, 0),
           (17, 15), (18, 16), (9, 8), (12, 8), (10, 9), (13, 12), (11, 10), (14, 13),
           (24, 11), (22, 11), (23, 22), (21, 14), (19, 14), (20, 19)),
    center=8,
    left=(5, 6, 7, 12, 13, 14, 16, 18, 19, 20, 21),
    right=(2, 3, 4, 9, 10, 11, 15, 17, 22, 23, 24),
)

# MediaPipe BlazePose (mediapipe.solutions.pose), 33 landmarks; edges are MediaPipe's
# POSE_CONNECTIONS made a graph around the nose as COCO's (shoulders and mouth to the nose);
# mappings to NTU-25 / NW-UCLA-20 / COCO-17: sfhead_mm/apis/video.py, docs/camera_to_label.md.
BLAZEPOSE_33 = SkeletonLayout(
    name='blazepose',
    aliases=('blazepose33', 'mediapipe', 'mediapipe-pose'),
    description='MediaPipe BlazePose landmarks, 33 joints (video pose estimation)',
    joints=('nose', 'left_eye_inner', 'left_eye', 'left_eye_outer', 'right_eye_inner',
            'right_eye', 'right_eye_outer', 'left_ear', 'right_ear', 'mouth_left',
            'mouth_right', 'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
            'left_wrist', 'right_wrist', 'left_pinky', 'right_pinky', 'left_index',
            'right_index', 'left_thumb', 'right_thumb', 'left_hip', 'right_hip', 'left_knee',
            'right_knee', 'left_ankle', 'right_ankle', 'left_heel', 'right_heel',
            'left_foot_index', 'right_foot_index'),
    edges=((1, 0), (2, 1), (3, 2), (7, 3), (4, 0), (5, 4), (6, 5), (8, 6), (9, 0), (10, 0),
           (11, 0), (12, 0), (13, 11), (15, 13), (17, 15), (19, 15), (21, 15), (14, 12),
           (16, 14), (18, 16), (20, 16), (22, 16), (23, 11), (24, 12), (25, 23), (27, 25),
           (29, 27), (31, 27), (26, 24), (28, 26), (30, 28), (32, 28)),
    center=0,
    left=(1, 2, 3, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31),
    right=(4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32),
)

BUILTIN_LAYOUTS = (NTU_RGBD_25, NW_UCLA_20, COCO_17, OPENPOSE_18, OPENPOSE_BODY_25, BLAZEPOSE_33)

for _layout in BUILTIN_LAYOUTS:
    register_layout(_layout)
