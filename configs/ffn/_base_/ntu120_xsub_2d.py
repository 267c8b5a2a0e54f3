# NTU RGB+D 120, cross-subject, 2D (HRNet COCO-17 keypoints, `ntu120_2d.pkl`).
_base_ = './ntu60_xsub_2d.py'
ann_file = 'data/skeleton/ntu120_2d.pkl'
train_dataloader = dict(dataset=dict(dataset=dict(ann_file=ann_file)))
val_dataloader = dict(dataset=dict(ann_file=ann_file))
test_dataloader = dict(dataset=dict(ann_file=ann_file))
