# NTU RGB+D 60, cross-subject, 3D joints. The model needs `cls_head=dict(num_classes=60)`:
# a data layer cannot set it (the model key belongs to the model layer), the config does.
_base_ = './ntu120_xsub_3d.py'
ann_file = 'data/skeleton/ntu60_3d.pkl'
train_dataloader = dict(dataset=dict(dataset=dict(ann_file=ann_file)))
val_dataloader = dict(dataset=dict(ann_file=ann_file))
test_dataloader = dict(dataset=dict(ann_file=ann_file))
