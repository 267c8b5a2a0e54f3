# ST-GCN baseline, NTU RGB+D 120 X-Sub, joint stream, 3D: MMAction2's stock config, plus the
# package's imports and run hooks.
_base_ = 'mmaction::skeleton/stgcn/stgcn_8xb16-joint-u100-80e_ntu120-xsub-keypoint-3d.py'
custom_imports = dict(
    imports=['sfhead_mm.models', 'sfhead_mm.datasets', 'sfhead_mm.engine', 'sfhead_mm.evaluation'],
    allow_failed_imports=False)
# What configs/_base_/default_runtime.py declares for every run (safe checkpoint loading, exact
# resume, data check, nan-loss stop, `compile_forward`); a stock base config does not carry it.
custom_hooks = [dict(type='SafeCheckpointHook'), dict(type='EpochSeedHook'),
                dict(type='CheckDataHook'), dict(type='FiniteLossHook'),
                dict(type='CompileForwardHook')]
