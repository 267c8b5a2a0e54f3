# ST-GCN + SF-Head (inline, every block, G=8, lambda_con 0.2, lambda_red 0.1), NTU-120 X-Sub joint.
# The whole override of the stock MMAction2 config is these three lines.
_base_ = 'mmaction::skeleton/stgcn/stgcn_8xb16-joint-u100-80e_ntu120-xsub-keypoint-3d.py'
custom_imports = dict(imports=['sfhead_mm'], allow_failed_imports=False)
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
