# NTU RGB+D 120, cross-setup, 2D (HRNet COCO-17 keypoints, `ntu120_2d.pkl`).
_base_ = './ntu120_xsub_2d.py'
train_dataloader = dict(dataset=dict(dataset=dict(split='xset_train')))
val_dataloader = dict(dataset=dict(split='xset_val'))
test_dataloader = dict(dataset=dict(split='xset_val'))
