# FSD-10 figure skating (10 classes, OpenPose BODY_25 `openpose25`, one skater), written by
# `python -m data_prep.fsd10` from the authors' arrays: 256 frames per clip (the paper's "256
# non-zero frames"), x, y centred on the mid-hip, confidence as a third channel; splits
# `train` / `val`. Batch 48 (the paper, Sec. 4.3-4.4).
dataset_type = 'PoseDataset'
ann_file = 'data/skeleton/fsd10_2d.pkl'
clip_len = 256
train_pipeline = [
    dict(type='LayoutGenSkeFeat', dataset='openpose25', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='LayoutGenSkeFeat', dataset='openpose25', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
test_pipeline = val_pipeline
train_dataloader = dict(
    batch_size=48, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='RepeatDataset', times=1,
                 dataset=dict(type=dataset_type, ann_file=ann_file, pipeline=train_pipeline,
                              split='train')))
val_dataloader = dict(
    batch_size=48, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, pipeline=val_pipeline, split='val',
                 test_mode=True))
test_dataloader = val_dataloader
# Look-alike groups (jumps, spins, sequences) by class name: see fsd10_lookalike.json; add
# dict(type='AmbiguousGroupMetric', groups='fsd10_lookalike', class_names=[...]) with the
# release's class names in label order.
val_evaluator = [dict(type='AccMetric')]
test_evaluator = val_evaluator
