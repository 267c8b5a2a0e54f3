# ST-GCN + SF-Head (inline, every block, G=8, lambda_con 0.2, lambda_red 0.1), NTU-120 X-Sub joint.
# The override of the stock MMAction2 config: the package's imports and hooks, and the model.
_base_ = 'mmaction::skeleton/stgcn/stgcn_8xb16-joint-u100-80e_ntu120-xsub-keypoint-3d.py'
custom_imports = dict(
    imports=['sfhead_mm.models', 'sfhead_mm.datasets', 'sfhead_mm.engine', 'sfhead_mm.evaluation'],
    allow_failed_imports=False)
# What configs/_base_/default_runtime.py declares for every run (safe checkpoint loading, exact
# resume, data check, nan-loss stop, `compile_forward`); a stock base config does not carry it.
custom_hooks = [dict(type='SafeCheckpointHook'), dict(type='EpochSeedHook'),
                dict(type='CheckDataHook'), dict(type='FiniteLossHook'),
                dict(type='CompileForwardHook')]
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
