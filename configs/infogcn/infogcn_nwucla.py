# InfoGCN, NW-UCLA (20-joint Kinect v1 layout, one person, 10 classes), joint stream.
_base_ = [
    '../_base_/models/infogcn.py', '../_base_/datasets/nwucla.py',
    '../_base_/schedules/sfhead_90e.py', '../_base_/default_runtime.py'
]
model = dict(
    backbone=dict(graph_cfg=dict(layout='nw-ucla'), num_person=1),
    cls_head=dict(num_classes=10))
