# FFN + SF-Head (inline, every block, G=8) on NTU RGB+D 60 X-Sub 2D: the FFN config plus the
# usual one-line override; SF-Head sits on each block's ESF-GCN -> MSF-TCN seam.
_base_ = './ffn_ntu60-xsub-2d.py'
model = dict(type='SFRecognizerGCN', sf_head=dict(groups=8))
