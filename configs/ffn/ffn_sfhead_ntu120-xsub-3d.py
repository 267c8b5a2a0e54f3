# FFN + SF-Head (inline, every block, G=8) on NTU RGB+D 120 X-Sub 3D.
_base_ = './ffn_ntu120-xsub-3d.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
