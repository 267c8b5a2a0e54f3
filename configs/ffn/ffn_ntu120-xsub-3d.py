# FFN (S3(AFF-1)), NTU RGB+D 120 X-Sub, 3D joints, the paper's recipe.
_base_ = [
    './_base_/model_ffn.py', '../_base_/datasets/ntu120_xsub_3d.py',
    './_base_/schedule_80e.py', '../_base_/default_runtime.py'
]
model = dict(backbone=dict(graph_cfg=dict(layout='nturgb+d')), cls_head=dict(num_classes=120))
train_dataloader = dict(batch_size=54)
