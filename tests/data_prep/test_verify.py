"""--verify / data_prep.verify: every sample and split is checked; counts and histograms."""
import io
import pickle

import numpy as np
import pytest

from data_prep import ntu
from data_prep import verify as verify_module
from data_prep.verify import VerifyError, verify_pickle
from tests.conftest import run
from tests.data_prep.ntu_text import skeleton_text

SAMPLES = {  # name: bodies per frame
    'S001C001P001R001A001': [[0]] * 30,  # xsub train, xview val
    'S001C002P003R001A002': [[0]] * 25,  # xsub val, xview train
    'S001C003P002R002A058': [[0, 1]] * 40,  # xsub train, xview train, two people
}


@pytest.fixture
def written(tmp_path):
    src = tmp_path / 'skel'
    src.mkdir()
    for name, frames in SAMPLES.items():
        (src / f'{name}.skeleton').write_text(skeleton_text(frames))
    out = tmp_path / 'ntu60_3d.pkl'
    return src, out


def test_verify_counts_histograms_and_ranges(written):
    src, out = written
    assert ntu.main([str(src), '--out', str(out), '--quiet']) == 0
    stream = io.StringIO()
    summary = verify_pickle(str(out), layout='nturgb+d', num_person=2, clip_len=16,
                            num_classes=60, out=stream)
    assert {k: v['count'] for k, v in summary.items()} == dict(
        xsub_train=2, xsub_val=1, xview_train=2, xview_val=1)
    hist = summary['xview_train']['histogram']
    assert len(hist) == 60 and hist[1] == hist[57] == 1 and sum(hist) == 2
    assert summary['xsub_train']['persons'] == 2 and summary['xsub_val']['frames'] == (25, 25)
    text = stream.getvalue()
    assert '[verify] xsub_train: 2 samples' in text and '57:1' in text
    assert 'every one checked' in text


def test_verify_flag_after_conversion(written, capsys):
    src, out = written
    assert ntu.main([str(src), '--out', str(out), '--quiet', '--verify']) == 0
    printed = capsys.readouterr().out
    for split in ('xsub_train', 'xsub_val', 'xview_train', 'xview_val'):
        assert f'[verify] {split}:' in printed


def test_nan_in_a_middle_sample_fails(written, tmp_path, capsys):
    """The old verify dry-ran only the first and last sample of each split."""
    src, out = written
    assert ntu.main([str(src), '--out', str(out), '--quiet']) == 0
    with open(out, 'rb') as f:
        data = pickle.load(f)
    names = [a['frame_dir'] for a in data['annotations']]
    middle = data['annotations'][1]
    assert names.index(middle['frame_dir']) not in (0, len(names) - 1)
    middle['keypoint'][0, 3, 7, 1] = np.nan
    bad = tmp_path / 'bad.pkl'
    with open(bad, 'wb') as f:
        pickle.dump(data, f)
    with pytest.raises(VerifyError) as info:
        verify_pickle(str(bad), layout='nturgb+d', out=io.StringIO())
    assert middle['frame_dir'] in str(info.value) and 'NaN' in str(info.value)
    assert '\n' not in str(info.value)
    capsys.readouterr()
    assert verify_module.main([str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and middle['frame_dir'] in err


def test_wrong_layout_and_missing_split_member(written, tmp_path):
    src, out = written
    assert ntu.main([str(src), '--out', str(out), '--quiet']) == 0
    with pytest.raises(VerifyError, match='V=25 joints'):
        verify_pickle(str(out), layout='nw-ucla', out=io.StringIO())
    with open(out, 'rb') as f:
        data = pickle.load(f)
    data['split']['xsub_val'].append('S009C001P001R001A001')
    bad = tmp_path / 'bad.pkl'
    with open(bad, 'wb') as f:
        pickle.dump(data, f)
    with pytest.raises(VerifyError, match='xsub_val'):
        verify_pickle(str(bad), out=io.StringIO())


def test_verify_does_not_import_torch(written, python):
    src, out = written
    assert ntu.main([str(src), '--out', str(out), '--quiet']) == 0
    code = ('import sys; from data_prep.verify import main; rc = main([sys.argv[1]]); '
            'heavy = [m for m in ("torch", "mmengine", "mmaction") if m in sys.modules]; '
            'assert not heavy, heavy; sys.exit(rc)')
    proc = run([python, '-c', code, str(out)])
    assert '[verify] xsub_train' in proc.stdout
