# 2s-AGCN as the SF-Head (and FR-Head) papers count it: MMAction2's AAGCN with its STC attention
# on (`gcn_attention=True`, 3.80M parameters; the stock config turns it off: 3.48M), trained with
# the shared NTU-120 X-Sub data layer and the SF-Head paper's recipe.
_base_ = [
    '../_base_/models/2s-agcn.py', '../_base_/datasets/ntu120_xsub_3d.py',
    '../_base_/schedules/sfhead_90e.py', '../_base_/default_runtime.py'
]
model = dict(backbone=dict(gcn_attention=True))
