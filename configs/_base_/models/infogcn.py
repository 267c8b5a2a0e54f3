# InfoGCN (Chi et al., CVPR 2022): 9 blocks of self-attention graph convolution + multi-scale
# TCN on relative-position joint embeddings, with its information-bottleneck head and objective
# (latent z, MMD to orthogonal class priors, label-smoothed CE), as the authors train NTU.
model = dict(
    type='RecognizerGCN',
    backbone=dict(type='InfoGCN', graph_cfg=dict(layout='nturgb+d'), num_heads=3, k=1),
    cls_head=dict(type='InfoGCNHead', num_classes=120, in_channels=256,
                  loss_cls=dict(type='InfoGCNLoss', smoothing=0.1, lambda_mmd=0.1,
                                lambda_z_mean=1e-4)))
