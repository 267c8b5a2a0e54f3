# ST-GCN on the synthetic look-alike set (8 classes, NTU-25 layout): the demo and smoke-test
# baseline. A stock MMAction2 config with the data, model size and schedule scaled to a CPU.
# Generate the data first: python -m sfhead_mm.datasets.synthetic data/synthetic/ntu25_synthetic.pkl
_base_ = 'mmaction::skeleton/stgcn/stgcn_8xb16-joint-u100-80e_ntu120-xsub-keypoint-3d.py'
custom_imports = dict(
    imports=['sfhead_mm.models', 'sfhead_mm.datasets', 'sfhead_mm.engine', 'sfhead_mm.evaluation'],
    allow_failed_imports=False)
# What configs/_base_/default_runtime.py declares for every run (safe checkpoint loading, exact
# resume, data check, nan-loss stop, `compile_forward`); a stock base config does not carry it.
custom_hooks = [dict(type='SafeCheckpointHook'), dict(type='EpochSeedHook'),
                dict(type='CheckDataHook'), dict(type='FiniteLossHook'),
                dict(type='CompileForwardHook')]

ann_file = 'data/synthetic/ntu25_synthetic.pkl'
clip_len = 32

model = dict(
    backbone=dict(base_channels=32, num_stages=6, inflate_stages=[3, 5], down_stages=[3, 5]),
    cls_head=dict(num_classes=8, in_channels=128))

train_pipeline = [
    dict(type='PreNormalize3D'),
    dict(type='GenSkeFeat', dataset='nturgb+d', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='PreNormalize3D'),
    dict(type='GenSkeFeat', dataset='nturgb+d', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
test_pipeline = val_pipeline

train_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False,
    dataset=dict(times=1, dataset=dict(ann_file=ann_file, pipeline=train_pipeline,
                                       split='train')))
val_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False,
    dataset=dict(ann_file=ann_file, pipeline=val_pipeline, split='val'))
test_dataloader = val_dataloader
# Top-1 plus the look-alike pairs' report (AccMetric first: save_best='auto' uses its key).
val_evaluator = [dict(type='AccMetric'),
                 dict(type='AmbiguousGroupMetric', groups='synthetic', per_class_scalars=True)]
test_evaluator = val_evaluator

train_cfg = dict(max_epochs=12, val_interval=4)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-4, T_max=11, by_epoch=True, begin=1, end=12,
         convert_to_iter_based=True)
]
optim_wrapper = dict(optimizer=dict(lr=0.1))
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=4, max_keep_ckpts=2))
randomness = dict(seed=0)
