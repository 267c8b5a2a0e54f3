# FFN (S3(AFF-1)), NTU RGB+D 60 X-Sub, 3D joints (the paper's "Proposed(j-3d)"): the package's
# 3D data layer (25 joints, `nturgb+d` graph), the paper's recipe.
_base_ = [
    './_base_/model_ffn.py', '../_base_/datasets/ntu60_xsub_3d.py',
    './_base_/schedule_80e.py', '../_base_/default_runtime.py'
]
model = dict(backbone=dict(graph_cfg=dict(layout='nturgb+d')))
train_dataloader = dict(batch_size=54)
