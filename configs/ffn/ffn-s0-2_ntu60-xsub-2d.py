# FFN ablation S0-2 (ffn.md Tables 2, 3, 5), NTU RGB+D 60 X-Sub 2D, the paper's recipe.
_base_ = './ffn_ntu60-xsub-2d.py'
model = dict(backbone=dict(variant='S0-2'))
