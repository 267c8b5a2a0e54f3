# 2s-AGCN + SF-Head (inline, every block, G=8), NTU-120 X-Sub joint.
_base_ = './2s-agcn_ntu120.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
