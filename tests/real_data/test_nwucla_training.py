"""The real-data path end to end: raw NW-UCLA json -> pickle -> CTR-GCN (+SF-Head) -> metrics.

Skipped when the recorded data is absent (``SFHEAD_DATA``). Trains a couple of iterations of the
NW-UCLA CPU config on the real clips and evaluates, so CI exercises the 20-joint layout through
data_prep, the pipeline (normalisation, view augmentation, resampling), the backbone, SF-Head and
the group metric.
"""
import json
import os.path as osp

import pytest

from tests.conftest import REPO, require_data, run


@pytest.fixture(scope='module')
def nwucla_pickle(shared_data, tmp_path_factory):
    src = require_data(shared_data, 'nw-ucla', 'all_sqe')
    out = tmp_path_factory.mktemp('nwucla') / 'nwucla_3d.pkl'
    import sys
    run([sys.executable, '-m', 'data_prep.nwucla', src, '--out', str(out), '--quiet'])
    return str(out)


@pytest.mark.slow
def test_train_and_evaluate_on_real_nwucla(python, tmp_path, nwucla_pickle):
    config = osp.join(REPO, 'configs', 'ctrgcn', 'ctrgcn_sfhead_nwucla_cpu.py')
    options = [f'train_dataloader.dataset.dataset.ann_file={nwucla_pickle}',
               f'val_dataloader.dataset.ann_file={nwucla_pickle}',
               f'test_dataloader.dataset.ann_file={nwucla_pickle}',
               # a few iterations: 32 training clips (2 steps of 16), 32 test clips
               'train_dataloader.dataset.dataset.indices=32',
               'val_dataloader.dataset.indices=32', 'test_dataloader.dataset.indices=32',
               'train_cfg.max_epochs=1', 'train_cfg.val_interval=1']
    proc = run([python, osp.join(REPO, 'tools', 'train.py'), config, '--work-dir',
                str(tmp_path), '--cfg-options', *options])
    log = proc.stdout + proc.stderr
    for key in ('loss_cls:', 'loss_con:', 'loss_red:', 'acc/top1:', 'ambiguous/group_mean:'):
        assert key in log, key
    metrics = tmp_path / 'metrics.json'
    run([python, osp.join(REPO, 'tools', 'test.py'), config, str(tmp_path / 'epoch_1.pth'),
         '--work-dir', str(tmp_path / 'test'), '--metrics-out', str(metrics),
         '--cfg-options', *options])
    result = json.loads(metrics.read_text())
    assert 0.0 <= result['acc/top1'] <= 1.0
    assert 'ambiguous/pick_up_one_two_hands/acc' in result
