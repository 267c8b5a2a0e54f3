# HD-GCN (Lee et al., ICCV 2023): 10 blocks of hierarchically decomposed graph convolution (edge
# convolution, attention-guided hierarchy aggregation) + multi-scale TCN; NTU-120 joint head.
# com=None is the layout's centre: NTU's spine_shoulder, the authors' "CoM 21" (their other NTU
# choices: com='spine_base' = CoM 1, com='spine_mid' = CoM 2). See docs/backbones_hdgcn_blockgcn.md.
model = dict(
    type='RecognizerGCN',
    backbone=dict(type='HDGCN', graph_cfg=dict(layout='nturgb+d', com=None, max_levels=7)),
    cls_head=dict(type='GCNHead', num_classes=120, in_channels=256,
                  # the authors' classifier: N(0, sqrt(2 / num_classes)) (Kaiming, fan_out)
                  init_cfg=dict(type='Kaiming', layer='Linear', mode='fan_out',
                                nonlinearity='relu', distribution='normal')))
