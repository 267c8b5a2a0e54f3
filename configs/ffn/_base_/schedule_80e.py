# FFN's recipe (paper sec. 3.1): SGD, Nesterov momentum 0.9, weight decay 5e-4, lr 0.048 with
# cosine annealing (to 0, no warm-up: the paper names none), 80 epochs, batch 54 (the batch is
# set by the configs, as it belongs to the data loader). Owns only schedule keys.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=80, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=0, T_max=80, by_epoch=True, begin=0, end=80,
         convert_to_iter_based=True)
]
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.048, momentum=0.9, weight_decay=5e-4, nesterov=True))
# lr 0.048 is for a total batch of 54; `--auto-scale-lr` scales it for other totals.
auto_scale_lr = dict(enable=False, base_batch_size=54)
