# NTU RGB+D 120, cross-subject, 3D joints, joint stream: the data layer every backbone of this
# package shares. Owns only data keys (pipelines, loaders, evaluators), so it combines with a
# model file, a schedule file and the runtime in one `_base_` list (mmengine refuses a key that
# two bases both define). Pipelines are MMAction2's stock NTU-120 3D ones; the batch size is the
# SF-Head paper's (64 in all: set `train_dataloader.batch_size` to 64 / number of GPUs).
# The RepeatDataset wrapper (times=1) keeps the stock layout of the keys, so
# `train_dataloader.dataset.dataset.ann_file=...` works on every config of this package.
dataset_type = 'PoseDataset'
ann_file = 'data/skeleton/ntu120_3d.pkl'
train_pipeline = [
    dict(type='PreNormalize3D'),
    dict(type='GenSkeFeat', dataset='nturgb+d', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=100),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='PreNormalize3D'),
    dict(type='GenSkeFeat', dataset='nturgb+d', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=100, num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='PreNormalize3D'),
    dict(type='GenSkeFeat', dataset='nturgb+d', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=100, num_clips=10, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='RepeatDataset',
        times=1,
        dataset=dict(type=dataset_type, ann_file=ann_file, pipeline=train_pipeline,
                     split='xsub_train')))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, pipeline=val_pipeline,
                 split='xsub_val', test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, pipeline=test_pipeline,
                 split='xsub_val', test_mode=True))

# The SF-Head paper's 9 look-alike groups (all NTU-60 classes too, so NTU-60 layers keep them).
val_evaluator = [dict(type='AccMetric'),
                 dict(type='AmbiguousGroupMetric', groups='ntu120_sfhead9')]
test_evaluator = val_evaluator
