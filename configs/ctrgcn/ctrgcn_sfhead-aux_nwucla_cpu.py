# CTR-GCN + SF-Head in auxiliary mode (losses only; inference is the bare CTR-GCN), NW-UCLA, CPU.
_base_ = './ctrgcn_nwucla_cpu.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8, mode='auxiliary'))
