# NTU RGB+D 120, cross-setup (X-Set), 3D joints: the X-Sub data layer with the other split.
_base_ = './ntu120_xsub_3d.py'
train_dataloader = dict(dataset=dict(dataset=dict(split='xset_train')))
val_dataloader = dict(dataset=dict(split='xset_val'))
test_dataloader = dict(dataset=dict(split='xset_val'))
