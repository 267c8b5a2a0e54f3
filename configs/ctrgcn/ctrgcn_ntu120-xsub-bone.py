# CTR-GCN, NTU RGB+D 120 X-Sub, 3D, bone stream: the joint config with another data layer.
_base_ = [
    '../_base_/models/ctrgcn.py', '../_base_/datasets/ntu120_xsub_3d_bone.py',
    '../_base_/schedules/sfhead_90e.py', '../_base_/default_runtime.py'
]
