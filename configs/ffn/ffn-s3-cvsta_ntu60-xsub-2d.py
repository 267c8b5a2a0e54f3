# FFN ablation S3-CVSTA (ffn.md Tables 3, 5): S2 + MDR-GCN's CVSTA on the MSF-TCN output
# (C_mid = C), NTU RGB+D 60 X-Sub 2D, the paper's recipe.
_base_ = './ffn_ntu60-xsub-2d.py'
model = dict(backbone=dict(variant='S3-CVSTA'))
