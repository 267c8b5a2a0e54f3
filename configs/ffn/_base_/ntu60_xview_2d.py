# NTU RGB+D 60, cross-view, 2D (HRNet COCO-17 keypoints, `ntu60_2d.pkl`).
_base_ = './ntu60_xsub_2d.py'
train_dataloader = dict(dataset=dict(dataset=dict(split='xview_train')))
val_dataloader = dict(dataset=dict(split='xview_val'))
test_dataloader = dict(dataset=dict(split='xview_val'))
