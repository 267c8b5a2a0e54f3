# CTR-GCN + FR-Head (Zhou et al., CVPR 2023), NTU RGB+D 120 X-Sub, joint stream.
# Training-only heads on the outputs of blocks 1, 5, 8, 10 (lambda 0.1/0.2/0.5/1, w_cl 0.1,
# tau 0.125, momentum 0.9, TP-anchor calibration); inference is the bare CTR-GCN.
# Every choice and its source: docs/peers.md. The heads' temporal branches are sized for the
# training clip length, read here from the base's pipeline.
_base_ = './ctrgcn_ntu120.py'
model = dict(
    type='PluginRecognizerGCN',
    plugins=[dict(type='FRHeadPlugin', num_frames=[
        t['clip_len'] for t in _base_.train_pipeline if 'clip_len' in t][0])])
