# ST-GCN + SF-Head (inline, all blocks, G=8), NW-UCLA, CPU schedule.
_base_ = './stgcn_nwucla_cpu.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
