"""Tiny trained (or freshly initialised) models shared by the inference, deploy and data tests.

Each model is built once per test session (module-level cache) in a temporary folder of the
session, so the test files that use them pay for one training in all.
"""
import itertools
import os.path as osp

import torch

from tests.conftest import REPO, TEST_CONFIGS

TINY = osp.join(TEST_CONFIGS, 'tiny_stgcn_synthetic.py')
TINY_SF = osp.join(TEST_CONFIGS, 'tiny_stgcn_sfhead_synthetic.py')
_CACHE = {}
_COUNTER = itertools.count()


def small_synthetic(tmp_path_factory) -> str:
    """8 classes x (4 train + 2 val) synthetic NTU-25 clips (48 samples)."""
    if 'synthetic' not in _CACHE:
        from sfhead_mm.datasets import synthetic
        path = tmp_path_factory.mktemp('apis_data') / 'synthetic_tiny.pkl'
        _CACHE['synthetic'] = synthetic.write(str(path), train_per_class=4, val_per_class=2,
                                              seed=1)
    return _CACHE['synthetic']


def point_loaders(cfg, ann_file: str) -> None:
    cfg.train_dataloader.dataset.dataset.ann_file = ann_file
    cfg.val_dataloader.dataset.ann_file = ann_file
    cfg.test_dataloader.dataset.ann_file = ann_file


def trained_sfhead(tmp_path_factory, mode: str = 'auxiliary'):
    """Tiny ST-GCN + SF-Head (``mode``) trained one epoch on :func:`small_synthetic`.

    Returns:
        tuple[str, str]: The config the runner wrote into its work dir, and ``epoch_1.pth``.
    """
    key = ('trained', mode)
    if key not in _CACHE:
        from mmengine.runner import Runner

        from sfhead_mm.engine import runner_setup
        ann = small_synthetic(tmp_path_factory)
        work_dir = tmp_path_factory.mktemp(f'sfhead_{mode}')
        cfg = runner_setup.load_config(TINY_SF)
        point_loaders(cfg, ann)
        cfg.model.sf_head.mode = mode
        cfg.work_dir = str(work_dir)
        cfg.experiment_name = f'tiny_{mode}_{next(_COUNTER)}'
        cfg.train_cfg.max_epochs = 1
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
        cfg.log_level = 'WARNING'
        Runner.from_cfg(cfg).train()
        _CACHE[key] = (str(work_dir / 'tiny_stgcn_sfhead_synthetic.py'),
                       str(work_dir / 'epoch_1.pth'))
    return _CACHE[key]


def write_config(path, text: str) -> str:
    """Write a config file (``{REPO}`` and ``{TEST_CONFIGS}`` are filled in)."""
    path = str(path)
    with open(path, 'w') as f:
        f.write(text.replace('{REPO}', REPO).replace('{TEST_CONFIGS}', TEST_CONFIGS))
    return path


def initialised_checkpoint(config: str, out: str, seed: int = 0) -> str:
    """A checkpoint of the freshly built model of ``config`` (no training)."""
    from mmaction.registry import MODELS

    from sfhead_mm.engine import runner_setup
    cfg = runner_setup.load_config(config)
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    torch.save(dict(meta=dict(), state_dict=model.state_dict()), out)
    return out


#: A tiny ST-GCN on NW-UCLA's 20 Kinect-v1 joints (3D, one person).
from sfhead_mm.skeleton import get_layout  # noqa: E402

NWUCLA_CONFIG = """
_base_ = '{TEST_CONFIGS}/tiny_stgcn_synthetic.py'
# stock Graph takes a layout dict for non-native layouts (get_layout('nw-ucla').graph_dict())
model = dict(backbone=dict(graph_cfg=dict(_delete_=True, layout=%r, mode='stgcn_spatial')),
             cls_head=dict(num_classes=10))
test_pipeline = [
    dict(type='LayoutPreNormalize3D', layout='nw-ucla'),
    dict(type='LayoutGenSkeFeat', dataset='nw-ucla', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=32, num_clips=1, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
""" % (get_layout('nw-ucla').graph_dict(), )

#: A tiny ST-GCN on COCO-17 2D keypoints with scores (in_channels 3), as MMAction2's 2D configs.
COCO_CONFIG = """
_base_ = '{TEST_CONFIGS}/tiny_stgcn_synthetic.py'
model = dict(backbone=dict(graph_cfg=dict(layout='coco', mode='stgcn_spatial')),
             cls_head=dict(num_classes=101))
test_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', dataset='coco', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=32, num_clips=2, test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs')
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
"""


def layout_model(tmp_path_factory, which: str):
    """``(config, checkpoint)`` of an untrained tiny model for ``'nwucla'`` or ``'coco'``."""
    key = ('layout', which)
    if key not in _CACHE:
        folder = tmp_path_factory.mktemp(f'model_{which}')
        text = dict(nwucla=NWUCLA_CONFIG, coco=COCO_CONFIG)[which]
        config = write_config(folder / f'tiny_{which}.py', text)
        _CACHE[key] = (config, initialised_checkpoint(config, str(folder / 'init.pth')))
    return _CACHE[key]
