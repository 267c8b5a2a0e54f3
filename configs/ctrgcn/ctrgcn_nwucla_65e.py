# CTR-GCN joint stream on NW-UCLA cross-view with the authors' own schedule (65 epochs over the
# training set repeated 5 times, lr 0.1 stepped at epoch 50: schedules/ctrgcn_nwucla_65e.py),
# float32. A GPU config: 20,735 steps of batch 16. The three CTR-GC subsets run as one batched
# convolution (`batched_subsets=True`, the same function as the authors' three, fewer kernels).
# Results: docs/results.md.
_base_ = [
    '../_base_/models/ctrgcn.py', '../_base_/datasets/nwucla.py',
    '../_base_/schedules/ctrgcn_nwucla_65e.py', '../_base_/default_runtime.py'
]
model = dict(
    backbone=dict(graph_cfg=dict(layout='nw-ucla'), num_person=1, batched_subsets=True),
    cls_head=dict(num_classes=10))
# drop_last as the authors' training loader: 318 full batches an epoch, 20,670 steps in all
train_dataloader = dict(drop_last=True, dataset=dict(times=5))
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=5, max_keep_ckpts=1))
env_cfg = dict(cudnn_benchmark=True)
