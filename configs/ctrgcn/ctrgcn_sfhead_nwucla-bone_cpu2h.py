# CTR-GCN + SF-Head (inline, G=8), NW-UCLA bone stream, the 2-hour CPU schedule.
_base_ = './ctrgcn_nwucla-bone_cpu2h.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
