# CTR-GCN + FR-Head (training-only, blocks 1/5/8/10), NW-UCLA, the authors' 65-epoch schedule.
_base_ = './ctrgcn_nwucla_65e.py'
model = dict(
    type='PluginRecognizerGCN',
    plugins=[dict(type='FRHeadPlugin', num_frames=[
        t['clip_len'] for t in _base_.train_pipeline if 'clip_len' in t][0])])
