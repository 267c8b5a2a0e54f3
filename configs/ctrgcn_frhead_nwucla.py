# CTR-GCN + FR-Head (Zhou et al., CVPR 2023), NW-UCLA, joint stream: the NTU-120 variant's
# plugin over the NW-UCLA baseline (20 joints and 10 classes are read from the model).
# Every choice and its source: docs/peers.md.
_base_ = './ctrgcn/ctrgcn_nwucla.py'
model = dict(
    type='PluginRecognizerGCN',
    plugins=[dict(type='FRHeadPlugin', num_frames=[
        t['clip_len'] for t in _base_.train_pipeline if 'clip_len' in t][0])])
