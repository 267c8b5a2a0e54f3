# HD-GCN, NW-UCLA (20-joint Kinect v1 layout, one person, 10 classes), joint stream.
# CoM 'spine' (1-based joint 2) is the default of the authors' NW-UCLA graph; they also offer
# 'hip_center' (1) and 'shoulder_center' (3, the layout's centre, what com=None gives).
_base_ = [
    '../_base_/models/hdgcn.py', '../_base_/datasets/nwucla.py',
    '../_base_/schedules/sfhead_90e.py', '../_base_/default_runtime.py'
]
model = dict(
    backbone=dict(graph_cfg=dict(layout='nw-ucla', com='spine'), num_person=1),
    cls_head=dict(num_classes=10))
