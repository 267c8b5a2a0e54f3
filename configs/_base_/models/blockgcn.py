# BlockGCN (Zhou et al., CVPR 2024): joint embedding, 10 blocks of BlockGC (per-head topologies,
# hop-distance encoding) + multi-scale TCN, and the persistent-homology embedding of the joint
# configuration added to every block's input; NTU-120 joint head.
# topo_cfg.source says what the input holds: 'joint' here, 'bone' for the bone stream (joints
# are rebuilt from the bones), 'input' for the motion streams. topo_cfg=None drops the embedding.
model = dict(
    type='RecognizerGCN',
    backbone=dict(type='BlockGCN', graph_cfg=dict(layout='nturgb+d'),
                  topo_cfg=dict(source='joint', num_elements=64, norm='sample')),
    cls_head=dict(type='GCNHead', num_classes=120, in_channels=256,
                  # the authors' classifier: N(0, sqrt(2 / num_classes)) (Kaiming, fan_out)
                  init_cfg=dict(type='Kaiming', layer='Linear', mode='fan_out',
                                nonlinearity='relu', distribution='normal')))
