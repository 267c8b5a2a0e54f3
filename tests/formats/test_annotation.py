"""sfhead_mm.formats.annotation: the PoseDataset annotation pickle, on small crafted files."""
import os
import os.path as osp
import pickle
import subprocess
import sys

import numpy as np
import pytest

from sfhead_mm.formats import annotation as A
from tests.conftest import REPO


def _sample(name, label=0, T=4, V=25, C=3, dtype=np.float32):
    return dict(frame_dir=name, label=label, total_frames=T,
                keypoint=np.zeros((1, T, V, C), dtype), img_shape=(1080, 1920))


def _dump(obj, path, protocol=pickle.HIGHEST_PROTOCOL):
    with open(path, 'wb') as f:
        pickle.dump(obj, f, protocol=protocol)
    return str(path)


def _dataset(n=5):
    samples = [_sample(f's{i}', label=i % 3) for i in range(n)]
    return dict(split=dict(train=[f's{i}' for i in range(n - 2)],
                           val=[f's{i}' for i in range(n - 2, n)]),
                annotations=samples)


class _Payload:
    """Unpickling this would create a file (it must never run)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker, ))


def test_module_is_light():
    """Importing the format's owner imports no torch, mmengine or MMAction2."""
    code = ('import sys, sfhead_mm.formats.annotation; '
            'print(sorted(m for m in ("torch", "mmengine", "mmaction", "mmcv") '
            'if m in sys.modules))')
    out = subprocess.run([sys.executable, '-c', code], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == '[]'


def test_roundtrip_through_the_atomic_writer(tmp_path):
    path = str(tmp_path / 'ok.pkl')
    A.write_annotation(path, _dataset(), A.SampleRules(num_joints=25, num_classes=3))
    data = A.read_annotation_file(path)
    assert data['split']['val'] == ['s3', 's4']
    samples, problems = A.select_split(data, 'train', path)
    assert problems == [] and [s['frame_dir'] for s in samples] == ['s0', 's1', 's2']
    assert os.listdir(tmp_path) == ['ok.pkl']  # no temporary file left behind


def test_truncated_pickle_is_one_line_naming_the_file(tmp_path):
    good = _dump(_dataset(), tmp_path / 'good.pkl')
    cut = tmp_path / 'cut.pkl'
    cut.write_bytes(open(good, 'rb').read()[:200])
    with pytest.raises(A.AnnotationError) as err:
        A.read_annotation_file(str(cut))
    message = str(err.value)
    assert message.startswith(f'{cut}: ') and '\n' not in message
    assert 'truncated' in message or 'not a readable pickle' in message
    assert err.value.path == str(cut)


def test_code_executing_global_is_refused_and_nothing_runs(tmp_path):
    marker = str(tmp_path / 'ran')
    evil = _dump(dict(split=dict(train=['a']), annotations=[_sample('a')],
                      extra=_Payload(marker)), tmp_path / 'evil.pkl')
    with pytest.raises(A.AnnotationError, match=r'evil\.pkl: refused to unpickle .*mkdir'):
        A.read_annotation_file(evil)
    assert not osp.exists(marker)
    problems = A.check_annotation_file(evil)
    assert len(problems) == 1 and 'refused to unpickle' in problems[0].message
    assert not osp.exists(marker)


def test_missing_file_and_directory_are_named(tmp_path):
    with pytest.raises(A.AnnotationError, match='nope.pkl: annotation file not found'):
        A.read_annotation_file(str(tmp_path / 'nope.pkl'))
    with pytest.raises(A.AnnotationError, match='is a directory'):
        A.read_annotation_file(str(tmp_path))


def test_old_list_format_is_detected_and_converted(tmp_path):
    data = _dataset()
    by_name = {a['frame_dir']: a for a in data['annotations']}
    train = [dict(by_name[n]) for n in data['split']['train']]
    del train[0]['total_frames']  # some 0.x files lack it
    train_file = _dump(train, tmp_path / 'old_train.pkl')
    val_file = _dump([by_name[n] for n in data['split']['val']] + [by_name['s1']],
                     tmp_path / 'old_val.pkl')
    old = A.read_annotation_file(train_file)
    assert A.is_old_format(old) and A.sniff_container(train_file) == 'list'
    samples, problems = A.select_split(old, 'train', train_file)
    assert samples is None and "MMAction2 0.x's format" in problems[0].message
    assert A.select_split(old, None, train_file)[0] == old  # split=None: used as a list
    problems = A.check_annotation_data(old, train_file)
    assert 'convert with: python tools/convert_old_pickle.py' in problems[0].message

    new = A.convert_old_splits([('train', train_file), ('val', val_file)])
    assert new['split'] == dict(train=['s0', 's1', 's2'], val=['s3', 's4', 's1'])
    assert len(new['annotations']) == 5  # s1, in both files, is stored once
    assert new['annotations'][0]['total_frames'] == 4  # filled in from keypoint
    assert A.check_annotation_data(new, 'new.pkl', A.SampleRules(num_joints=25)) == []
    written = A.write_annotation(str(tmp_path / 'new.pkl'), new)
    assert A.sniff_container(written) == 'dict'


def test_conversion_refuses_conflicts_and_1x_files(tmp_path):
    a = _dump([_sample('x')], tmp_path / 'a.pkl')
    other = _sample('x')
    other['keypoint'] = other['keypoint'] + 1
    b = _dump([other], tmp_path / 'b.pkl')
    with pytest.raises(A.AnnotationError, match="b.pkl: sample 'x' differs"):
        A.convert_old_splits([('a', a), ('b', b)])
    with pytest.raises(A.AnnotationError, match='given twice'):
        A.convert_old_splits([('a', a), ('a', a)])
    new = _dump(_dataset(), tmp_path / 'new.pkl')
    with pytest.raises(A.AnnotationError, match='already in the 1.x format'):
        A.convert_old_splits([('a', new)])


def test_unknown_split_is_named_with_the_splits_of_the_file(tmp_path):
    path = _dump(_dataset(), tmp_path / 'ok.pkl')
    data = A.read_annotation_file(path)
    samples, problems = A.select_split(data, 'xsub_train', path)
    assert samples is None
    assert problems[0].message == "no split named 'xsub_train'; the file has ['train', 'val']"
    with pytest.raises(A.AnnotationError,
                       match=r"ok\.pkl: no split named 'xsub_train'; splits in the file: "
                             r"\['train', 'val'\]"):
        A.samples_of(data, path, split='xsub_train')
    data['split']['train'].append('ghost')
    samples, problems = A.select_split(data, 'train', path)
    assert len(samples) == 3 and "e.g. ['ghost']" in problems[0].message


def test_nan_in_a_middle_sample_is_found(tmp_path):
    """Every sample is checked, not the first and the last."""
    data = _dataset(n=9)
    data['annotations'][4]['keypoint'][0, 2, 7, 1] = np.nan
    problems = A.check_annotation_data(data, 'x.pkl')
    assert [(p.sample, p.key) for p in problems] == [('s4', 'keypoint')]
    assert 'NaN or inf (first at index [0, 2, 7, 1])' in problems[0].message
    with pytest.raises(A.AnnotationError, match="not written: sample 's4': keypoint: holds NaN"):
        A.write_annotation(str(tmp_path / 'bad.pkl'), data)
    assert not os.listdir(tmp_path)  # nothing written, no temporary file


def test_every_kind_of_sample_problem_is_reported():
    rules = A.SampleRules(num_joints=25, in_channels=3, num_classes=3, dtype='float32',
                          joints_source="the layout 'nturgb+d' (model.backbone.graph_cfg.layout)")
    big = _sample('big', dtype=np.float64)
    big['keypoint'][0, 1, 2, 0] = 1e39  # finite in float64, inf as float32
    samples = [
        _sample('ok'),
        dict(_sample('frames'), total_frames=7),
        _sample('joints', V=20),
        _sample('flat', C=2),
        dict(_sample('bool'), label=True),
        dict(_sample('neg'), label=-1),
        dict(_sample('high'), label=3),
        dict(_sample('score'), keypoint_score=np.ones((1, 3, 25), np.float32)),
        big,
        dict(_sample('nokp'), keypoint=None),
        _sample('ok'),  # a duplicate name
        ['not', 'a', 'dict'],
    ]
    problems, n, first_good = A.check_samples(samples, rules, 'here')
    assert n == len(samples) and first_good == 0
    found = {(p.sample, p.key): p.message for p in problems}
    assert 'total_frames=7 but keypoint has T=4' in found[('frames', 'total_frames')]
    assert "V=20 joints (shape (1, 4, 20, 3)) but the layout 'nturgb+d'" in \
        found[('joints', 'keypoint')]
    assert 'C=2 (2D) gives 2 input channels' in found[('flat', 'keypoint')]
    assert 'is True (bool)' in found[('bool', 'label')]
    assert 'negative' in found[('neg', 'label')]
    assert 'label 3 outside 0..2 (model.cls_head.num_classes=3' in found[('high', 'label')]
    assert 'expected (M, T, V) = (1, 4, 25)' in found[('score', 'keypoint_score')]
    assert "beyond float32's range" in found[('big', 'keypoint')] or \
        'dtype float64' in found[('big', 'keypoint')]
    assert any(p.sample == 'big' and "beyond float32's range" in p.message for p in problems)
    assert found[('nokp', 'keypoint')] == 'missing'
    assert found[('ok', 'frame_dir')] == '2 samples share this name'
    assert ('#11', '<sample>') in found
    # One line per problem, naming the loader, the sample and the key.
    assert str(problems[0]).startswith("[here] sample 'frames', key 'total_frames': ")


def test_readers_view_of_the_three_layouts(tmp_path):
    path = 'mem.pkl'
    one = _sample('solo')
    assert A.samples_of(one, path) == [one]
    data = _dataset()
    assert [s['frame_dir'] for s in A.samples_of(data, path, split='val')] == ['s3', 's4']
    assert [s['frame_dir'] for s in A.samples_of(data['annotations'], path,
                                                 names=['s4', 's0'])] == ['s4', 's0']
    with pytest.raises(A.AnnotationError, match=r"no sample named \['zz'\]"):
        A.samples_of(data, path, names=['zz'])
    with pytest.raises(A.AnnotationError, match='expected a PoseDataset pickle'):
        A.samples_of(42, path)


def test_build_annotation_names_the_first_problems():
    samples = [_sample(f'b{i}', label=9) for i in range(5)]
    with pytest.raises(A.AnnotationError) as err:
        A.build_annotation(samples, dict(train=['b0']), A.SampleRules(num_classes=3))
    message = str(err.value)
    assert "sample 'b0': label: label 9 outside 0..2" in message
    assert '(and 2 more problem(s))' in message and '\n' not in message
    sample = A.make_sample('m', 1, np.zeros((2, 3, 25, 3), np.float64), (480, 640))
    assert sample['keypoint'].dtype == np.float32 and sample['total_frames'] == 3
    assert sample['original_shape'] == (480, 640)
