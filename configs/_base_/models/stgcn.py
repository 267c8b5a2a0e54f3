# ST-GCN as MMAction2 builds it (the model of its stock NTU-120 config, which
# configs/stgcn_ntu120.py inherits whole; tests/configs/test_configs.py checks they agree).
# For combining ST-GCN with this package's data layers and the paper's recipe.
model = dict(
    type='RecognizerGCN',
    backbone=dict(type='STGCN', graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial')),
    cls_head=dict(type='GCNHead', num_classes=120, in_channels=256))
