# The SF-Head paper's training recipe (section 4.2): SGD, momentum 0.9, weight decay 4e-4,
# 90 epochs, 5 linear warm-up epochs, then cosine from lr 0.1 down to 1e-4.
# Batch 64 belongs to the data layer (the paper uses 16 on NW-UCLA). Nesterov momentum is the
# CTR-GCN code base's choice (the paper does not say). Owns only schedule keys, so any data
# layer and model combine with it in one `_base_` list.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=90, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-4, T_max=85, by_epoch=True, begin=5, end=90,
         convert_to_iter_based=True)
]
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=4e-4, nesterov=True))

# lr 0.1 is for a total batch of 64; with `--auto-scale-lr` other totals scale it linearly.
auto_scale_lr = dict(enable=False, base_batch_size=64)
