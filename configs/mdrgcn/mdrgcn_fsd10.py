# MDR-GCN, FSD-10 figure skating (OpenPose BODY_25, one skater, 10 classes), the paper's recipe:
# 256 frames, batch 48, lr 0.1, x0.1 at epochs 150 and 225, 300 epochs; weight decay 5e-4 (the
# authors' default: config/skat/train_25.yaml sets none). Graph: ST-GCN's spatial partition of
# BODY_25 (centre: mid-hip), as graph/skating.py; topology tanh(x1 - x2), the authors' "for
# FSD-10" line of model/MDRGCN.py (their published default is x1 + x2: topology_op='add').
_base_ = ['./_base_/mdrgcn_model.py', './_base_/fsd10_2d.py',
          './_base_/schedule_65e.py', '../_base_/default_runtime.py']
model = dict(
    backbone=dict(graph_cfg=dict(layout='openpose25', mode='stgcn_spatial', edges='layout'),
                  num_person=1, topology_op='sub'),
    cls_head=dict(num_classes=10, init_cfg=dict(std=0.44721)))  # sqrt(2/10)
max_epochs = 300
train_cfg = dict(max_epochs=max_epochs, val_interval=10)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.2, by_epoch=True, begin=0, end=4),
    dict(type='MultiStepLR', milestones=[150, 225], gamma=0.1, by_epoch=True, begin=0,
         end=max_epochs)
]
optim_wrapper = dict(optimizer=dict(weight_decay=5e-4))
auto_scale_lr = dict(enable=False, base_batch_size=48)
