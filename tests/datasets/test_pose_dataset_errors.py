"""PoseDataset's load errors name the file, the key and the fix."""
import pickle

import numpy as np
import pytest

from mmaction.datasets import PoseDataset
from sfhead_mm.datasets.checks import DataCheckError


def _sample(name):
    kp = np.zeros((1, 4, 25, 3), np.float32)
    return dict(frame_dir=name, label=0, keypoint=kp, total_frames=4)


def _write(path, obj):
    with open(path, 'wb') as f:
        pickle.dump(obj, f)
    return str(path)


def test_good_file_loads_unchanged(tmp_path):
    ann = _write(tmp_path / 'ok.pkl', dict(split=dict(train=['a']), annotations=[_sample('a')]))
    assert len(PoseDataset(ann, pipeline=[], split='train')) == 1


def test_unknown_split_lists_the_splits(tmp_path):
    ann = _write(tmp_path / 'ok.pkl', dict(split=dict(train=['a'], val=['a']),
                                           annotations=[_sample('a')]))
    with pytest.raises(DataCheckError, match=r"ok\.pkl.*xsub_train.*\['train', 'val'\]"):
        PoseDataset(ann, pipeline=[], split='xsub_train')


def test_old_list_format_says_how_to_convert(tmp_path):
    ann = _write(tmp_path / 'old.pkl', [_sample('a')])
    with pytest.raises(DataCheckError, match=r"old\.pkl.*0\.x.*list indices"):
        PoseDataset(ann, pipeline=[], split='train')
