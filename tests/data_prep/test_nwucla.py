"""NW-UCLA: the real json release converts to 1,484 clips, its view-3 split is val_label.pkl's."""
import io
import json
import pickle

import numpy as np
import pytest

from data_prep import nwucla
from sfhead_mm.formats.errors import FormatError as SampleError
from data_prep.verify import verify_pickle
from sfhead_mm.skeleton import get_layout
from tests.conftest import require_data


@pytest.fixture(scope='module')
def converted(shared_data, tmp_path_factory):
    src = require_data(shared_data, 'nw-ucla', 'all_sqe')
    out = tmp_path_factory.mktemp('nwucla') / 'nwucla_3d.pkl'
    assert nwucla.main([src, '--out', str(out), '--workers', '2', '--quiet']) == 0
    with open(out, 'rb') as f:
        data = pickle.load(f)
    data['path'] = str(out)
    return data


def test_real_release_converts(converted, shared_data):
    anns = converted['annotations']
    assert len(anns) == 1484
    V = get_layout('nw-ucla').num_joints
    for ann in anns:
        kp = ann['keypoint']
        assert kp.dtype == np.float32 and kp.shape[0] == 1 and kp.shape[2:] == (V, 3)
        assert ann['total_frames'] == kp.shape[1] >= 1
    # Values are the json's, in the file's joint order.
    src = require_data(shared_data, 'nw-ucla', 'all_sqe', 'a05_s04_e02_v03.json')
    with open(src) as f:
        raw = json.load(f)
    ann = next(a for a in anns if a['frame_dir'] == 'a05_s04_e02_v03')
    assert np.array_equal(ann['keypoint'][0], np.asarray(raw['skeletons'], dtype=np.float32))
    assert ann['label'] == raw['label'] - 1 == 4


def test_cross_view_split_matches_val_label(converted, shared_data):
    path = require_data(shared_data, 'nw-ucla', 'val_label.pkl')
    with open(path, 'rb') as f:
        val_label = pickle.load(f)
    split = converted['split']
    assert sorted(split) == ['train', 'val']
    assert len(split['val']) == len(val_label) == 464
    assert set(split['val']) == {v['file_name'] for v in val_label}
    assert len(split['train']) == 1484 - 464
    assert all(n.endswith(('_v01', '_v02')) for n in split['train'])
    labels = {a['frame_dir']: a for a in converted['annotations']}
    for v in val_label:
        assert labels[v['file_name']]['label'] == v['label'] - 1
        assert labels[v['file_name']]['total_frames'] == v['length']


def test_verify_with_the_nwucla_layout(converted):
    summary = verify_pickle(converted['path'], layout='nw-ucla', num_person=1, clip_len=20,
                            num_classes=10, out=io.StringIO())
    assert {k: v['count'] for k, v in summary.items()} == dict(train=1020, val=464)
    assert sum(summary['val']['histogram']) == 464
    assert summary['train']['persons'] == 1 and summary['val']['frames'][0] >= 1


def test_class_names():
    names = nwucla.class_names()
    assert names == ['pick up with one hand', 'pick up with two hands', 'drop trash',
                     'walk around', 'sit down', 'stand up', 'donning', 'doffing', 'throw',
                     'carry']
    assert [nwucla.label_of_action(a) for a in (1, 6, 8, 12)] == [0, 5, 6, 9]


def write_clip(tmp_path, name='a01_s01_e00_v01', **override):
    frames = np.random.default_rng(0).normal(size=(5, 20, 3)).round(4).tolist()
    data = dict(file_name=name, skeletons=frames, label=1)
    data.update(override)
    path = tmp_path / f'{name}.json'
    path.write_text(json.dumps(data))
    return str(path), frames


@pytest.mark.parametrize('override,words', [
    (dict(skeletons=[]), 'zero frames'),
    (dict(skeletons='x'), 'zero frames'),
    (dict(label=3), 'disagrees with action a01'),
    (dict(file_name='a01_s01_e00_v02'), 'does not match'),
])
def test_bad_clip_content(tmp_path, override, words):
    path, _ = write_clip(tmp_path, **override)
    with pytest.raises(SampleError, match=words):
        nwucla.convert_nwucla_file(path)


def test_bad_clip_values(tmp_path):
    path, frames = write_clip(tmp_path)
    frames[3][7] = frames[3][7][:2]
    data = dict(file_name='a01_s01_e00_v01', skeletons=frames, label=1)
    with open(path, 'w') as f:
        json.dump(data, f)
    with pytest.raises(SampleError, match=r'skeletons\[3\]\[7\]: expected \[x, y, z\]'):
        nwucla.convert_nwucla_file(path)
    frames[3][7] = [0.0, float('nan'), 1.0]
    with open(path, 'w') as f:
        json.dump(dict(data, skeletons=frames), f)  # json writes NaN, Python reads it back
    with pytest.raises(SampleError, match=r'skeletons\[3\]\[7\]\[1\] is NaN or inf'):
        nwucla.convert_nwucla_file(path)
    frames[2] = frames[2][:19]
    with open(path, 'w') as f:
        json.dump(dict(data, skeletons=frames), f)
    with pytest.raises(SampleError, match=r'skeletons\[2\]: 19 joints, expected 20'):
        nwucla.convert_nwucla_file(path)


def test_truncated_json_reports_line(tmp_path):
    path, _ = write_clip(tmp_path)
    text = json.dumps(json.load(open(path)), indent=1)
    with open(path, 'w') as f:
        f.write(text[:len(text) // 2])
    with pytest.raises(SampleError) as info:
        nwucla.convert_nwucla_file(path)
    assert info.value.record.line == text[:len(text) // 2].count('\n') + 1
    assert 'invalid json' in info.value.record.message
