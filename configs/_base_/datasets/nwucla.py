# NW-UCLA (Kinect v1, 20 joints `nw-ucla`, one person, 10 classes), cross-view, joint stream.
# What this layer settles: the skeleton layout in the pipeline, one person, the paper's batch of 16.
# The config adds the model side: graph_cfg layout 'nw-ucla', num_person=1, num_classes=10.
# The NW-UCLA pipeline proper (its normalisation and frame sampling) belongs to the NW-UCLA data
# preparation and replaces these pipelines when it lands.
_base_ = './ntu120_xsub_3d.py'
ann_file = 'data/skeleton/nwucla_3d.pkl'


def _nwucla(step):
    # Same steps as NTU's, read with the 20-joint layout and one person.
    if step.type == 'GenSkeFeat':
        return dict(step, dataset='nw-ucla')
    if step.type == 'FormatGCNInput':
        return dict(step, num_person=1)
    return step


train_pipeline = [_nwucla(t) for t in _base_.train_pipeline]
val_pipeline = [_nwucla(t) for t in _base_.val_pipeline]
test_pipeline = [_nwucla(t) for t in _base_.test_pipeline]
train_dataloader = dict(
    batch_size=16,
    dataset=dict(dataset=dict(ann_file=ann_file, pipeline=train_pipeline, split='train')))
val_dataloader = dict(dataset=dict(ann_file=ann_file, pipeline=val_pipeline, split='val'))
test_dataloader = dict(dataset=dict(ann_file=ann_file, pipeline=test_pipeline, split='val'))
