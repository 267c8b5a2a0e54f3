# CTR-GCN, NTU RGB+D 60 X-Sub, 3D joints: another data layer and its 60 classes.
_base_ = [
    '../_base_/models/ctrgcn.py', '../_base_/datasets/ntu60_xsub_3d.py',
    '../_base_/schedules/sfhead_90e.py', '../_base_/default_runtime.py'
]
model = dict(cls_head=dict(num_classes=60))
