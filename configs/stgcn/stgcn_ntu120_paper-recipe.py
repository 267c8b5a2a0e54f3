# ST-GCN as MMAction2 builds it, trained like the other backbones of this package: the shared
# NTU-120 X-Sub data layer and the SF-Head paper's recipe (90 epochs, batch 64, ...).
_base_ = [
    '../_base_/models/stgcn.py', '../_base_/datasets/ntu120_xsub_3d.py',
    '../_base_/schedules/sfhead_90e.py', '../_base_/default_runtime.py'
]
