# BlockGCN, NTU RGB+D 120 X-Sub, bone-motion stream, 3D: the joint config with another data layer.
_base_ = [
    '../_base_/models/blockgcn.py', '../_base_/datasets/ntu120_xsub_3d_bone_motion.py',
    '../_base_/schedules/sfhead_90e.py', '../_base_/default_runtime.py'
]
# Motion holds no joint positions: the topological embedding reads the motion vectors as they
# are (the authors' code reads the raw joints beside the stream; MMAction2's pipeline passes one).
model = dict(backbone=dict(topo_cfg=dict(source='input')))
