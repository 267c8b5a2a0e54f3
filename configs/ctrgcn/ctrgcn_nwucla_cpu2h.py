# CTR-GCN joint stream on NW-UCLA cross-view, the CPU schedule that aims at the published level
# (CTR-GCN paper 94.6, FR-Head's released CTR-GCN 94.4) in under two hours on 2 cores:
# the training set repeated 5 times, 30 epochs of one cosine decay (schedules/cpu_30e_repeat5.py),
# bfloat16 autocast (CPUAmpOptimWrapper, what `tools/train.py --amp` selects on a CPU), the
# three CTR-GC subsets computed as one batched convolution and the multi-scale TCN's branches
# computed together: with them a step is 1.8x faster than the authors' at 2 threads
# (docs/benchmarks/ctrgcn_speed.md). Results: docs/results.md.
_base_ = [
    '../_base_/models/ctrgcn.py', '../_base_/datasets/nwucla.py',
    '../_base_/schedules/cpu_30e_repeat5.py', '../_base_/default_runtime.py'
]
model = dict(
    # PluginRecognizerGCN: RecognizerGCN's computation, with float32 scores for MMAction2's top-k
    # accuracy under bfloat16 autocast (the same state dict).
    type='PluginRecognizerGCN',
    backbone=dict(graph_cfg=dict(layout='nw-ucla'), num_person=1, batched_subsets=True,
                  batched_tcn=True),
    cls_head=dict(num_classes=10))
optim_wrapper = dict(type='CPUAmpOptimWrapper', dtype='bfloat16')
train_dataloader = dict(num_workers=0, persistent_workers=False, dataset=dict(times=5))
val_dataloader = dict(num_workers=0, persistent_workers=False)
test_dataloader = dict(num_workers=0, persistent_workers=False)
# a checkpoint every epoch (about 5 minutes; torch.save of its 13.6 MB: 0.06 s): a sitting that ends
# mid-run loses at most one epoch when the same command resumes it (runs span working sessions)
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=1, max_keep_ckpts=1))
