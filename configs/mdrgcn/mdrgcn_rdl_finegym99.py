# MDR-GCN + Robust Decouple Loss (the paper's full method), finegym99.
_base_ = './mdrgcn_finegym99.py'
model = dict(type='PluginRecognizerGCN', plugins=[dict(type='RDLPlugin')])
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'rdl.centers': dict(decay_mult=0.0)}))
