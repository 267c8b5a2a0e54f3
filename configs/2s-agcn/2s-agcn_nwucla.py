# 2s-AGCN (AAGCN without attention, as the stock config) on NW-UCLA cross-view (20-joint
# layout, one person, 10 classes), the paper's recipe.
_base_ = [
    '../_base_/models/2s-agcn.py', '../_base_/datasets/nwucla.py',
    '../_base_/schedules/sfhead_90e.py', '../_base_/default_runtime.py'
]
model = dict(backbone=dict(graph_cfg=dict(_delete_=True, layout=_base_.graph_layout, mode='spatial')), cls_head=dict(num_classes=10))
