# CTR-GCN + SF-Head in auxiliary mode (losses only; inference is the bare CTR-GCN), NW-UCLA, the
# authors' 65-epoch schedule.
_base_ = './ctrgcn_nwucla_65e.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8, mode='auxiliary'))
