# NTU RGB+D 60, cross-view, 3D joints (60 classes, see ntu60_xsub_3d.py).
_base_ = './ntu60_xsub_3d.py'
train_dataloader = dict(dataset=dict(dataset=dict(split='xview_train')))
val_dataloader = dict(dataset=dict(split='xview_val'))
test_dataloader = dict(dataset=dict(split='xview_val'))
