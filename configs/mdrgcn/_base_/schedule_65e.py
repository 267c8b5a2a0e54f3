# The MDR-GCN authors' recipe (their main_cl_new.py and NTU configs): SGD, Nesterov momentum
# 0.9, lr 0.1 for a batch of 64, 5 warm-up epochs (lr * (epoch + 1) / 5), then x0.1 at epochs 35
# and 55, 65 epochs; weight decay 4e-4 (NTU). FineGym and FSD-10 override the steps, epochs and
# weight decay. Owns only schedule keys.
max_epochs = 65
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1,
                 val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    # epoch-wise warm-up: factors 0.2, 0.4, 0.6, 0.8 in epochs 0-3, 1.0 from epoch 4
    dict(type='LinearLR', start_factor=0.2, by_epoch=True, begin=0, end=4),
    dict(type='MultiStepLR', milestones=[35, 55], gamma=0.1, by_epoch=True, begin=0,
         end=max_epochs)
]
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=4e-4, nesterov=True))
auto_scale_lr = dict(enable=False, base_batch_size=64)
