# FFN (S3(AFF-1)), NTU RGB+D 60 X-Sub, 2D HRNet COCO-17 keypoints (x, y, score), the paper's
# recipe: SGD Nesterov 0.9, lr 0.048, cosine, wd 5e-4, batch 54, 80 epochs (ffn.md sec. 3.1).
_base_ = [
    './_base_/model_ffn.py', './_base_/ntu60_xsub_2d.py', './_base_/schedule_80e.py',
    '../_base_/default_runtime.py'
]
train_dataloader = dict(batch_size=54)
