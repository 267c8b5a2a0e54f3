# The CTR-GCN authors' NW-UCLA schedule (Uason-Chen/CTR-GCN, config/ucla/default.yaml and
# main.py's adjust_learning_rate): 65 epochs over the training set repeated 5 times
# (`train_dataloader.dataset.times=5`; with their loader's drop_last, 318 steps of batch 16 an
# epoch, 20,670 steps), SGD lr 0.1,
# momentum 0.9, Nesterov, weight decay 1e-4; warm-up for 5 epochs with the lr held constant inside
# each epoch at 0.1 * (epoch + 1) / 5 (0.02, 0.04, 0.06, 0.08, 0.1), then 0.1 until a step to 0.01
# at epoch 50. Validation every 5 epochs gives the curve; every checkpoint after the last one is
# dropped. Owns only schedule keys. A GPU schedule: 20,670 steps are ~6 hours on 2 CPU cores.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=65, val_begin=5, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    # by epoch, not converted to iterations: factor 0.2 + 0.2 * epoch for epochs 0-4, as theirs
    dict(type='LinearLR', start_factor=0.2, end_factor=1.0, by_epoch=True, begin=0, end=5),
    dict(type='MultiStepLR', milestones=[50], gamma=0.1, by_epoch=True, begin=0, end=65)
]
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4, nesterov=True))
auto_scale_lr = dict(enable=False, base_batch_size=16)
