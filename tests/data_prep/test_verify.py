"""--verify: the written pickle loads with MMAction2's PoseDataset and the standard pipeline."""
import io

import pytest

from data_prep import ntu
from data_prep.verify import skeleton_pipeline, verify_pickle
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


def test_verify_counts_histograms_and_shapes(written):
    src, out = written
    assert ntu.main([str(src), '--out', str(out), '--quiet']) == 0
    stream = io.StringIO()
    summary = verify_pickle(str(out), layout='nturgb+d', num_person=2, clip_len=16,
                            num_classes=60, out=stream)
    assert {k: v['count'] for k, v in summary.items()} == dict(
        xsub_train=2, xsub_val=1, xview_train=2, xview_val=1)
    hist = summary['xview_train']['histogram']
    assert len(hist) == 60 and hist[1] == hist[57] == 1 and sum(hist) == 2
    assert all(v['input_shape'] == (1, 2, 16, 25, 3) for v in summary.values())
    text = stream.getvalue()
    assert '[verify] xsub_train: 2 samples' in text and '57:1' in text


def test_verify_flag_after_conversion(written, capsys):
    src, out = written
    assert ntu.main([str(src), '--out', str(out), '--quiet', '--verify']) == 0
    printed = capsys.readouterr().out
    for split in ('xsub_train', 'xsub_val', 'xview_train', 'xview_val'):
        assert f'[verify] {split}:' in printed


def test_pipeline_follows_the_layout():
    ntu_pre = skeleton_pipeline('nturgb+d', 2, 100)[0]
    ucla_pre, feats = skeleton_pipeline('nw-ucla', 1, 100)[:2]
    assert ntu_pre == dict(type='PreNormalize3D', zaxis=[0, 1], xaxis=[8, 4])
    assert feats == dict(type='GenSkeFeat', dataset='nw-ucla', feats=['j'])
    assert ucla_pre['type'] == 'PreNormalize3D'
