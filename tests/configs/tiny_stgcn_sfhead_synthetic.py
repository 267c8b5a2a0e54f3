# The tiny test model with SF-Head (G=4 so that 16-channel blocks divide by 4G).
_base_ = './tiny_stgcn_synthetic.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=4))
