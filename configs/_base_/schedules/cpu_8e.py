# A CPU-sized schedule: 8 epochs, 1 linear warm-up epoch, then cosine from lr 0.1 to 1e-4;
# SGD as the paper's recipe (momentum 0.9, Nesterov, weight decay 4e-4). On NW-UCLA (1,020 training
# clips, batch 16, 64 steps an epoch) CTR-GCN trains in 17-20 minutes on 2 CPU cores (about 2 s a
# step there, not the 1 s this schedule was first sized for; docs/results.md).
# Owns only schedule keys, like schedules/sfhead_90e.py.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=8, val_begin=1, val_interval=4)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-4, T_max=7, by_epoch=True, begin=1, end=8,
         convert_to_iter_based=True)
]
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=4e-4, nesterov=True))
auto_scale_lr = dict(enable=False, base_batch_size=16)
