# FFN S4 (S3(AFF-1) + Two-stage Loss), NTU RGB+D 120 X-Sub 2D, 110 epochs.
_base_ = './ffn-s4_ntu60-xsub-2d.py'
ann_file = 'data/skeleton/ntu120_2d.pkl'
model = dict(cls_head=dict(num_classes=120))
train_dataloader = dict(dataset=dict(dataset=dict(ann_file=ann_file)))
val_dataloader = dict(dataset=dict(ann_file=ann_file))
test_dataloader = dict(dataset=dict(ann_file=ann_file))
