# CTR-GCN + SF-Head in auxiliary mode (losses only; inference is the bare CTR-GCN), NW-UCLA,
# the 2-hour CPU schedule.
_base_ = './ctrgcn_nwucla_cpu2h.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8, mode='auxiliary'))
