"""The synthetic look-alike set: format, determinism, and that a GCN can learn it."""
import os.path as osp
import pickle
import re

import numpy as np

from sfhead_mm.datasets import synthetic
from tests.conftest import REPO, TEST_CONFIGS, data_options, run


def test_format_is_posedataset():
    data = synthetic.generate(train_per_class=2, val_per_class=1, seed=3)
    assert set(data['split']) >= {'train', 'val', 'xsub_train', 'xsub_val'}
    names = {a['frame_dir'] for a in data['annotations']}
    assert set(data['split']['train']) | set(data['split']['val']) == names
    assert len(data['split']['train']) == 2 * len(synthetic.CLASSES)
    persons = set()
    for ann in data['annotations']:
        kp = ann['keypoint']
        assert kp.dtype == np.float32 and kp.ndim == 4 and kp.shape[2:] == (25, 3)
        assert kp.shape[1] == ann['total_frames'] and np.isfinite(kp).all()
        assert 0 <= ann['label'] < len(synthetic.CLASSES)
        persons.add(kp.shape[0])
        if ann['label'] in synthetic.TWO_PERSON:
            assert kp.shape[0] == 2
    assert persons == {1, 2}


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    a, b, c = (tmp_path / n for n in ('a.pkl', 'b.pkl', 'c.pkl'))
    synthetic.write(str(a), train_per_class=3, val_per_class=1, seed=7)
    synthetic.write(str(b), train_per_class=3, val_per_class=1, seed=7)
    synthetic.write(str(c), train_per_class=3, val_per_class=1, seed=8)
    assert a.read_bytes() == b.read_bytes()
    ka = pickle.loads(a.read_bytes())['annotations'][0]['keypoint']
    kc = pickle.loads(c.read_bytes())['annotations'][0]['keypoint']
    assert ka.shape != kc.shape or not np.allclose(ka, kc)


def test_look_alike_pairs_differ_where_described():
    rng = np.random.default_rng(0)
    salute = synthetic.make_clip(0, rng, 60, 60, bystander_prob=0)[0]
    wave = synthetic.make_clip(1, rng, 60, 60, bystander_prob=0)[0]
    # right hand (NTU joint 12 -> index 11) lateral motion while raised: waving moves it more
    mid = slice(25, 45)
    assert wave[mid, 11, 0].std() > 2 * salute[mid, 11, 0].std()
    sit = synthetic.make_clip(4, np.random.default_rng(1), 60, 60, bystander_prob=0)[0]
    stand = synthetic.make_clip(5, np.random.default_rng(1), 60, 60, bystander_prob=0)[0]
    # spine base height: falls when sitting down, rises when standing up
    assert sit[-1, 0, 1] < sit[0, 0, 1] - 0.2
    assert stand[-1, 0, 1] > stand[0, 0, 1] + 0.2


def test_a_gcn_learns_it(python, tmp_path, synthetic_small):
    """8 epochs of the tiny ST-GCN reach well above chance (1/8) on the validation split."""
    proc = run([python, osp.join(REPO, 'tools', 'train.py'),
                osp.join(TEST_CONFIGS, 'tiny_stgcn_synthetic.py'), '--work-dir', str(tmp_path),
                '--cfg-options', *data_options(synthetic_small), 'train_cfg.max_epochs=8',
                'train_cfg.val_interval=8', 'param_scheduler.0.T_max=8'])
    top1 = float(re.findall(r'acc/top1: ([0-9.]+)', proc.stdout + proc.stderr)[-1])
    assert top1 >= 0.45, top1
