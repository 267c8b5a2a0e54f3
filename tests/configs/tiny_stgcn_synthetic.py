# A tiny ST-GCN on the synthetic set, for the tool tests (seconds per epoch on 2 CPU cores).
_base_ = '../../configs/synthetic/stgcn_synthetic.py'
model = dict(
    backbone=dict(base_channels=16, num_stages=4, inflate_stages=[3], down_stages=[3]),
    cls_head=dict(in_channels=32))
train_cfg = dict(max_epochs=2, val_interval=1)
param_scheduler = [dict(type='CosineAnnealingLR', eta_min=1e-3, T_max=2, by_epoch=True,
                        convert_to_iter_based=True)]
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=3, save_best=None),
                     logger=dict(interval=5))
