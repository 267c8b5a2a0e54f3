"""The restricted unpickler reads data pickles and refuses anything that would run code."""
import os
import pickle

import numpy as np
import pytest

from sfhead_mm.utils.safe_pickle import (PickleReadError, UnsafePickleError, load_pickle,
                                         refused_global)


class _Payload:
    """Pickles as a call of os.system (never executed by the tests)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


@pytest.mark.parametrize('protocol', [2, 4, 5])
def test_reads_what_annotation_files_hold(tmp_path, protocol):
    data = dict(split=dict(train=['a']), annotations=[dict(
        frame_dir='a', label=3, total_frames=2, img_shape=(1080, 1920),
        keypoint=np.arange(24, dtype=np.float32).reshape(1, 2, 4, 3),
        keypoint_score=np.ones((1, 2, 4), np.float16), flags={1, 2}, extra=(None, True, 1.5),
        scalar=np.float64(0.25))])
    path = tmp_path / 'ann.pkl'
    path.write_bytes(pickle.dumps(data, protocol=protocol))
    back = load_pickle(str(path))
    ann = back['annotations'][0]
    assert np.array_equal(ann['keypoint'], data['annotations'][0]['keypoint'])
    assert ann['keypoint_score'].dtype == np.float16 and ann['scalar'] == 0.25
    assert back['split'] == data['split'] and ann['flags'] == {1, 2}


def test_refuses_a_payload_and_runs_nothing(tmp_path):
    marker = tmp_path / 'ran'
    path = tmp_path / 'evil.pkl'
    path.write_bytes(pickle.dumps({'annotations': [_Payload(marker)]}))
    with pytest.raises(UnsafePickleError) as info:
        load_pickle(str(path))
    assert str(path) in str(info.value) and 'system' in info.value.global_name
    assert '\n' not in str(info.value)
    assert not marker.exists()
    assert refused_global(str(path)) == info.value.global_name


@pytest.mark.parametrize('content, reason', [(b'', 'empty'), (b'not a pickle', ''),
                                             (None, 'truncated')])
def test_unreadable_files_name_the_file(tmp_path, content, reason):
    path = tmp_path / 'bad.pkl'
    if content is None:  # a real pickle cut short
        content = pickle.dumps({'a': np.zeros(1000)})[:200]
    path.write_bytes(content)
    with pytest.raises(PickleReadError, match=reason) as info:
        load_pickle(str(path))
    assert str(path) in str(info.value) and '\n' not in str(info.value)


def test_a_directory_is_named(tmp_path):
    with pytest.raises(IsADirectoryError, match='directory'):
        load_pickle(str(tmp_path))


def test_tensor_mode_reads_dumped_results_without_a_full_unpickle(tmp_path):
    import torch
    path = tmp_path / 'dump.pkl'
    # what MMAction2's DumpResults writes: dicts of torch tensors, pickled
    path.write_bytes(pickle.dumps([dict(pred_score=torch.tensor([0.2, 0.8]),
                                        gt_label=torch.tensor([1]))]))
    with pytest.raises(UnsafePickleError, match='torch'):
        load_pickle(str(path))  # tensors are not plain data
    back = load_pickle(str(path), tensors=True)
    assert torch.equal(back[0]['pred_score'], torch.tensor([0.2, 0.8]))
    marker = tmp_path / 'ran'
    path.write_bytes(pickle.dumps([_Payload(marker)]))
    with pytest.raises(UnsafePickleError):
        load_pickle(str(path), tensors=True)
    assert not marker.exists()
