# FineGym99 (99 gymnastics element classes), MMAction2/PYSKL's 2D pose annotations
# (`gym_2d.pkl`: COCO-17 keypoints + scores, splits `train` / `val`). The authors' gym feeder
# reads the same file, joins x, y and the score (C = 3) and takes 64 frames; here MMAction2's 2D
# steps do that (PreNormalize2D instead of their joint-8 centring, see docs/backbones.md).
dataset_type = 'PoseDataset'
ann_file = 'data/skeleton/gym_2d.pkl'
clip_len = 64
train_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', dataset='coco', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', dataset='coco', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', dataset='coco', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=10, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
train_dataloader = dict(
    batch_size=64, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='RepeatDataset', times=1,
                 dataset=dict(type=dataset_type, ann_file=ann_file, pipeline=train_pipeline,
                              split='train')))
val_dataloader = dict(
    batch_size=64, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, pipeline=val_pipeline, split='val',
                 test_mode=True))
test_dataloader = dict(
    batch_size=1, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, pipeline=test_pipeline, split='val',
                 test_mode=True))
# Look-alike element groups are in sfhead_mm/evaluation/metrics/groups/finegym99_lookalike.json
# (by class name): add dict(type='AmbiguousGroupMetric', groups='finegym99_lookalike',
# class_names='<Gym99 category list, one name per line>') to report them.
val_evaluator = [dict(type='AccMetric')]
test_evaluator = val_evaluator
