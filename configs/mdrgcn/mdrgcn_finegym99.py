# MDR-GCN, FineGym99 (COCO-17 2D keypoints + score, one person, 99 classes), the authors' recipe
# (config/gym/default2.yaml): batch 64, lr 0.1, weight decay 1e-4, x0.1 at epochs 60 and 120,
# 180 epochs. Graph: ST-GCN's spatial partition of COCO-17 (centre: nose).
_base_ = ['./_base_/mdrgcn_model.py', './_base_/finegym99_2d.py',
          './_base_/schedule_65e.py', '../_base_/default_runtime.py']
model = dict(
    backbone=dict(graph_cfg=dict(layout='coco', mode='stgcn_spatial', edges='layout'),
                  num_person=1),
    cls_head=dict(num_classes=99, init_cfg=dict(std=0.14213)))  # sqrt(2/99)
max_epochs = 180
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.2, by_epoch=True, begin=0, end=4),
    dict(type='MultiStepLR', milestones=[60, 120], gamma=0.1, by_epoch=True, begin=0,
         end=max_epochs)
]
optim_wrapper = dict(optimizer=dict(weight_decay=1e-4))
