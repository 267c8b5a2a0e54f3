# ST-GCN baseline, NTU RGB+D 120 X-Sub, joint stream, 3D: MMAction2's stock config unchanged.
_base_ = 'mmaction::skeleton/stgcn/stgcn_8xb16-joint-u100-80e_ntu120-xsub-keypoint-3d.py'
