# NW-UCLA (Kinect v1, 20 joints `nw-ucla`, one person, 10 classes), cross-view: train on views 1
# and 2, validate/test on view 3 (`python -m data_prep.nwucla` writes these `train`/`val` splits).
# The pipeline is the one of the CTR-GCN family of NW-UCLA feeders, expressed in MMAction2 steps:
# centre on the spine joint of the first frame (the layout's `norm_center`), in training a random
# view change (rotations of up to 60 degrees about X and Y, scale 0.5-1.5), per-clip min-max scaling
# to [-1, 1], then 52 frames resampled in temporal order (NW-UCLA clips are mostly shorter than 52
# frames; MMAction2's UniformSampleFrames would loop them). Batch 16 as in the SF-Head paper.
dataset_type = 'PoseDataset'
ann_file = 'data/skeleton/nwucla_3d.pkl'
clip_len = 52
feats = ['j']
# The `nw-ucla` layout's graph in the form MMAction2's own Graph (STGCN, AAGCN) accepts:
# `sfhead_mm.skeleton.get_layout('nw-ucla').graph_dict()`, which tests/configs checks it equals.
graph_layout = dict(
    num_node=20, center=2,
    inward=[(0, 1), (1, 2), (3, 2), (4, 2), (5, 4), (6, 5), (7, 6), (8, 2), (9, 8), (10, 9),
            (11, 10), (12, 0), (13, 12), (14, 13), (15, 14), (16, 0), (17, 16), (18, 17),
            (19, 18)])
train_pipeline = [
    dict(type='LayoutPreNormalize3D', layout='nw-ucla', align_spine=False,
         align_shoulder=False),
    dict(type='RandomViewTransform3D', max_angle=60, scale_range=(0.5, 1.5)),
    dict(type='MinMaxNormalize3D'),
    dict(type='LayoutGenSkeFeat', dataset='nw-ucla', feats=feats),
    dict(type='ResampleFrames', clip_len=clip_len),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='LayoutPreNormalize3D', layout='nw-ucla', align_spine=False,
         align_shoulder=False),
    dict(type='MinMaxNormalize3D'),
    dict(type='LayoutGenSkeFeat', dataset='nw-ucla', feats=feats),
    dict(type='ResampleFrames', clip_len=clip_len, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
test_pipeline = val_pipeline

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='RepeatDataset',
        times=1,
        dataset=dict(type=dataset_type, ann_file=ann_file, pipeline=train_pipeline,
                     split='train')))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, pipeline=val_pipeline, split='val',
                 test_mode=True))
test_dataloader = val_dataloader

val_evaluator = [dict(type='AccMetric'),
                 dict(type='AmbiguousGroupMetric', groups='nwucla_lookalike')]
test_evaluator = val_evaluator
