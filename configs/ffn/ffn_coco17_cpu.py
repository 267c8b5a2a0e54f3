# FFN (S3(AFF-1)) on any COCO-17 2D PoseDataset pickle (MMAction2's HRNet/MMPose layout: keypoint
# (M, T, 17, 2) in pixels, keypoint_score (M, T, 17), img_shape; splits `train` / `val`), CPU
# schedule: 8 epochs of the paper's optimiser, batch 16, 48-frame clips. Set the file and the
# classes on the command line:
#   python tools/train.py configs/ffn/ffn_coco17_cpu.py --cfg-options ann_file=my_2d.pkl \
#       model.cls_head.num_classes=K
_base_ = [
    './_base_/model_ffn.py', './_base_/ntu60_xsub_2d.py', './_base_/schedule_cpu.py',
    '../_base_/default_runtime.py'
]
ann_file = 'data/skeleton/coco17_2d.pkl'
clip_len = 48
train_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', dataset='coco', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', dataset='coco', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
test_pipeline = val_pipeline  # not the base's HRNet-NTU one: test as it validates
model = dict(cls_head=dict(num_classes=2))
train_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False,
    dataset=dict(dataset=dict(ann_file=ann_file, pipeline=train_pipeline, split='train')))
val_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False,
    dataset=dict(ann_file=ann_file, pipeline=val_pipeline, split='val'))
test_dataloader = val_dataloader
val_evaluator = [dict(type='AccMetric')]
test_evaluator = val_evaluator
default_hooks = dict(logger=dict(interval=2), checkpoint=dict(interval=4, max_keep_ckpts=1))
