"""One input spec per config, and one walker of dataset wrappers."""
import pytest
from mmengine.config import Config

from sfhead_mm.datasets.input_spec import InputSpec, input_spec_of
from sfhead_mm.skeleton.config import (config_test_pipeline, dataset_pipelines,
                                       leaf_dataset_items, leaf_datasets, loader_dataset_items)
from tests.apis.helpers import NWUCLA_CONFIG, TINY, TINY_SF, write_config


def test_spec_of_the_tiny_config():
    spec = input_spec_of(Config.fromfile(TINY_SF))
    assert isinstance(spec, InputSpec)
    assert spec.layout.name == 'nturgb+d' and spec.num_joints == 25
    assert spec.layout_key == 'model.backbone.graph_cfg.layout'
    assert (spec.in_channels, spec.streams, spec.channels) == (3, ('j', ), 3)
    assert spec.num_classes == 8
    assert spec.num_person == 2 and spec.clip_len == 32 and spec.num_clips == 1
    assert spec.input_shape() == (1, 2, 32, 25, 3)
    assert [t['type'] for t in spec.test_pipeline][-1] == 'PackActionInputs'
    rules = spec.sample_rules()
    assert (rules.num_joints, rules.in_channels, rules.num_classes) == (25, 3, 8)
    assert "the layout 'nturgb+d' (model.backbone.graph_cfg.layout)" == rules.joints_source
    assert len(spec.build_test_pipeline().transforms) == len(spec.test_pipeline)


def test_spec_of_another_layout(tmp_path):
    cfg = Config.fromfile(write_config(tmp_path / 'nw.py', NWUCLA_CONFIG))
    spec = input_spec_of(cfg)
    assert (spec.layout.name, spec.num_person, spec.num_classes) == ('nw-ucla', 1, 10)
    # Streams come from the loader's pipeline: two streams double the channels per sample.
    rules = spec.sample_rules([dict(type='GenSkeFeat', feats=['j', 'b'])])
    assert rules.streams == ('j', 'b') and rules.channels_of(3, False) == 6


def test_class_names_from_the_config(tmp_path):
    cfg = Config.fromfile(TINY)
    assert input_spec_of(cfg).class_names() is None
    cfg.class_names = ['a', 'b']
    spec = input_spec_of(cfg)
    assert spec.class_names() == ['a', 'b'] and spec.class_names_key == 'class_names'
    names = tmp_path / 'names.txt'
    names.write_text('x\ny\n\n')
    cfg = Config.fromfile(TINY)
    cfg.label_map = str(names)
    assert input_spec_of(cfg).class_names() == ['x', 'y']
    cfg.label_map = str(tmp_path / 'missing.txt')
    spec = input_spec_of(cfg)  # nothing read until asked
    with pytest.raises(FileNotFoundError, match='missing.txt'):
        spec.class_names()


def test_unknown_layout_names_the_key():
    cfg = Config.fromfile(TINY)
    cfg.model.backbone.graph_cfg.layout = 'no-such-layout'
    with pytest.raises(KeyError, match='model.backbone.graph_cfg.layout'):
        input_spec_of(cfg)


WRAPPED = dict(
    type='ConcatDataset',
    datasets=[
        dict(type='RepeatDataset', times=2,
             dataset=dict(type='PoseDataset', ann_file='a.pkl', pipeline=[dict(type='A')])),
        dict(type='PoseDataset', ann_file='b.pkl', pipeline=[dict(type='B')]),
    ])


def test_walker_on_configs():
    items = leaf_dataset_items(WRAPPED, 'train_dataloader.dataset')
    assert [(k, d['ann_file']) for k, d in items] == [
        ('train_dataloader.dataset.datasets.1', 'b.pkl'),
        ('train_dataloader.dataset.datasets.0.dataset', 'a.pkl')]
    assert [p[0]['type'] for p in dataset_pipelines(WRAPPED)] == ['B', 'A']
    assert leaf_datasets(None) == [] and leaf_datasets(dict(ann_file='c.pkl')) == [
        dict(ann_file='c.pkl')]
    cfg = dict(train_dataloader=dict(dataset=WRAPPED),
               test_dataloader=dict(dataset=dict(ann_file='t.pkl', pipeline=[dict(type='T')])))
    assert [(n, k) for n, k, _ in loader_dataset_items(cfg)] == [
        ('train', 'train_dataloader.dataset.datasets.1'),
        ('train', 'train_dataloader.dataset.datasets.0.dataset'),
        ('test', 'test_dataloader.dataset')]
    assert config_test_pipeline(cfg) == [dict(type='T')]


def test_walker_on_built_datasets():
    class Leaf:
        def __init__(self, name):
            self.name = name

    class Repeat:
        def __init__(self, dataset):
            self.dataset = dataset

    class Concat:
        def __init__(self, *datasets):
            self.datasets = list(datasets)

    built = Concat(Repeat(Leaf('a')), Leaf('b'))
    assert [leaf.name for leaf in leaf_datasets(built)] == ['b', 'a']


def test_keep_sample_ids_looks_through_wrappers():
    from sfhead_mm.engine.runner_setup import keep_sample_ids
    cfg = Config(dict(test_dataloader=dict(dataset=dict(
        type='RepeatDataset', times=1,
        dataset=dict(type='PoseDataset', pipeline=[dict(type='PackActionInputs')])))))
    keep_sample_ids(cfg)
    step = cfg.test_dataloader.dataset.dataset.pipeline[0]
    assert 'frame_dir' in step['meta_keys']
