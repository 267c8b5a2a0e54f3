# CTR-GCN + SF-Head (inline in all 10 blocks, G=8, lambda_con 0.2, lambda_red 0.1),
# NTU RGB+D 120 X-Sub joint. Any config becomes its SF-Head version with this one line.
_base_ = './ctrgcn_ntu120.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
