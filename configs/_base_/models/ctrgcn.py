# CTR-GCN (Chen et al., ICCV 2021): 10 blocks of channel-wise topology refinement graph
# convolution + multi-scale TCN; NTU-120 joint head.
model = dict(
    type='RecognizerGCN',
    backbone=dict(type='CTRGCN', graph_cfg=dict(layout='nturgb+d', mode='spatial')),
    cls_head=dict(type='GCNHead', num_classes=120, in_channels=256,
                  # the authors' classifier: N(0, sqrt(2 / num_classes)) (Kaiming, fan_out)
                  init_cfg=dict(type='Kaiming', layer='Linear', mode='fan_out',
                                nonlinearity='relu', distribution='normal')))
