# CTR-GCN + SF-Head (inline in all 10 blocks, G=8), NW-UCLA, the 2-hour CPU schedule.
_base_ = './ctrgcn_nwucla_cpu2h.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
