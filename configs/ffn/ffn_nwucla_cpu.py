# FFN (S3(AFF-1)) on NW-UCLA cross-view (20 joints, 3D), CPU schedule: 8 epochs of the paper's
# optimiser, batch 16. The sanity run of docs/benchmarks/ffn_step.md uses the COCO-17 config
# ffn_coco17_cpu.py instead.
_base_ = [
    './_base_/model_ffn.py', '../_base_/datasets/nwucla.py', './_base_/schedule_cpu.py',
    '../_base_/default_runtime.py'
]
model = dict(backbone=dict(graph_cfg=dict(_delete_=True, layout=_base_.graph_layout,
                                          mode='stgcn_spatial'), num_person=1),
             cls_head=dict(num_classes=10))
train_dataloader = dict(num_workers=0, persistent_workers=False)
val_dataloader = dict(num_workers=0, persistent_workers=False)
test_dataloader = dict(num_workers=0, persistent_workers=False)
default_hooks = dict(logger=dict(interval=16), checkpoint=dict(interval=4, max_keep_ckpts=1))
