"""Every config of the package loads and builds; the layer scheme and its variants hold."""
import functools
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmaction.registry import MODELS, TRANSFORMS
from tests.conftest import REPO

CONFIGS = osp.join(REPO, 'configs')
BASE = osp.join(CONFIGS, '_base_')
ALL_CONFIGS = sorted(osp.relpath(p, CONFIGS)
                     for p in glob.glob(osp.join(CONFIGS, '**', '*.py'), recursive=True)
                     if '_base_' not in osp.relpath(p, CONFIGS).split(osp.sep))

SCHEDULE_KEYS = {'train_cfg', 'val_cfg', 'test_cfg', 'optim_wrapper', 'param_scheduler',
                 'auto_scale_lr'}
MODEL_KEYS = {'model'}
DATA_KEYS = {'train_dataloader', 'val_dataloader', 'test_dataloader', 'val_evaluator',
             'test_evaluator'}


@functools.lru_cache(maxsize=None)
def load(path: str) -> Config:
    """A config, read once per session (tests only read it)."""
    return Config.fromfile(osp.join(CONFIGS, path))


_BUILT = {}


def built_params(model_cfg) -> int:
    """Parameters of a model config, built once per distinct dict (the variants that change
    only the data or the schedule share their model)."""
    key = repr(model_cfg.to_dict())
    if key not in _BUILT:
        model = MODELS.build(model_cfg)
        _BUILT[key] = sum(p.numel() for p in model.parameters())
    return _BUILT[key]


def loaders(cfg):
    yield 'train_dataloader', cfg.train_dataloader.dataset.dataset
    yield 'val_dataloader', cfg.val_dataloader.dataset
    yield 'test_dataloader', cfg.test_dataloader.dataset


def without_scope(value):
    """A config value without the `_scope_` keys mmengine adds to `mmaction::` bases."""
    if isinstance(value, dict):
        return {k: without_scope(v) for k, v in value.items() if k != '_scope_'}
    if isinstance(value, (list, tuple)):
        return [without_scope(v) for v in value]
    return value


def keys_of(layer_file: str) -> set:
    # Layer files may define helper variables (feats, ann_file, ...); those are data keys too.
    return set(Config.fromfile(layer_file).keys())


@pytest.mark.parametrize('path', ALL_CONFIGS)
def test_config_loads_and_builds(path):
    cfg = load(path)
    assert built_params(cfg.model) > 0
    for name, dataset in loaders(cfg):
        for step in dataset.pipeline:  # every transform builds (names, layouts, arguments)
            TRANSFORMS.build(dict(step))


def test_layers_own_disjoint_keys():
    """What lets a model, a data layer, a schedule and the runtime share one `_base_` list."""
    runtime = keys_of(osp.join(BASE, 'default_runtime.py'))
    for path in glob.glob(osp.join(BASE, 'models', '*.py')):
        assert keys_of(path) == MODEL_KEYS, path
    for path in glob.glob(osp.join(BASE, 'schedules', '*.py')):
        assert keys_of(path) <= SCHEDULE_KEYS, path
    for path in glob.glob(osp.join(BASE, 'datasets', '*.py')):
        keys = keys_of(path)
        assert DATA_KEYS <= keys, path
        assert not keys & (MODEL_KEYS | SCHEDULE_KEYS | runtime), path
    assert not runtime & (MODEL_KEYS | SCHEDULE_KEYS | DATA_KEYS)


def test_paper_recipe():
    cfg = load('ctrgcn_ntu120.py')
    optim = cfg.optim_wrapper.optimizer
    assert (optim.type, optim.lr, optim.momentum, optim.weight_decay) == ('SGD', 0.1, 0.9, 4e-4)
    assert cfg.train_cfg.max_epochs == 90
    warmup, cosine = cfg.param_scheduler
    assert (warmup.type, warmup.begin, warmup.end) == ('LinearLR', 0, 5)
    assert (cosine.type, cosine.begin, cosine.end, cosine.T_max, cosine.eta_min) == \
        ('CosineAnnealingLR', 5, 90, 85, 1e-4)
    assert cfg.train_dataloader.batch_size == 64
    assert cfg.train_dataloader.dataset.times == 1
    assert load('ctrgcn/ctrgcn_nwucla.py').train_dataloader.batch_size == 16


@pytest.mark.parametrize('path,ann_file,split,num_classes', [
    ('ctrgcn_ntu120.py', 'ntu120_3d.pkl', 'xsub', 120),
    ('ctrgcn/ctrgcn_ntu120-xset.py', 'ntu120_3d.pkl', 'xset', 120),
    ('ctrgcn/ctrgcn_ntu60-xsub.py', 'ntu60_3d.pkl', 'xsub', 60),
    ('ctrgcn/ctrgcn_ntu60-xview.py', 'ntu60_3d.pkl', 'xview', 60),
    ('infogcn/infogcn_ntu120-xset.py', 'ntu120_3d.pkl', 'xset', 120),
    ('stgcn/stgcn_ntu120-xset.py', 'ntu120_3d.pkl', 'xset', 120),
    ('2s-agcn/2s-agcn_ntu120-xset.py', 'ntu120_3d.pkl', 'xset', 120),
])
def test_dataset_and_split_variants(path, ann_file, split, num_classes):
    cfg = load(path)
    assert cfg.model.cls_head.num_classes == num_classes
    for name, dataset in loaders(cfg):
        assert osp.basename(dataset.ann_file) == ann_file, name
        suffix = 'train' if name == 'train_dataloader' else 'val'
        assert dataset.split == f'{split}_{suffix}', name


@pytest.mark.parametrize('stream,feats', [('bone', 'b'), ('joint-motion', 'jm'),
                                          ('bone-motion', 'bm')])
def test_stream_variants_change_only_the_stream(stream, feats):
    joint, variant = load('ctrgcn_ntu120.py'), load(f'ctrgcn/ctrgcn_ntu120-xsub-{stream}.py')
    assert variant.model == joint.model
    for (name, a), (_, b) in zip(loaders(joint), loaders(variant)):
        assert len(a.pipeline) == len(b.pipeline)
        for step_a, step_b in zip(a.pipeline, b.pipeline):
            if step_a.type == 'GenSkeFeat':
                assert (step_a.feats, step_b.feats) == (['j'], [feats]), name
                step_b = dict(step_b, feats=step_a.feats)
            assert dict(step_a) == dict(step_b), name
        assert {k: v for k, v in a.items() if k != 'pipeline'} == \
            {k: v for k, v in b.items() if k != 'pipeline'}


def test_nw_ucla_variant_uses_the_20_joint_layout_and_one_person():
    cfg = load('ctrgcn/ctrgcn_nwucla.py')
    assert cfg.model.backbone.graph_cfg.layout == 'nw-ucla'
    assert cfg.model.backbone.num_person == 1
    assert cfg.model.cls_head.num_classes == 10
    for name, dataset in loaders(cfg):
        steps = {s.type: s for s in dataset.pipeline}
        assert steps['LayoutGenSkeFeat'].dataset == 'nw-ucla', name
        assert steps['FormatGCNInput'].num_person == 1, name


@pytest.mark.parametrize('path', ['stgcn/stgcn_nwucla.py', '2s-agcn/2s-agcn_nwucla.py'])
def test_stock_backbones_get_the_nwucla_graph_as_the_dict_graph_accepts(path):
    from sfhead_mm.skeleton import get_layout
    layout = load(path).model.backbone.graph_cfg.layout
    expected = get_layout('nw-ucla').graph_dict()
    assert layout['num_node'] == expected['num_node'] and layout['center'] == expected['center']
    assert [tuple(e) for e in layout['inward']] == [tuple(e) for e in expected['inward']]


@pytest.mark.parametrize('layer,stock', [('stgcn', 'stgcn_ntu120.py'),
                                         ('2s-agcn', '2s-agcn_ntu120.py')])
def test_stock_model_layers_equal_the_stock_configs(layer, stock):
    layer_model = Config.fromfile(osp.join(BASE, 'models', f'{layer}.py')).model
    assert without_scope(layer_model.to_dict()) == without_scope(load(stock).model.to_dict())


@pytest.mark.parametrize('path', sorted(p for p in ALL_CONFIGS if '_sfhead_' in p))
def test_sfhead_configs_differ_from_their_baseline_only_by_the_recognizer(path):
    sf, base = load(path), load(path.replace('_sfhead', ''))
    assert sf.model.type == 'SFRecognizerGCN'
    assert {k: v for k, v in sf.model.items() if k not in ('type', 'sf_head')} == \
        {k: v for k, v in base.model.items() if k != 'type'}
    # (custom_imports: a stock baseline does not import this package; its SF-Head config must)
    assert {k: v for k, v in sf.items() if k not in ('model', 'custom_imports')} == \
        {k: v for k, v in base.items() if k not in ('model', 'custom_imports')}


def test_2s_agcn_paper_variant_has_the_papers_parameter_count():
    """The SF-Head (and FR-Head) tables print 3.80M for 2s-AGCN: AAGCN with its attention."""
    model = MODELS.build(load('2s-agcn/2s-agcn_ntu120_paper.py').model)
    assert abs(sum(p.numel() for p in model.parameters()) - 3.80e6) / 3.80e6 < 0.02


@pytest.mark.parametrize('path', sorted(
    p for p in ALL_CONFIGS if load(p).get('optim_wrapper', {}).get('type') == 'CPUAmpOptimWrapper'))
def test_bf16_configs_score_in_float32(path):
    """Under bfloat16 autocast MMAction2's RecognizerGCN hands bf16 scores to numpy's top-k
    accuracy, which raises; a config that selects the CPU AMP wrapper must use a recognizer that
    scores in float32 (PluginRecognizerGCN and its subclasses)."""
    from sfhead_mm.models.recognizers import PluginRecognizerGCN
    assert issubclass(MODELS.get(load(path).model.type), PluginRecognizerGCN)


def test_cpu_2h_schedule_is_one_warmup_and_one_cosine_over_the_repeated_set():
    cfg = load('ctrgcn/ctrgcn_nwucla_cpu2h.py')
    warmup, cosine = cfg.param_scheduler
    assert warmup.end == cosine.begin and cosine.begin + cosine.T_max == cosine.end
    assert cosine.end == cfg.train_cfg.max_epochs == 30
    assert cfg.train_dataloader.dataset.times == 5  # the authors' NW-UCLA feeder repeats 5x
    assert cfg.model.backbone.batched_subsets is True
    assert cfg.model.backbone.batched_tcn is True
    # runs span working sessions: a sitting that ends mid-run loses at most an epoch
    assert cfg.default_hooks.checkpoint.interval == 1
    # the bone stream differs from the joint stream by the skeleton feature only
    bone = load('ctrgcn/ctrgcn_nwucla-bone_cpu2h.py')
    assert bone.model == cfg.model
    for (_, a), (_, b) in zip(loaders(cfg), loaders(bone)):
        for step_a, step_b in zip(a.pipeline, b.pipeline):
            if step_a.type == 'LayoutGenSkeFeat':
                assert (step_a.feats, step_b.feats) == (['j'], ['b'])
            else:
                assert dict(step_a) == dict(step_b)


def test_cpu_2h_compiled_is_the_2h_config_with_its_forward_compiled():
    eager, compiled = load('ctrgcn/ctrgcn_nwucla_cpu2h.py'), load(
        'ctrgcn/ctrgcn_nwucla_cpu2h_compiled.py')
    assert compiled.compile_forward is True and 'compile_forward' not in eager
    assert {k: v for k, v in compiled.to_dict().items() if k != 'compile_forward'} == \
        eager.to_dict()


def test_authors_65e_schedule_gives_their_lr_every_epoch():
    """schedules/ctrgcn_nwucla_65e.py against CTR-GCN's main.py adjust_learning_rate with
    config/ucla/default.yaml (base_lr 0.1, warm_up_epoch 5, step [50], lr_decay_rate 0.1)."""
    import torch
    from mmengine.registry import PARAM_SCHEDULERS
    cfg = load('ctrgcn/ctrgcn_sfhead_nwucla_65e.py')
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], **{k: v for k, v in cfg.optim_wrapper.optimizer.items()
                                      if k != 'type'})
    schedulers = [PARAM_SCHEDULERS.build(dict(c, optimizer=opt)) for c in cfg.param_scheduler]
    for epoch in range(cfg.train_cfg.max_epochs):
        theirs = 0.1 * (epoch + 1) / 5 if epoch < 5 else 0.1 * 0.1 ** int(epoch >= 50)
        assert opt.param_groups[0]['lr'] == pytest.approx(theirs, rel=1e-9), epoch
        for s in schedulers:
            s.step()
    assert cfg.train_cfg.max_epochs == 65
    assert cfg.optim_wrapper.optimizer.weight_decay == 1e-4 and cfg.optim_wrapper.optimizer.nesterov
    # their training loader: the set repeated 5 times, batch 16, drop_last
    loader = cfg.train_dataloader
    assert (loader.dataset.times, loader.batch_size, loader.drop_last) == (5, 16, True)
    assert cfg.model.type == 'SFRecognizerGCN'
    assert load('ctrgcn/ctrgcn_nwucla_65e.py').model.backbone == cfg.model.backbone
