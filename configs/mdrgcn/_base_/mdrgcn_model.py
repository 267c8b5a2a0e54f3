# MDR-GCN (Liu, Ding et al.): 10 blocks of CVSTA-refined channel-wise graph convolution + two
# multi-scale TCNs (kernels 3 and 5); MMAction2's GCNHead is the authors' classifier (GAP over
# T, V, persons, then fc). NTU RGB+D 60 joint layout; the dataset configs set layout/classes.
# The head's init follows the authors' fc (normal, std = sqrt(2 / num_classes)).
model = dict(
    type='RecognizerGCN',
    backbone=dict(type='MDRGCN', graph_cfg=dict(layout='nturgb+d', mode='spatial'),
                  num_person=2),
    cls_head=dict(type='GCNHead', num_classes=60, in_channels=256,
                  init_cfg=dict(type='Normal', layer='Linear', std=0.18257)))  # sqrt(2/60)
