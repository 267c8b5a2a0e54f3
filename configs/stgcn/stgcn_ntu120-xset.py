# ST-GCN (stock MMAction2 config and schedule), NTU RGB+D 120 X-Set, 3D joints.
_base_ = '../stgcn_ntu120.py'
train_dataloader = dict(dataset=dict(dataset=dict(split='xset_train')))
val_dataloader = dict(dataset=dict(split='xset_val'))
test_dataloader = dict(dataset=dict(split='xset_val'))
