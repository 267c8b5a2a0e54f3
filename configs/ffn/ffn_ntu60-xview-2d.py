# FFN (S3(AFF-1)), NTU RGB+D 60 X-View, 2D HRNet COCO-17 keypoints, the paper's recipe.
_base_ = [
    './_base_/model_ffn.py', './_base_/ntu60_xview_2d.py', './_base_/schedule_80e.py',
    '../_base_/default_runtime.py'
]
train_dataloader = dict(batch_size=54)
