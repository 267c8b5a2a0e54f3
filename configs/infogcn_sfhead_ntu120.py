# InfoGCN + SF-Head (inline in all 9 blocks, G=8), NTU RGB+D 120 X-Sub joint; the InfoGCN
# objective (loss_cls, loss_mmd, loss_z_mean) and SF-Head's (loss_con, loss_red) side by side.
_base_ = './infogcn_ntu120.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
