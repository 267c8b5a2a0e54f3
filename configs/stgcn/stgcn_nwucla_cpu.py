# ST-GCN (as MMAction2 builds it) on NW-UCLA cross-view, CPU schedule (see ctrgcn_nwucla_cpu.py).
_base_ = [
    '../_base_/models/stgcn.py', '../_base_/datasets/nwucla.py',
    '../_base_/schedules/cpu_8e.py', '../_base_/default_runtime.py'
]
model = dict(
    backbone=dict(graph_cfg=dict(_delete_=True, layout=_base_.graph_layout, mode='stgcn_spatial')),
    cls_head=dict(num_classes=10))
train_dataloader = dict(num_workers=0, persistent_workers=False)
val_dataloader = dict(num_workers=0, persistent_workers=False)
test_dataloader = dict(num_workers=0, persistent_workers=False)
default_hooks = dict(logger=dict(interval=16), checkpoint=dict(interval=4, max_keep_ckpts=1))
