# CTR-GCN + CVSTA on FSD-10 (the MDR-GCN paper's Table I: +0.23 top-1 over CTR-GCN; with RDL
# add dict(type='RDLPlugin') to `plugins`), the paper's FSD-10 data and recipe
# (configs/mdrgcn/mdrgcn_fsd10.py). Without CVSTA: --cfg-options model.plugins=[].
_base_ = './mdrgcn/mdrgcn_fsd10.py'
model = dict(
    _delete_=True,
    type='PluginRecognizerGCN',
    backbone=dict(type='CTRGCN', graph_cfg=dict(layout='openpose25', mode='spatial'),
                  num_person=1),
    cls_head=dict(type='GCNHead', num_classes=10, in_channels=256),
    plugins=[dict(type='CVSTAPlugin', reduction=8)])
