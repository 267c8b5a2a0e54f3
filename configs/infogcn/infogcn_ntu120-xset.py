# InfoGCN, NTU RGB+D 120 X-Set, 3D joints: the X-Sub config with another data layer.
_base_ = [
    '../_base_/models/infogcn.py', '../_base_/datasets/ntu120_xset_3d.py',
    '../_base_/schedules/sfhead_90e.py', '../_base_/default_runtime.py'
]
