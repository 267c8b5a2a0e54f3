# FFN's optimiser on a CPU budget: 8 epochs, one linear warm-up epoch from lr 0.0048 (small
# batches and sets spike without it; the paper names no warm-up for its batch of 54), then cosine
# from lr 0.048 to 0 (SGD Nesterov 0.9, wd 5e-4); batch 16 set by the configs. With the Two-stage
# Loss, set `model.cls_head.loss_cls.switch_epoch` to about 6 (as 80 of the paper's 110 epochs).
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=8, val_begin=1, val_interval=4)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=0, T_max=7, by_epoch=True, begin=1, end=8,
         convert_to_iter_based=True)
]
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.048, momentum=0.9, weight_decay=5e-4, nesterov=True))
auto_scale_lr = dict(enable=False, base_batch_size=16)
