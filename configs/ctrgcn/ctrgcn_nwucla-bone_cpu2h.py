# CTR-GCN, NW-UCLA bone stream (each joint minus its parent in the `nw-ucla` layout), the 2-hour
# CPU schedule: the joint config with only the skeleton feature switched. Fuse its test scores
# with the joint stream's by tools/analysis/fuse_scores.py (docs/results.md).
_base_ = './ctrgcn_nwucla_cpu2h.py'
feats = ['b']
train_pipeline = [dict(s, feats=feats) if s.type == 'LayoutGenSkeFeat' else s
                  for s in _base_.train_pipeline]
val_pipeline = [dict(s, feats=feats) if s.type == 'LayoutGenSkeFeat' else s
                for s in _base_.val_pipeline]
test_pipeline = val_pipeline
train_dataloader = dict(dataset=dict(dataset=dict(pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
