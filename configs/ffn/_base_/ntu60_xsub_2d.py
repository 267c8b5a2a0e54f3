# NTU RGB+D 60, cross-subject, 2D: MMAction2's HRNet keypoints (`ntu60_2d.pkl`, 17 COCO joints
# with scores, https://download.openmmlab.com/mmaction/v1.0/skeleton/data/ntu60_2d.pkl), with
# MMAction2's stock 2D pipelines (PreNormalize2D, joint stream = x, y, score: 3 channels).
# Loader and evaluator keys as the package's 3D data layer, so every override path is the same.
# The paper's batch (54) is set by the configs that use this layer.
_base_ = '../../_base_/datasets/ntu60_xsub_3d.py'
ann_file = 'data/skeleton/ntu60_2d.pkl'
train_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', dataset='coco', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=100),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', dataset='coco', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=100, num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', dataset='coco', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=100, num_clips=10, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
train_dataloader = dict(dataset=dict(dataset=dict(
    ann_file=ann_file, pipeline=train_pipeline, split='xsub_train')))
val_dataloader = dict(dataset=dict(ann_file=ann_file, pipeline=val_pipeline, split='xsub_val'))
test_dataloader = dict(dataset=dict(ann_file=ann_file, pipeline=test_pipeline,
                                    split='xsub_val'))
