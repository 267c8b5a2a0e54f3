# CTR-GCN + SF-Head (inline, all blocks, G=8) + Robust Decouple Loss, NTU RGB+D 120 X-Sub,
# joint stream: the SF-Head config with RDL added as a further plugin. docs/peers.md.
_base_ = './ctrgcn_sfhead_ntu120.py'
model = dict(plugins=[dict(type='RDLPlugin')])
# no weight decay on the class centres: it would shrink their norms under the norm-ratio term
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'rdl.centers': dict(decay_mult=0.0)}))
