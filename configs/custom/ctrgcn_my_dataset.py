# CTR-GCN on the dataset declared in ./_base_/my_dataset.py (docs/custom_dataset.md). Nothing to edit
# here: every dataset-specific value is read from the declaration (`_base_.<name>`), so it is
# stated once. Names starting with `__` are helpers that mmengine leaves out of the config.
_base_ = ['./_base_/my_dataset.py', '../_base_/models/ctrgcn.py',
          '../_base_/schedules/cpu_8e.py', '../_base_/default_runtime.py']

splits = dict(dict(train='train', val='val', test='val'), **_base_.get('splits', {}))
preprocess = _base_.get('preprocess', 'ctrgcn')
feats = list(_base_.get('feats', ['j']))
__layout = _base_.layout
# MMAction2's GenSkeFeat knows its own layouts' bones only; the joint stream needs none.
__feat = 'GenSkeFeat' if feats == ['j'] else 'LayoutGenSkeFeat'
if preprocess == 'ctrgcn':
    # CTR-GCN's NW-UCLA feeder, as configs/_base_/datasets/nwucla.py: centre on the layout's
    # norm_center joint, a random view change (training), min-max scaling, clip_len frames
    # resampled in temporal order.
    __centre = [dict(type='LayoutPreNormalize3D', layout=__layout, align_spine=False,
                     align_shoulder=False)]
    train_pipeline = __centre + [
        dict(type='RandomViewTransform3D', max_angle=60, scale_range=(0.5, 1.5)),
        dict(type='MinMaxNormalize3D'),
        dict(type=__feat, dataset=__layout, feats=feats),
        dict(type='ResampleFrames', clip_len=_base_.clip_len)]
    val_pipeline = __centre + [
        dict(type='MinMaxNormalize3D'),
        dict(type=__feat, dataset=__layout, feats=feats),
        dict(type='ResampleFrames', clip_len=_base_.clip_len, test_mode=True)]
elif preprocess == 'pyskl':
    # MMAction2 / PySKL: 3D normalisation (aligned to the layout's axes when it names them),
    # clip_len frames sampled uniformly (randomly in training).
    __axes = bool(__layout.get('norm_zaxis')) and bool(__layout.get('norm_xaxis'))
    __norm = [dict(type='LayoutPreNormalize3D', layout=__layout, align_spine=__axes,
                   align_shoulder=__axes),
              dict(type=__feat, dataset=__layout, feats=feats)]
    train_pipeline = __norm + [dict(type='UniformSampleFrames', clip_len=_base_.clip_len)]
    val_pipeline = __norm + [dict(type='UniformSampleFrames', clip_len=_base_.clip_len,
                                  num_clips=1, test_mode=True)]
else:
    raise ValueError(f"_base_/my_dataset.py: preprocess={preprocess!r}; use 'ctrgcn' or 'pyskl'")
__pack = [dict(type='PoseDecode'), dict(type='FormatGCNInput', num_person=_base_.num_person),
          dict(type='PackActionInputs')]
train_pipeline = train_pipeline + __pack
val_pipeline = val_pipeline + __pack
test_pipeline = val_pipeline

# Class names -> the datasets' metainfo: the metrics (AmbiguousGroupMetric resolves groups by
# name), the checkpoint's dataset_meta, tools/infer.py and the visualiser read them from there.
__metainfo = dict(classes=list(_base_.class_names))
__loader = dict(num_workers=0, persistent_workers=False)  # 2-core friendly; raise on a GPU box
train_dataloader = dict(
    batch_size=16, sampler=dict(type='DefaultSampler', shuffle=True), **__loader,
    dataset=dict(type='RepeatDataset', times=1, dataset=dict(
        type='PoseDataset', ann_file=_base_.ann_file, split=splits['train'],
        metainfo=__metainfo, pipeline=train_pipeline)))
val_dataloader = dict(
    batch_size=16, sampler=dict(type='DefaultSampler', shuffle=False), **__loader,
    dataset=dict(type='PoseDataset', ann_file=_base_.ann_file, split=splits['val'],
                 metainfo=__metainfo, pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=16, sampler=dict(type='DefaultSampler', shuffle=False), **__loader,
    dataset=dict(type='PoseDataset', ann_file=_base_.ann_file, split=splits['test'],
                 metainfo=__metainfo, pipeline=test_pipeline, test_mode=True))

model = dict(
    backbone=dict(graph_cfg=dict(_delete_=True, layout=__layout, mode='spatial'),
                  num_person=_base_.num_person, in_channels=3 * len(feats)),
    cls_head=dict(num_classes=len(_base_.class_names)))
val_evaluator = [dict(type='AccMetric')]
if _base_.get('lookalike_groups'):
    val_evaluator.append(dict(type='AmbiguousGroupMetric', groups=_base_.lookalike_groups))
test_evaluator = val_evaluator
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=1, max_keep_ckpts=2))
