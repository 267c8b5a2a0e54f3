"""configs/mdrgcn/** and configs/*_cvsta_*.py: they build, carry the paper's recipes, and train."""
import glob
import importlib.util
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmaction.registry import MODELS
from sfhead_mm.skeleton import get_layout
from tests.conftest import REPO

MDR_CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'mdrgcn', 'mdrgcn_*.py')))
CVSTA_CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', '*_cvsta_*.py')))

# (batch, max_epochs, milestones, weight decay) of the paper / the authors' configs
RECIPES = {'ntu60': (64, 65, [35, 55], 4e-4), 'finegym99': (64, 180, [60, 120], 1e-4),
           'fsd10': (48, 300, [150, 225], 5e-4)}


def load(path):
    return Config.fromfile(path)


def num_params(model):
    return sum(p.numel() for p in model.parameters())


def test_every_dataset_has_configs_with_and_without_rdl():
    names = {osp.basename(p) for p in MDR_CONFIGS}
    for data in ('ntu60-xsub', 'ntu60-xview', 'finegym99', 'fsd10'):
        assert f'mdrgcn_{data}.py' in names and f'mdrgcn_rdl_{data}.py' in names


@pytest.mark.parametrize('path', MDR_CONFIGS, ids=osp.basename)
def test_mdrgcn_configs_build_with_the_papers_recipe(path):
    cfg = load(path)
    data = next(k for k in RECIPES if k in osp.basename(path))
    batch, epochs, milestones, wd = RECIPES[data]
    assert cfg.train_dataloader.batch_size == batch
    assert cfg.train_cfg.max_epochs == epochs
    steps = [s for s in cfg.param_scheduler if s['type'] == 'MultiStepLR']
    assert steps[0]['milestones'] == milestones and steps[0]['gamma'] == 0.1
    opt = cfg.optim_wrapper.optimizer
    assert (opt.lr, opt.momentum, opt.nesterov, opt.weight_decay) == (0.1, 0.9, True, wd)
    model = MODELS.build(cfg.model)
    assert type(model.backbone).__name__ == 'MDRGCN'
    if '_rdl_' in path:
        assert [type(p).__name__ for p in model.plugins] == ['RDLPlugin']


def test_sf_head_by_override():
    cfg = load(osp.join(REPO, 'configs', 'mdrgcn', 'mdrgcn_rdl_fsd10.py'))
    cfg.merge_from_dict({'model.type': 'SFRecognizerGCN'})
    model = MODELS.build(cfg.model)
    assert sorted(type(p).__name__ for p in model.plugins) == ['RDLPlugin', 'SFHeadPlugin']
    assert len(model.plugins[0].heads) == 10


@pytest.mark.parametrize('path', CVSTA_CONFIGS, ids=osp.basename)
def test_cvsta_configs_add_only_the_attention(path):
    cfg = load(path)
    model = MODELS.build(cfg.model)
    cvsta = [p for p in model.plugins if type(p).__name__ == 'CVSTAPlugin']
    assert len(cvsta) == 1 and len(cvsta[0].attn) == 10
    cfg.model.plugins = []
    bare = MODELS.build(cfg.model)
    assert num_params(model) - num_params(bare) == num_params(cvsta[0])
    if 'stgcn_cvsta_fsd10' in path:  # the hard-coded graph is the layout's
        layout = cfg.model.backbone.graph_cfg.layout
        expected = get_layout('openpose25').graph_dict()
        assert layout['num_node'] == expected['num_node']
        assert layout['center'] == expected['center']
        assert [tuple(e) for e in layout['inward']] == [tuple(e) for e in expected['inward']]


def _train_steps(cfg, ann_file, splits=('train', 'val'), steps=2, batch=4):
    """A few optimizer steps with the config's own pipeline, data and optimizer (no runner)."""
    from mmengine.runner import Runner
    from mmengine.optim import build_optim_wrapper
    loader_cfg = cfg.train_dataloader.copy()
    loader_cfg.update(batch_size=batch, num_workers=0, persistent_workers=False)
    loader_cfg.dataset.dataset.update(ann_file=ann_file, split=splits[0])
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    model.train()
    logs = []
    for i, data in enumerate(loader):
        if i == steps:
            break
        logs.append(model.train_step(data, optim))
    return model, logs


def test_ntu_rdl_config_trains_on_synthetic_data(synthetic_small):
    cfg = load(osp.join(REPO, 'configs', 'mdrgcn', 'mdrgcn_rdl_ntu60-xsub.py'))
    cfg.model.cls_head.update(num_classes=8, in_channels=64)  # the synthetic set's classes
    cfg.model.backbone.update(base_channels=16)  # small: the test checks wiring, not accuracy
    _, logs = _train_steps(cfg, synthetic_small)
    assert {'loss_cls', 'loss_rdl'} <= set(logs[0])
    assert all(np.isfinite(float(v)) for log in logs for v in log.values())


def test_fsd10_config_trains_on_a_converted_crafted_file(tmp_path):
    from data_prep import fsd10
    rng = np.random.default_rng(0)
    data = np.zeros((4, 3, 1500, 25, 1), np.float32)
    for i, n in enumerate((300, 900, 200, 1500)):
        data[i, :2, :n] = rng.normal(500, 50, (2, n, 25, 1))
        data[i, 2, :n] = 0.8
    np.save(tmp_path / 'd.npy', data)
    import pickle
    with open(tmp_path / 'l.pkl', 'wb') as f:
        pickle.dump(([f's{i}' for i in range(4)], [0, 3, 9, 5]), f)
    out = str(tmp_path / 'fsd10_2d.pkl')
    fsd10.convert({'train': (str(tmp_path / 'd.npy'), str(tmp_path / 'l.pkl'))}, out)
    # the converted file validates against the FSD-10 config (layout, channels, classes)
    spec = importlib.util.spec_from_file_location(
        'check_data', osp.join(REPO, 'tools', 'check_data.py'))
    check_data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check_data)
    assert check_data.main([osp.join(REPO, 'configs', 'mdrgcn', 'mdrgcn_fsd10.py'),
                            '--loaders', 'train', '--cfg-options',
                            f'train_dataloader.dataset.dataset.ann_file={out}']) == 0
    cfg = load(osp.join(REPO, 'configs', 'ctrgcn_cvsta_fsd10.py'))
    cfg.model.backbone.update(base_channels=16)  # small: the test checks wiring, not accuracy
    cfg.model.cls_head.in_channels = 64
    cfg.model.plugins.append(dict(type='RDLPlugin'))
    _, logs = _train_steps(cfg, out, steps=1, batch=2)
    assert {'loss_cls', 'loss_rdl'} <= set(logs[0])
    cfg = load(osp.join(REPO, 'configs', 'mdrgcn', 'mdrgcn_fsd10.py'))
    cfg.model.backbone.update(base_channels=16)
    cfg.model.cls_head.in_channels = 64
    _, logs = _train_steps(cfg, out, steps=1, batch=2)
    assert np.isfinite(float(logs[0]['loss_cls']))


def test_fsd10_lookalike_groups_resolve_by_class_name():
    from sfhead_mm.evaluation.group_spec import MissingClassNames, resolve_groups
    names = ['ChComboSpin4', '2Axel', 'ChoreoSequence1', '3Loop', 'StepSequence3', '3Flip',
             'FlyCamelSpin4', '3Axel', '3Lutz', '3Lutz_3Toeloop']  # one possible label order
    gs = resolve_groups('fsd10_lookalike', names)
    assert {g.name: g.classes for g in gs.groups}['axel_jumps'] == (1, 7)
    # every class in a group, 3Lutz (8) in two
    assert sorted(c for g in gs.groups for c in g.classes) == sorted(list(range(10)) + [8])
    with pytest.raises(MissingClassNames):
        resolve_groups('fsd10')
