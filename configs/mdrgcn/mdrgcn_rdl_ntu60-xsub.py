# MDR-GCN + Robust Decouple Loss on the pooled 256-d feature (the authors train every model with
# it: main_cl_new.py adds RDL to the cross-entropy), NTU RGB+D 60 XSUB.
_base_ = './mdrgcn_ntu60-xsub.py'
model = dict(type='PluginRecognizerGCN', plugins=[dict(type='RDLPlugin')])
# the authors step the class centres with their own plain SGD (no weight decay)
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'rdl.centers': dict(decay_mult=0.0)}))
