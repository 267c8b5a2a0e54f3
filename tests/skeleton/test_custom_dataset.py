"""Bring your own dataset, end to end: the configs/custom/ declaration on a dataset the test writes
(20 joints in an order no built-in layout has): check, train 2 iterations, test, infer."""
import importlib.util
import json
import os
import os.path as osp
import torch
from mmengine.config import Config

from sfhead_mm.datasets.layout_checks import check_layout_consistency
from tests.conftest import REPO, run
from tests.skeleton.byod_data import BYOD_LAYOUT, CLASSES, write_byod

CUSTOM = osp.join(REPO, 'configs', 'custom')

DECLARATION = """
layout = %(layout)r
ann_file = %(ann_file)r
class_names = %(classes)r
num_person = 1
clip_len = 16
lookalike_groups = {'waves': ['wave left', 'wave right']}
"""


def make_configs(folder, ann_file):
    """What a user does: copy configs/custom/, edit _base_/my_dataset.py (here: rewritten).

    The copies live outside the repository, so their ``../_base_`` paths are made absolute."""
    (folder / '_base_').mkdir(parents=True, exist_ok=True)
    (folder / '_base_' / 'my_dataset.py').write_text(DECLARATION % dict(
        layout=BYOD_LAYOUT, ann_file=ann_file, classes=CLASSES))
    for name in ('ctrgcn_my_dataset.py', 'ctrgcn_sfhead_my_dataset.py'):
        text = open(osp.join(CUSTOM, name)).read().replace(
            "'../_base_/", repr(osp.join(REPO, 'configs', '_base_'))[:-1] + '/')
        (folder / name).write_text(text)
    # Tiny: 2 iterations (12 training clips, batch 6), CTR-GCN at its size.
    (folder / 'tiny.py').write_text(
        "_base_ = './ctrgcn_sfhead_my_dataset.py'\n"
        "train_dataloader = dict(batch_size=6)\n"
        "val_dataloader = dict(batch_size=6)\n"
        "test_dataloader = dict(batch_size=6)\n"
        "train_cfg = dict(max_epochs=1, val_interval=1)\n"
        "randomness = dict(seed=0)\n")
    return str(folder / 'tiny.py')


def test_template_is_the_declaration_plus_derived_configs():
    cfg = Config.fromfile(osp.join(CUSTOM, 'ctrgcn_sfhead_my_dataset.py'))
    decl = Config.fromfile(osp.join(CUSTOM, '_base_', 'my_dataset.py'))
    code = [ln for ln in open(osp.join(CUSTOM, '_base_', 'my_dataset.py'))
            if ln.strip() and not ln.lstrip().startswith('#')]
    assert len(code) <= 12  # "about ten lines plus the layout"
    assert cfg.model.cls_head.num_classes == len(decl.class_names)
    assert cfg.model.backbone.graph_cfg.layout == decl.layout
    for loader in ('train', 'val', 'test'):
        leaf = cfg[f'{loader}_dataloader'].dataset
        leaf = leaf.get('dataset', leaf)
        assert leaf.ann_file == decl.ann_file
        assert leaf.metainfo.classes == decl.class_names
    assert not [k for k in cfg.keys() if k.startswith('_')]
    assert check_layout_consistency(cfg) == []
    pyskl = Config.fromfile(osp.join(CUSTOM, 'ctrgcn_my_dataset.py'))
    assert pyskl.preprocess == 'ctrgcn'


def test_pyskl_style(tmp_path):
    folder = tmp_path / 'cfg'
    make_configs(folder, 'x.pkl')
    with open(folder / '_base_' / 'my_dataset.py', 'a') as f:
        f.write("preprocess = 'pyskl'\nfeats = ['j', 'b']\n")
    cfg = Config.fromfile(str(folder / 'ctrgcn_my_dataset.py'))
    types = [s['type'] for s in cfg.train_pipeline]
    assert 'UniformSampleFrames' in types and 'RandomViewTransform3D' not in types
    assert cfg.model.backbone.in_channels == 6


def _tool(name):
    spec = importlib.util.spec_from_file_location(f'byod_{name}',
                                                  osp.join(REPO, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bring_your_own_dataset_end_to_end(tmp_path, python, capsys):
    """Training runs as a user runs it (its own process); check, test and infer run in this
    process (same code paths, without three more interpreter start-ups)."""
    ann = write_byod(str(tmp_path / 'byod.pkl'), train_per_class=4, val_per_class=2, T=20)
    config = make_configs(tmp_path / 'cfg', ann)
    assert _tool('check_data').main([config]) == 0
    work = str(tmp_path / 'work')
    run([python, 'tools/train.py', config, '--work-dir', work], env={'OMP_NUM_THREADS': '1'})
    ckpt = osp.join(work, 'epoch_1.pth')
    meta = torch.load(ckpt, map_location='cpu', weights_only=False)['meta']
    assert list(meta['dataset_meta']['classes']) == CLASSES  # from the declaration
    metrics_out = str(tmp_path / 'metrics.json')
    _tool('test').main([config, ckpt, '--work-dir', work, '--metrics-out', metrics_out])
    metrics = json.load(open(metrics_out))
    assert 'acc/top1' in metrics
    assert 'ambiguous/waves/acc' in metrics  # the group, given by class names
    # tools/test.py --show-dir: the hook it registers draws predictions with render_skeleton.
    from mmengine.runner import Runner
    from sfhead_mm.apis.visualize import show_predictions_hook
    cfg = Config.fromfile(config)
    cfg.work_dir, cfg.load_from = work, ckpt
    runner = Runner.from_cfg(cfg)
    runner.register_hook(show_predictions_hook(cfg, str(tmp_path / 'show'), max_samples=2))
    runner.test()
    drawn = sorted(os.listdir(tmp_path / 'show'))
    assert len(drawn) == 2 and all(f.endswith('.png') for f in drawn)
    capsys.readouterr()
    assert _tool('infer').main([config, ckpt, ann, '--samples', 'c2_s5', '--topk', '3']) == 0
    pred = capsys.readouterr().out
    assert all(name in pred for name in CLASSES), pred  # names from the declaration
