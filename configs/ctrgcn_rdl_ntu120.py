# CTR-GCN + Robust Decouple Loss (Liu et al., MDR-GCN), NTU RGB+D 120 X-Sub, joint stream.
# RDL on the pooled 256-d feature the classifier reads (eq. 8 inter-class form,
# lambda_out = lambda_norm = 0.01); MMAction2's GCNHead is unchanged. docs/peers.md.
_base_ = './ctrgcn_ntu120.py'
model = dict(type='PluginRecognizerGCN', plugins=[dict(type='RDLPlugin')])
# no weight decay on the class centres: it would shrink their norms under the norm-ratio term
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'rdl.centers': dict(decay_mult=0.0)}))
