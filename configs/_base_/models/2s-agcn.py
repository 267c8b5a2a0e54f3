# 2s-AGCN (one stream) as MMAction2's stock config builds it: AAGCN without its STC attention
# (`gcn_attention=False`, i.e. AGCN), 120 classes. configs/2s-agcn_ntu120.py inherits the stock
# config; tests/configs/test_configs.py checks the two models agree.
model = dict(
    type='RecognizerGCN',
    backbone=dict(type='AAGCN', graph_cfg=dict(layout='nturgb+d', mode='spatial'),
                  gcn_attention=False),
    cls_head=dict(type='GCNHead', num_classes=120, in_channels=256))
