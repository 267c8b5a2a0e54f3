# 2s-AGCN, one stream (stock MMAction2 model and schedule), NTU RGB+D 120 X-Set, 3D joints.
_base_ = '../2s-agcn_ntu120.py'
train_dataloader = dict(dataset=dict(dataset=dict(split='xset_train')))
val_dataloader = dict(dataset=dict(split='xset_val'))
test_dataloader = dict(dataset=dict(split='xset_val'))
