# CTR-GCN + Robust Decouple Loss (Liu et al., MDR-GCN), NW-UCLA, joint stream. docs/peers.md.
_base_ = './ctrgcn/ctrgcn_nwucla.py'
model = dict(type='PluginRecognizerGCN', plugins=[dict(type='RDLPlugin')])
# no weight decay on the class centres: it would shrink their norms under the norm-ratio term
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'rdl.centers': dict(decay_mult=0.0)}))
