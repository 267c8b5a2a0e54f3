# HD-GCN baseline, NTU RGB+D 120 X-Sub, 3D joints, the SF-Head paper's recipe.
# See docs/backbones.md for the config scheme, docs/backbones_hdgcn_blockgcn.md for the model.
_base_ = [
    './_base_/models/hdgcn.py', './_base_/datasets/ntu120_xsub_3d.py',
    './_base_/schedules/sfhead_90e.py', './_base_/default_runtime.py'
]
