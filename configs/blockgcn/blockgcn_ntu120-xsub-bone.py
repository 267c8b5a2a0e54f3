# BlockGCN, NTU RGB+D 120 X-Sub, bone stream, 3D: the joint config with another data layer.
_base_ = [
    '../_base_/models/blockgcn.py', '../_base_/datasets/ntu120_xsub_3d_bone.py',
    '../_base_/schedules/sfhead_90e.py', '../_base_/default_runtime.py'
]
# The topological embedding reads joint positions: rebuild them from the bones (exact, since
# it only uses distances between joints).
model = dict(backbone=dict(topo_cfg=dict(source='bone')))
