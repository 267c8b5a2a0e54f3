# ST-GCN + SF-Head (inline, every block, G=8) on NW-UCLA cross-view: the baseline plus one line.
_base_ = './stgcn_nwucla.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
