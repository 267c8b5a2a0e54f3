# FFN's recipe with the Two-stage Loss: the same, 110 epochs (paper sec. 3.1).
_base_ = './schedule_80e.py'
train_cfg = dict(max_epochs=110)
param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=0, T_max=110, by_epoch=True, begin=0, end=110,
         convert_to_iter_based=True)
]
