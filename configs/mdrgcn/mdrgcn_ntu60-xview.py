# MDR-GCN, NTU RGB+D 60 X-View, 3D joints, the authors' recipe (see mdrgcn_ntu60-xsub.py).
_base_ = './mdrgcn_ntu60-xsub.py'
train_dataloader = dict(dataset=dict(dataset=dict(split='xview_train')))
val_dataloader = dict(dataset=dict(split='xview_val'))
test_dataloader = dict(dataset=dict(split='xview_val'))
