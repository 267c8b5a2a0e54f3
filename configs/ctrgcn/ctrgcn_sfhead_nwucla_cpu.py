# CTR-GCN + SF-Head (inline in all 10 blocks, G=8), NW-UCLA, CPU schedule.
_base_ = './ctrgcn_nwucla_cpu.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
