# CTR-GCN baseline, NTU RGB+D 120 X-Sub, 3D joints, the SF-Head paper's recipe.
# A config of this package = one model layer + one data layer + one schedule + the runtime;
# docs/backbones.md explains the scheme and how to write a variant.
_base_ = [
    './_base_/models/ctrgcn.py', './_base_/datasets/ntu120_xsub_3d.py',
    './_base_/schedules/sfhead_90e.py', './_base_/default_runtime.py'
]
