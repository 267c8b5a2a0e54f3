"""MMAction2's own installed train/test scripts on our configs behave like ours: the hooks are
declared in the configs (exact resume, data check, safe checkpoint loading), not added by tools."""
import os.path as osp
import pickle
import shutil

import mmaction
import numpy as np
import pytest
import torch

from tests.conftest import REPO, TEST_CONFIGS, data_options, run

TINY_SF = osp.join(TEST_CONFIGS, 'tiny_stgcn_sfhead_synthetic.py')
STOCK_TOOLS = osp.join(osp.dirname(mmaction.__file__), '.mim', 'tools')


def _stock(python, script, *args):
    path = osp.join(STOCK_TOOLS, script)
    if not osp.isfile(path):
        pytest.skip(f'{path} is not in this mmaction install')
    # The script's folder is sys.path[0]: point Python at this checkout, not an installed copy.
    return run([python, path, *args], env={'PYTHONPATH': REPO})


def _weights(path):
    from sfhead_mm.utils.checkpoint import load_checkpoint_file
    return load_checkpoint_file(str(path))['state_dict']


def test_stock_train_script_resumes_exactly_and_checks_data(python, tmp_path, synthetic_small):
    work = tmp_path / 'run'
    few = ['train_dataloader.dataset.dataset.indices=48', 'val_dataloader.dataset.indices=16',
           'test_dataloader.dataset.indices=16']  # BaseDataset's first-N subset: a short run
    opts = ['--cfg-options', *data_options(synthetic_small), *few, 'train_cfg.max_epochs=2',
            'train_cfg.val_interval=10']
    proc = _stock(python, 'train.py', TINY_SF, '--work-dir', str(work), *opts)
    assert 'CheckDataHook: ' in proc.stdout + proc.stderr  # the data check ran
    uninterrupted = _weights(work / 'epoch_2.pth')
    # Resume from epoch 1 with MMAction2's script: the checkpoint loads (weights_only=True with
    # the allow-list of SafeCheckpointHook) and epoch 2 is drawn exactly as before.
    shutil.move(str(work / 'epoch_2.pth'), str(tmp_path / 'first_epoch_2.pth'))
    (work / 'last_checkpoint').write_text(str(work / 'epoch_1.pth'))
    _stock(python, 'train.py', TINY_SF, '--work-dir', str(work), '--resume', *opts)
    resumed = _weights(work / 'epoch_2.pth')
    assert resumed.keys() == uninterrupted.keys()
    for key in resumed:
        assert torch.equal(resumed[key], uninterrupted[key]), key
    # and MMAction2's test script loads the checkpoint too
    proc = _stock(python, 'test.py', TINY_SF, str(work / 'epoch_2.pth'), '--work-dir',
                  str(tmp_path / 'test'), '--cfg-options', *data_options(synthetic_small), *few)
    assert 'acc/top1' in proc.stdout + proc.stderr


def test_stock_train_script_refuses_data_that_does_not_fit(python, tmp_path, synthetic_small):
    with open(synthetic_small, 'rb') as f:
        data = pickle.load(f)
    for ann in data['annotations']:  # 2D keypoints where the model expects 3D
        ann['keypoint'] = np.ascontiguousarray(ann['keypoint'][..., :2])
    bad = tmp_path / 'bad.pkl'
    bad.write_bytes(pickle.dumps(data))
    with pytest.raises(AssertionError, match='does not fit'):
        _stock(python, 'train.py', TINY_SF, '--work-dir', str(tmp_path / 'run'),
               '--cfg-options', *data_options(str(bad)), 'train_cfg.max_epochs=1')
