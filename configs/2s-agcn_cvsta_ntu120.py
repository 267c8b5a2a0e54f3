# 2s-AGCN + CVSTA (MDR-GCN's channel-variable spatial-temporal attention, C_mid = C_in / 8) in
# all 10 blocks, NTU RGB+D 120 X-Sub joint: 2s-agcn_ntu120.py with one override. Any config gets
# CVSTA the same way; it combines with SF-Head / RDL (list the plugins together).
_base_ = './2s-agcn_ntu120.py'
model = dict(type='PluginRecognizerGCN', plugins=[dict(type='CVSTAPlugin', reduction=8)])
