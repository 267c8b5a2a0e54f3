# InfoGCN baseline (with its information-bottleneck objective), NTU RGB+D 120 X-Sub, 3D joints,
# the SF-Head paper's recipe. See docs/backbones.md for the config scheme.
_base_ = [
    './_base_/models/infogcn.py', './_base_/datasets/ntu120_xsub_3d.py',
    './_base_/schedules/sfhead_90e.py', './_base_/default_runtime.py'
]
