# CTR-GCN on NW-UCLA cross-view with the CPU-sized schedule (8 epochs, 17-20 min on 2 cores).
# The paper-length schedule is configs/ctrgcn/ctrgcn_nwucla.py.
_base_ = [
    '../_base_/models/ctrgcn.py', '../_base_/datasets/nwucla.py',
    '../_base_/schedules/cpu_8e.py', '../_base_/default_runtime.py'
]
model = dict(
    backbone=dict(graph_cfg=dict(layout='nw-ucla'), num_person=1),
    cls_head=dict(num_classes=10))
# On 2 cores, loader workers only compete with the model for the CPU; the NW-UCLA pipeline costs
# milliseconds per batch, so it runs in the main process (also keeps every epoch reproducible).
train_dataloader = dict(num_workers=0, persistent_workers=False)
val_dataloader = dict(num_workers=0, persistent_workers=False)
test_dataloader = dict(num_workers=0, persistent_workers=False)
default_hooks = dict(logger=dict(interval=16), checkpoint=dict(interval=4, max_keep_ckpts=1))
