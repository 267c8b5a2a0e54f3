# 2s-AGCN baseline on NTU RGB+D 120 X-Sub, joint stream, 3D. MMAction2 ships 2s-AGCN configs for
# NTU-60 only; this is the stock NTU-60 config pointed at the NTU-120 pickle and 120 classes.
_base_ = 'mmaction::skeleton/2s-agcn/2s-agcn_8xb16-joint-u100-80e_ntu60-xsub-keypoint-3d.py'
ann_file = 'data/skeleton/ntu120_3d.pkl'
model = dict(cls_head=dict(num_classes=120))
train_dataloader = dict(dataset=dict(dataset=dict(ann_file=ann_file)))
val_dataloader = dict(dataset=dict(ann_file=ann_file))
test_dataloader = dict(dataset=dict(ann_file=ann_file))
