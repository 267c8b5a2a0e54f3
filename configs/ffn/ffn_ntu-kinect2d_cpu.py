# FFN (S3(AFF-1)) on NTU RGB+D's own 2D keypoints: the Kinect v2 colour-frame pixels of the 25
# `nturgb+d` joints, from `python -m data_prep.ntu --dataset ntu60 nturgb+d_skeletons/ --coords
# colour` (keypoint (M, T, 25, 2), keypoint_score from the tracking state, img_shape (1080, 1920);
# docs/data_prep.md). A documented alternative to the paper's input, HRNet's 17 COCO joints
# (ffn_ntu60-xsub-2d.py). Joint stream = x, y, score (3 channels) on the `nturgb+d` graph;
# PreNormalize2D maps pixels to [-1, 1] with the sample's img_shape. NTU-60 X-Sub splits, CPU
# schedule: 8 epochs of the paper's optimiser, batch 16, 48-frame clips.
#   python tools/train.py configs/ffn/ffn_ntu-kinect2d_cpu.py
_base_ = [
    './_base_/model_ffn.py', './_base_/ntu60_xsub_2d.py', './_base_/schedule_cpu.py',
    '../_base_/default_runtime.py'
]
ann_file = 'data/skeleton/ntu60_2d_kinect.pkl'
clip_len = 48
# MMAction2's GenSkeFeat refuses keypoint_score with dataset='nturgb+d'; the package's
# LayoutGenSkeFeat appends the score as channel 2 for any layout (same output otherwise).
train_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='LayoutGenSkeFeat', dataset='nturgb+d', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='LayoutGenSkeFeat', dataset='nturgb+d', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='LayoutGenSkeFeat', dataset='nturgb+d', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=10, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
model = dict(backbone=dict(graph_cfg=dict(layout='nturgb+d')))
train_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False,
    dataset=dict(dataset=dict(ann_file=ann_file, pipeline=train_pipeline)))
val_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False,
    dataset=dict(ann_file=ann_file, pipeline=val_pipeline))
test_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(ann_file=ann_file, pipeline=test_pipeline))
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=4, max_keep_ckpts=1))
