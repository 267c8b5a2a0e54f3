# CTR-GCN + SF-Head (inline in every block, G=8) on the dataset declared in ./_base_/my_dataset.py.
_base_ = './ctrgcn_my_dataset.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
