# MDR-GCN + Robust Decouple Loss (the paper's full method), fsd10.
_base_ = './mdrgcn_fsd10.py'
model = dict(type='PluginRecognizerGCN', plugins=[dict(type='RDLPlugin')])
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'rdl.centers': dict(decay_mult=0.0)}))
