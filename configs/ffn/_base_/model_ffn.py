# FFN (the paper's S3(AFF-1)) on the 17 COCO keypoints of MMAction2's HRNet NTU pickles, as a
# model layer: (x, y, score) per joint (3 channels), ST-GCN's `stgcn_spatial` graph, 60 classes.
# Variants change one key: `model.backbone.variant` ('S0', 'S1', 'S0-2', 'S2', 'S3-MS-CAM',
# 'S3-AFF-4', 'S3-AFF-2', 'S3-AFF-1'); 3D configs set `graph_cfg.layout='nturgb+d'`.
model = dict(
    type='RecognizerGCN',
    backbone=dict(type='FFN', variant='S3-AFF-1', in_channels=3,
                  graph_cfg=dict(layout='coco', mode='stgcn_spatial')),
    cls_head=dict(type='GCNHead', num_classes=60, in_channels=256))
