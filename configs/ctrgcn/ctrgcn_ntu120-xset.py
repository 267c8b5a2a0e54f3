# CTR-GCN, NTU RGB+D 120 X-Set, 3D: the NTU-120 X-Sub joint config with another data layer.
_base_ = [
    '../_base_/models/ctrgcn.py', '../_base_/datasets/ntu120_xset_3d.py',
    '../_base_/schedules/sfhead_90e.py', '../_base_/default_runtime.py'
]
