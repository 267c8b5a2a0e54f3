# HD-GCN, NTU RGB+D 120 X-Sub, joint-motion stream, 3D: the joint config with another data layer.
_base_ = [
    '../_base_/models/hdgcn.py', '../_base_/datasets/ntu120_xsub_3d_joint_motion.py',
    '../_base_/schedules/sfhead_90e.py', '../_base_/default_runtime.py'
]
