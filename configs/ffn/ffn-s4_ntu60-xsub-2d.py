# FFN S4 = S3(AFF-1) + Two-stage Loss (f_c = 4, gamma = gamma_hc = 2), NTU RGB+D 60 X-Sub 2D:
# 110 epochs (ffn.md sec. 3.1), cross-entropy for the first 80 (the paper does not give m; see
# docs/backbones.md), then xi * L2 + (1 - xi) * L1.
_base_ = [
    './_base_/model_ffn.py', './_base_/ntu60_xsub_2d.py', './_base_/schedule_110e.py',
    '../_base_/default_runtime.py'
]
model = dict(cls_head=dict(loss_cls=dict(type='TwoStageLoss', switch_epoch=80, f_c=4,
                                         gamma=2, gamma_hc=2)))
train_dataloader = dict(batch_size=54)
