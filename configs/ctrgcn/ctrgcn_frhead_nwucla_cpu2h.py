# CTR-GCN + FR-Head (training-only, blocks 1/5/8/10), NW-UCLA, the 2-hour CPU schedule.
_base_ = './ctrgcn_nwucla_cpu2h.py'
model = dict(
    plugins=[dict(type='FRHeadPlugin', num_frames=[
        t['clip_len'] for t in _base_.train_pipeline if 'clip_len' in t][0])])
