"""FSD-10 converter on crafted files of the authors' format ((N, 3, 1500, 25, 1) .npy + labels)."""
import pickle
import subprocess
import sys

import numpy as np
import pytest

from data_prep import fsd10
from sfhead_mm.utils.safe_pickle import load_pickle
from tests.conftest import REPO


def craft(tmp_path, lengths, labels, prefix='train', T=1500):
    """Clips of the given real lengths, zero-padded to T; joint values encode (clip, frame)."""
    N = len(lengths)
    data = np.zeros((N, 3, T, 25, 1), dtype=np.float32)
    for i, n in enumerate(lengths):
        t = np.arange(n, dtype=np.float32)
        data[i, 0, :n] = (1000 * (i + 1) + t)[:, None, None] + np.arange(25)[None, :, None]
        data[i, 1, :n] = 500 + t[:, None, None] * 0.5 + np.arange(25)[None, :, None] * 2
        data[i, 2, :n] = 0.9
    names = [f'{prefix}_{i:03d}' for i in range(N)]
    npy, pkl = tmp_path / f'{prefix}_data_25.npy', tmp_path / f'{prefix}_label_25.pkl'
    np.save(npy, data)
    with open(pkl, 'wb') as f:
        pickle.dump((names, list(labels)), f)  # what feeder_diving.py reads
    return str(npy), str(pkl), data


def test_real_length_and_indices_follow_the_authors():
    clip = np.zeros((3, 20, 25, 1), np.float32)
    clip[0, 3] = 1.  # an isolated frame after zeros still belongs to the clip
    clip[0, 11] = 2.
    assert fsd10.real_length(clip) == 12
    # gen_resize_index(1000, 256) with begin 0: int(k * 1000 / 256)
    idx = fsd10.frame_indices(1000, 256)
    assert len(idx) == 256 and idx[0] == 0 and idx[1] == 3 and idx[-1] == int(255 * 1000 / 256)
    assert fsd10.frame_indices(100, 256).tolist() == list(range(100))
    assert fsd10.frame_indices(1000, 0).tolist() == list(range(1000))


def test_converts_splits_samples_256_frames_and_centres_on_mid_hip(tmp_path):
    train = craft(tmp_path, [1000, 120, 256], [3, 0, 9])
    val = craft(tmp_path, [700], [5], prefix='val')
    out = tmp_path / 'fsd10_2d.pkl'
    assert fsd10.main(['--train', *train[:2], '--val', *val[:2], '--out', str(out)]) == 0
    data = load_pickle(str(out))
    assert data['split'] == {'train': ['train_000', 'train_001', 'train_002'],
                             'val': ['val_000']}
    anns = {a['frame_dir']: a for a in data['annotations']}
    a = anns['train_000']
    assert a['label'] == 3 and a['keypoint'].shape == (1, 256, 25, 2)
    assert a['keypoint'].dtype == np.float32 and a['keypoint_score'].shape == (1, 256, 25)
    assert a['total_frames'] == 256
    # centred on joint 8 in every frame: x = joint index - 8, y = 2 * (joint index - 8)
    np.testing.assert_allclose(a['keypoint'][0, 17, :, 0], np.arange(25) - 8)
    np.testing.assert_allclose(a['keypoint'][0, 17, :, 1], 2 * (np.arange(25) - 8))
    np.testing.assert_allclose(a['keypoint_score'], 0.9)
    assert anns['train_001']['keypoint'].shape[1] == 120  # shorter clips keep their frames
    assert anns['train_002']['keypoint'].shape[1] == 256
    assert anns['val_000']['label'] == 5


def test_frames_follow_the_stride_without_centring(tmp_path):
    npy, pkl, raw = craft(tmp_path, [1000], [1])
    out = tmp_path / 'o.pkl'
    assert fsd10.main(['--train', npy, pkl, '--out', str(out), '--no-center']) == 0
    kp = load_pickle(str(out))['annotations'][0]['keypoint']
    idx = fsd10.frame_indices(1000, 256)
    np.testing.assert_array_equal(kp[0, :, :, 0], raw[0, 0, idx, :, 0])
    assert fsd10.main(['--train', npy, pkl, '--out', str(out), '--frames', '0']) == 0
    assert load_pickle(str(out))['annotations'][0]['keypoint'].shape[1] == 1000


def test_wrong_files_fail_with_one_line_and_write_nothing(tmp_path, capsys):
    npy, pkl, _ = craft(tmp_path, [50, 60], [1, 2])
    out = tmp_path / 'x.pkl'
    bad = tmp_path / 'bad.npy'
    np.save(bad, np.zeros((2, 3, 10, 17, 1), np.float32))
    assert fsd10.main(['--train', str(bad), pkl, '--out', str(out)]) == 1
    assert 'expected (N, C, T, V=25, M)' in capsys.readouterr().err
    short = tmp_path / 'short.pkl'
    with open(short, 'wb') as f:
        pickle.dump((['a'], [1]), f)
    assert fsd10.main(['--train', npy, str(short), '--out', str(out)]) == 1
    assert '1 labels for the 2 clips' in capsys.readouterr().err
    wrong_label = tmp_path / 'wl.pkl'
    with open(wrong_label, 'wb') as f:
        pickle.dump((['a', 'b'], [1, 10]), f)  # FSD-10 has 10 classes
    assert fsd10.main(['--train', npy, str(wrong_label), '--out', str(out)]) == 1
    assert not out.exists()


def test_module_is_light_and_runs_as_a_command(tmp_path):
    npy, pkl, _ = craft(tmp_path, [40], [2])
    code = ('import sys, data_prep.fsd10; '
            'heavy = [m for m in ("torch", "mmengine", "mmaction") if m in sys.modules]; '
            'assert not heavy, heavy')
    subprocess.run([sys.executable, '-c', code], cwd=REPO, check=True)
    out = tmp_path / 'c.pkl'
    proc = subprocess.run([sys.executable, '-m', 'data_prep.fsd10', '--train', npy, pkl,
                           '--out', str(out)], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert 'train: 1' in proc.stdout


@pytest.mark.parametrize('bad', ['not a pair', (['a'], [1, 2])])
def test_label_pickle_must_be_names_and_labels(tmp_path, bad):
    path = tmp_path / 'l.pkl'
    with open(path, 'wb') as f:
        pickle.dump(bad, f)
    with pytest.raises(fsd10.FSD10Error, match='sample_names, labels'):
        fsd10.read_labels(str(path))
