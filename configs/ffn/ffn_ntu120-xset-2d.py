# FFN (S3(AFF-1)), NTU RGB+D 120 X-Set, 2D HRNet COCO-17 keypoints, the paper's recipe.
_base_ = './ffn_ntu120-xsub-2d.py'
train_dataloader = dict(dataset=dict(dataset=dict(split='xset_train')))
val_dataloader = dict(dataset=dict(split='xset_val'))
test_dataloader = dict(dataset=dict(split='xset_val'))
