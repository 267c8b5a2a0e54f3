# 2s-AGCN baseline on NTU RGB+D 120 X-Sub, joint stream, 3D. MMAction2 ships 2s-AGCN configs for
# NTU-60 only; this is the stock NTU-60 config pointed at the NTU-120 pickle and 120 classes.
_base_ = 'mmaction::skeleton/2s-agcn/2s-agcn_8xb16-joint-u100-80e_ntu60-xsub-keypoint-3d.py'
ann_file = 'data/skeleton/ntu120_3d.pkl'
custom_imports = dict(
    imports=['sfhead_mm.models', 'sfhead_mm.datasets', 'sfhead_mm.engine', 'sfhead_mm.evaluation'],
    allow_failed_imports=False)
# What configs/_base_/default_runtime.py declares for every run (safe checkpoint loading, exact
# resume, data check, nan-loss stop, `compile_forward`); a stock base config does not carry it.
custom_hooks = [dict(type='SafeCheckpointHook'), dict(type='EpochSeedHook'),
                dict(type='CheckDataHook'), dict(type='FiniteLossHook'),
                dict(type='CompileForwardHook')]
model = dict(cls_head=dict(num_classes=120))
train_dataloader = dict(dataset=dict(dataset=dict(ann_file=ann_file)))
val_dataloader = dict(dataset=dict(ann_file=ann_file))
test_dataloader = dict(dataset=dict(ann_file=ann_file))
