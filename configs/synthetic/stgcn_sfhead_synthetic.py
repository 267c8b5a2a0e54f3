# The demo model: the synthetic baseline plus SF-Head (inline, every block, G=8).
_base_ = './stgcn_synthetic.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
