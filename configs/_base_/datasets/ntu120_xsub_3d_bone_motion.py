# NTU RGB+D 120 X-Sub, 3D, bone-motion stream: the joint data layer with GenSkeFeat(feats=['bm']).
# The same lines over any other data layer give its bone-motion stream (set `_base_` to it).
_base_ = './ntu120_xsub_3d.py'
feats = ['bm']


def _stream(pipeline):
    # The parent's pipeline with only the stream switched.
    return [dict(step, feats=feats) if step.type == 'GenSkeFeat' else step for step in pipeline]


train_pipeline = _stream(_base_.train_pipeline)
val_pipeline = _stream(_base_.val_pipeline)
test_pipeline = _stream(_base_.test_pipeline)
train_dataloader = dict(dataset=dict(dataset=dict(pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
