# BlockGCN + SF-Head (inline in all 10 blocks, G=8, lambda_con 0.2, lambda_red 0.1),
# NTU RGB+D 120 X-Sub joint.
_base_ = './blockgcn_ntu120.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
