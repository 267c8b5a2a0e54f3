"""Built-in layouts: NTU RGB+D (Kinect v2, 25), NW-UCLA (Kinect v1, 20), COCO-17, OpenPose-18.

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

BUILTIN_LAYOUTS = (NTU_RGBD_25, NW_UCLA_20, COCO_17, OPENPOSE_18)

for _layout in BUILTIN_LAYOUTS:
    register_layout(_layout)
