# CTR-GCN + FR-Head (training-only, blocks 1/5/8/10), NW-UCLA, CPU schedule: the peer of
# ctrgcn_sfhead_nwucla_cpu.py on the same baseline, data and schedule (docs/peers.md).
_base_ = './ctrgcn_nwucla_cpu.py'
model = dict(
    type='PluginRecognizerGCN',
    plugins=[dict(type='FRHeadPlugin', num_frames=[
        t['clip_len'] for t in _base_.train_pipeline if 'clip_len' in t][0])])
