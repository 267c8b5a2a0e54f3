"""configs/ffn: every config builds; FFN S4 and FFN + SF-Head train on a synthetic COCO-17 set;
FFN on NTU's Kinect 2D keypoints trains and tests on the real samples converted with
``--coords colour``."""
import glob
import json
import os.path as osp
import pickle

import numpy as np
import pytest
from mmengine.config import Config

from mmaction.registry import MODELS
from tests.conftest import REPO, require_data, run

CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'ffn', '*.py')))
# COCO-17 (MMAction2's HRNet order): a standing person, in pixels of a 1920 x 1080 frame.
COCO17 = np.array([[960, 300], [980, 280], [940, 280], [1010, 290], [910, 290], [1040, 400],
                   [880, 400], [1080, 520], [840, 520], [1100, 630], [820, 630], [1010, 640],
                   [910, 640], [1020, 820], [900, 820], [1030, 1000], [890, 1000]],
                  dtype=np.float32)


def write_coco17_synthetic(path, num_classes=4, train_per_class=6, val_per_class=2, frames=40,
                           seed=0):
    """A PoseDataset pickle of 2D COCO-17 clips (MMAction2's ``ntu60_2d.pkl`` layout): class c
    waves one limb joint (wrist/ankle c) at its own frequency; one or two persons, scores."""
    rng = np.random.default_rng(seed)
    annotations, split = [], dict(train=[], val=[])
    limbs = [9, 10, 15, 16]
    for c in range(num_classes):
        for i in range(train_per_class + val_per_class):
            name = f'c{c:02d}_{i:03d}'
            persons = 1 + (i % 2)
            t = np.arange(frames, dtype=np.float32)
            kp = np.repeat(COCO17[None, None], frames, 1).repeat(persons, 0)
            kp = kp + rng.normal(0, 4, kp.shape).astype(np.float32)
            wave = 80 * np.sin(2 * np.pi * (c + 1) * t / frames + rng.uniform(0, 6.3))
            kp[:, :, limbs[c % 4], 1] += wave[None].astype(np.float32)
            kp[1:, :, :, 0] += 300  # a second person stands to the right
            score = rng.uniform(0.6, 1.0, kp.shape[:3]).astype(np.float32)
            annotations.append(dict(frame_dir=name, label=c, img_shape=(1080, 1920),
                                    original_shape=(1080, 1920), total_frames=frames,
                                    keypoint=kp, keypoint_score=score))
            split['train' if i < train_per_class else 'val'].append(name)
    with open(path, 'wb') as f:
        pickle.dump(dict(split=split, annotations=annotations), f)
    return str(path)


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_builds(path):
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    assert type(model.backbone).__name__ == 'FFN'
    if 'cpu' not in osp.basename(path):
        optimizer = cfg.optim_wrapper.optimizer
        assert (optimizer.lr, optimizer.momentum, optimizer.nesterov,
                optimizer.weight_decay) == (0.048, 0.9, True, 5e-4)
        assert cfg.train_dataloader.batch_size == 54
        two_stage = cfg.model.cls_head.get('loss_cls', {}).get('type') == 'TwoStageLoss'
        assert cfg.train_cfg.max_epochs == (110 if two_stage else 80)
        assert ('-s4_' in path) == two_stage
    if '-2d' in path:
        assert model.backbone.num_joints == 17 and model.backbone.in_channels == 3


def test_2d_layer_reads_hrnet_pickles():
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'ffn', 'ffn_ntu120-xset-2d.py'))
    assert cfg.train_dataloader.dataset.dataset.ann_file == 'data/skeleton/ntu120_2d.pkl'
    assert cfg.train_dataloader.dataset.dataset.split == 'xset_train'
    assert cfg.val_dataloader.dataset.split == 'xset_val'
    assert cfg.model.cls_head.num_classes == 120
    steps = [s['type'] for s in cfg.train_dataloader.dataset.dataset.pipeline]
    assert steps[:2] == ['PreNormalize2D', 'GenSkeFeat']


def _tiny_config(tmp_path, base, ann, extra=''):
    text = f"_base_ = {osp.join(REPO, 'configs', 'ffn', base)!r}\n"
    text += f"ann_file = {ann!r}\n"
    for loader, test in (('train', False), ('val', True)):
        text += (f"{loader}_pipeline = [dict(type='PreNormalize2D'), "
                 f"dict(type='GenSkeFeat', dataset='coco', feats=['j']), "
                 f"dict(type='UniformSampleFrames', clip_len=24, num_clips=1, test_mode={test}), "
                 f"dict(type='PoseDecode'), dict(type='FormatGCNInput', num_person=2), "
                 f"dict(type='PackActionInputs')]\n")
    text += """
model = dict(cls_head=dict(num_classes=4))
train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
    dataset=dict(dataset=dict(ann_file=ann_file, pipeline=train_pipeline, split='train')))
val_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
    dataset=dict(ann_file=ann_file, pipeline=val_pipeline, split='val'))
test_dataloader = val_dataloader
val_evaluator = [dict(type='AccMetric')]
test_evaluator = val_evaluator
train_cfg = dict(max_epochs=2, val_interval=2)
param_scheduler = [dict(type='CosineAnnealingLR', eta_min=0, T_max=2, by_epoch=True,
                        convert_to_iter_based=True)]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=2))
"""
    path = tmp_path / 'tiny.py'
    path.write_text(text + extra)
    return str(path)


def test_s4_trains_through_the_loss_switch(python, tmp_path):
    ann = write_coco17_synthetic(tmp_path / 'coco17.pkl')
    # Two epochs of three steps: epoch 1 cross-entropy, epoch 2 the second stage (xi = 1).
    cfg = _tiny_config(tmp_path, 'ffn-s4_ntu60-xsub-2d.py', ann,
                       "model = dict(cls_head=dict(loss_cls=dict(switch_epoch=1)))\n")
    proc = run([python, osp.join(REPO, 'tools', 'train.py'), cfg, '--work-dir',
                str(tmp_path / 'work')])
    log = proc.stdout + proc.stderr
    assert 'Epoch(train) [2][3/3]' in log and 'acc/top1' in log
    assert (tmp_path / 'work' / 'epoch_2.pth').is_file()


def test_ffn_with_sf_head_trains(python, tmp_path):
    ann = write_coco17_synthetic(tmp_path / 'coco17.pkl', train_per_class=4, val_per_class=1)
    cfg = _tiny_config(tmp_path, 'ffn_sfhead_ntu60-xsub-2d.py', ann,
                       'train_cfg = dict(max_epochs=1, val_interval=1)\n')
    proc = run([python, osp.join(REPO, 'tools', 'train.py'), cfg, '--work-dir',
                str(tmp_path / 'work')])
    log = proc.stdout + proc.stderr
    for key in ('loss_cls:', 'loss_con:', 'loss_red:'):
        assert key in log


def test_ntu_kinect2d_trains_and_tests_on_converted_samples(python, tmp_path, shared_data):
    from data_prep import ntu
    src = require_data(shared_data, 'ntu-rgbd-samples')
    ann = str(tmp_path / 'ntu60_2d_kinect.pkl')
    assert ntu.main([src, '--format', 'skeleton', '--coords', 'colour', '--out', ann,
                     '--quiet']) == 0
    config = osp.join(REPO, 'configs', 'ffn', 'ffn_ntu-kinect2d_cpu.py')
    cfg = Config.fromfile(config)
    assert cfg.model.backbone.graph_cfg.layout == 'nturgb+d'
    assert cfg.model.backbone.in_channels == 3  # x, y, score
    assert cfg.train_dataloader.dataset.dataset.pipeline[0]['type'] == 'PreNormalize2D'
    # The six samples: xsub_train holds 4 (2 iterations of batch 2), xsub_val 2.
    options = [f'train_dataloader.dataset.dataset.ann_file={ann}',
               f'val_dataloader.dataset.ann_file={ann}', f'test_dataloader.dataset.ann_file={ann}',
               'train_dataloader.batch_size=2', 'val_dataloader.batch_size=2',
               'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
               'default_hooks.logger.interval=1', 'default_hooks.checkpoint.interval=1']
    work = str(tmp_path / 'work')
    env = {'OMP_NUM_THREADS': '1'}
    proc = run([python, osp.join(REPO, 'tools', 'train.py'), config, '--work-dir', work,
                '--cfg-options', *options], env=env)
    log = proc.stdout + proc.stderr
    assert 'Epoch(train) [1][2/2]' in log and 'acc/top1' in log
    metrics = str(tmp_path / 'metrics.json')
    run([python, osp.join(REPO, 'tools', 'test.py'), config, osp.join(work, 'epoch_1.pth'),
         '--work-dir', work, '--metrics-out', metrics, '--cfg-options', *options[:3]], env=env)
    with open(metrics) as f:
        assert 'acc/top1' in json.load(f)
