# ST-GCN + CVSTA on FSD-10 (the MDR-GCN paper's Table I: +2.12 top-1 over ST-GCN), with the
# paper's FSD-10 data and recipe (configs/mdrgcn/mdrgcn_fsd10.py). Without CVSTA: drop `plugins`
# (--cfg-options model.plugins=[]).
_base_ = './mdrgcn/mdrgcn_fsd10.py'
# The `openpose25` layout in the dict form MMAction2's Graph accepts
# (`sfhead_mm.skeleton.get_layout('openpose25').graph_dict()`, checked by tests).
graph_layout = dict(
    num_node=25, center=8,
    inward=[(4, 3), (3, 2), (7, 6), (6, 5), (2, 1), (5, 1), (1, 8), (0, 1), (15, 0), (16, 0),
            (17, 15), (18, 16), (9, 8), (12, 8), (10, 9), (13, 12), (11, 10), (14, 13),
            (24, 11), (22, 11), (23, 22), (21, 14), (19, 14), (20, 19)])
model = dict(
    _delete_=True,
    type='PluginRecognizerGCN',
    backbone=dict(type='STGCN', graph_cfg=dict(layout=graph_layout, mode='stgcn_spatial')),
    cls_head=dict(type='GCNHead', num_classes=10, in_channels=256),
    plugins=[dict(type='CVSTAPlugin', reduction=8)])
