"""A dataset that cannot be built is explained in one line naming the file, the key and the fix;
MMAction2's ``PoseDataset`` itself is left as it is."""
import pickle

import numpy as np
import pytest
from mmengine.config import Config

from mmaction.datasets import PoseDataset
from sfhead_mm.datasets.checks import DataCheckError
from sfhead_mm.datasets.pose_dataset_errors import explain_dataset_error


def _sample(name):
    kp = np.zeros((1, 4, 25, 3), np.float32)
    return dict(frame_dir=name, label=0, keypoint=kp, total_frames=4)


def _write(path, obj):
    with open(path, 'wb') as f:
        pickle.dump(obj, f)
    return str(path)


def _cfg(ann_file, split):
    return Config(dict(train_dataloader=dict(dataset=dict(
        type='RepeatDataset', times=1,
        dataset=dict(type='PoseDataset', ann_file=ann_file, split=split, pipeline=[])))))


def _failure(ann_file, split):
    """What building the dataset raises (MMAction2's own error, unwrapped)."""
    with pytest.raises(Exception) as err:
        PoseDataset(ann_file, pipeline=[], split=split)
    return err.value


def test_good_file_loads_and_the_class_is_not_patched(tmp_path):
    ann = _write(tmp_path / 'ok.pkl', dict(split=dict(train=['a']), annotations=[_sample('a')]))
    assert len(PoseDataset(ann, pipeline=[], split='train')) == 1
    assert PoseDataset.load_data_list.__module__ == 'mmaction.datasets.pose_dataset'


def test_unknown_split_lists_the_splits_and_names_the_key(tmp_path):
    ann = _write(tmp_path / 'ok.pkl', dict(split=dict(train=['a'], val=['a']),
                                           annotations=[_sample('a')]))
    exc = _failure(ann, 'xsub_train')
    assert isinstance(exc, KeyError)  # MMAction2's bare error
    line = explain_dataset_error(exc, _cfg(ann, 'xsub_train'))
    assert line.startswith(f"{ann}: no split named 'xsub_train'; the file has ['train', 'val']")
    assert '(change train_dataloader.dataset.dataset.split)' in line
    assert '\n' not in line


def test_old_list_format_says_how_to_convert(tmp_path):
    ann = _write(tmp_path / 'old.pkl', [_sample('a')])
    exc = _failure(ann, 'train')
    line = explain_dataset_error(exc, _cfg(ann, 'train'))
    assert "0.x's format" in line and 'list indices must be integers' in line
    assert f'convert with: python tools/convert_old_pickle.py train={ann}' in line
    assert '\n' not in line


def test_truncated_and_missing_files_are_named(tmp_path):
    good = _write(tmp_path / 'ok.pkl', dict(split=dict(train=['a']), annotations=[_sample('a')]))
    cut = tmp_path / 'cut.pkl'
    cut.write_bytes(open(good, 'rb').read()[:50])
    line = explain_dataset_error(_failure(str(cut), 'train'), _cfg(str(cut), 'train'))
    assert line.startswith(f'{cut}: not a readable pickle')
    assert '(change train_dataloader.dataset.dataset.ann_file)' in line
    missing = str(tmp_path / 'missing.pkl')
    line = explain_dataset_error(_failure(missing, 'train'), _cfg(missing, 'train'))
    assert line.startswith(f'{missing}: annotation file not found')


def test_other_errors_are_left_alone(tmp_path):
    ann = _write(tmp_path / 'ok.pkl', dict(split=dict(train=['a']), annotations=[_sample('a')]))
    assert explain_dataset_error(RuntimeError('CUDA out of memory'), _cfg(ann, 'train')) is None
    try:
        {}['x']  # a KeyError outside any dataset code
    except KeyError as exc:
        assert explain_dataset_error(exc, _cfg(ann, 'train')) is None
    report = DataCheckError('the data does not fit the config:\n[train] ...')
    assert explain_dataset_error(report) == str(report)


def test_a_missing_file_names_the_command_that_creates_it(tmp_path):
    import os.path as osp

    from mmengine.config import Config

    from sfhead_mm.datasets.pose_dataset_errors import diagnose_config_files
    from tests.conftest import REPO
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'ctrgcn', 'ctrgcn_nwucla_cpu.py'))
    missing = str(tmp_path / 'nwucla_3d.pkl')
    cfg.train_dataloader.dataset.dataset.ann_file = missing
    lines = diagnose_config_files(cfg, loaders=('train', ))
    assert len(lines) == 1 and missing in lines[0]
    assert 'train_dataloader.dataset.dataset.ann_file' in lines[0]
    assert 'create it with: python -m data_prep.nwucla' in lines[0]
