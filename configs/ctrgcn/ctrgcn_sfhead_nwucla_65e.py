# CTR-GCN + SF-Head (inline in all 10 blocks, G=8), NW-UCLA, the authors' 65-epoch schedule.
_base_ = './ctrgcn_nwucla_65e.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
