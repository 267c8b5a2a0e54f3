"""PKU-MMD phase I on the fixture in the documented format (no real PKU-MMD files here)."""
import json
import os.path as osp
import pickle
import shutil

import numpy as np
import pytest

from data_prep import pkummd
from sfhead_mm.formats.errors import FormatError as SampleError
from tests.conftest import REPO

FIXTURE = osp.join(REPO, 'tests', 'fixtures', 'pkummd')


def fixture_copy(tmp_path):
    dst = tmp_path / 'pku'
    shutil.copytree(FIXTURE, dst, ignore=shutil.ignore_patterns('*.py'))
    return dst


def run(root, out, *extra):
    return pkummd.main(['--skeletons', str(root / 'skeleton'), '--labels', str(root / 'label'),
                        '--split-dir', str(root / 'split'), '--out', str(out), '--quiet',
                        *extra])


def test_fixture_converts_to_clips(tmp_path):
    root = fixture_copy(tmp_path)
    out = tmp_path / 'pku.pkl'
    assert run(root, out) == 0
    with open(out, 'rb') as f:
        data = pickle.load(f)
    anns = {a['frame_dir']: a for a in data['annotations']}
    assert sorted(anns) == ['0002-L_000', '0002-L_001', '0002-M_000', '0002-M_001',
                            '0003-R_000']
    assert [anns[n]['label'] for n in sorted(anns)] == [2, 11, 4, 39, 13]  # action_id - 1
    # 0002-L_000 = frames 0..7 of the video, the first two untracked: dropped.
    assert anns['0002-L_000']['keypoint'].shape == (1, 6, 25, 3)
    assert anns['0002-M_001']['keypoint'].shape == (1, 12, 25, 3)
    # The interaction clip keeps the second person (tracked in frames 6..18 of 4..19).
    kp = anns['0003-R_000']['keypoint']
    assert kp.shape == (2, 16, 25, 3)
    assert np.any(kp[1] != 0, axis=(1, 2)).tolist() == [False] * 2 + [True] * 13 + [False]
    # Values: the clip is the file's rows start..end-1, person 1 = first 75 numbers.
    rows = np.loadtxt(root / 'skeleton' / '0002-M.txt')
    np.testing.assert_array_equal(anns['0002-M_001']['keypoint'][0],
                                  rows[12:24, :75].reshape(12, 25, 3).astype(np.float32))
    assert data['split'] == {
        'xsub_train': ['0002-L_000', '0002-L_001', '0002-M_000', '0002-M_001'],
        'xsub_val': ['0003-R_000'],
        'xview_train': ['0002-M_000', '0002-M_001', '0003-R_000'],
        'xview_val': ['0002-L_000', '0002-L_001']}
    with open(tmp_path / 'pku.report.json') as f:
        report = json.load(f)
    assert report['notes']['0002-L'] == ['0002-L_000: 2 of 8 frames dropped, nobody tracked']


def test_split_file_format():
    train, val = pkummd.read_split_file(osp.join(FIXTURE, 'split', 'cross-subject.txt'))
    assert train == ['0002-L', '0002-M'] and val == ['0003-R']


def test_corrupt_rows_and_labels_are_reported(tmp_path):
    root = fixture_copy(tmp_path)
    skel = root / 'skeleton' / '0002-M.txt'
    lines = skel.read_text().splitlines()
    lines[6] = ' '.join(lines[6].split()[:149])  # row 7: 149 values
    skel.write_text('\n'.join(lines) + '\n')
    labels = root / 'label' / '0003-R.txt'
    labels.write_text('14,4,20,1\n7,18,40,1\n60,1,3,1\n')  # 2nd: past the end; 3rd: no class
    out = tmp_path / 'pku.pkl'
    assert run(root, out) == 0
    with open(tmp_path / 'pku.report.json') as f:
        report = json.load(f)
    errors = {(osp.basename(e['file']), e['line']): e for e in report['errors']}
    assert '149 values' in errors[('0002-M.txt', 7)]['message']
    assert errors[('0003-R.txt', 2)]['sample'] == '0003-R_001'
    assert 'do not fit the 24-frame video' in errors[('0003-R.txt', 2)]['message']
    assert 'outside 1..51' in errors[('0003-R.txt', 3)]['message']
    with open(out, 'rb') as f:
        names = sorted(a['frame_dir'] for a in pickle.load(f)['annotations'])
    assert names == ['0002-L_000', '0002-L_001', '0003-R_000']  # the good clips are kept
    assert run(root, tmp_path / 'strict.pkl', '--strict') == 1
    assert not (tmp_path / 'strict.pkl').exists()


@pytest.mark.parametrize('text,words', [
    ('', 'zero frames'),
    ('1 2 3\n', '3 values on the row'),
    (' '.join(['0.5'] * 149 + ['nan']) + '\n', 'NaN or inf'),
    (' '.join(['0.5'] * 149 + ['x1']) + '\n', 'non-numeric'),
    (' '.join(['0.5'] * 149 + ['1e39']) + '\n', 'beyond float32'),
])
def test_bad_skeleton_file(tmp_path, text, words):
    path = tmp_path / '0009-L.txt'
    path.write_text(text)
    with pytest.raises(SampleError, match=words) as info:
        pkummd.read_sequence(str(path))
    assert info.value.record.line == 1


def test_bad_label_row(tmp_path):
    path = tmp_path / 'l.txt'
    path.write_text('1,2,3,1\n1;2;3\n')
    with pytest.raises(SampleError, match='4 integers') as info:
        pkummd.read_labels(str(path))
    assert info.value.record.line == 2
