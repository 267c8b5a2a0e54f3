"""Corrupt NTU files: each case is reported with file and line, skipped, listed; --strict stops."""
import json
import os.path as osp
import pickle
import shutil

import pytest

from data_prep import ntu
from sfhead_mm.formats.errors import FormatError as SampleError
from sfhead_mm.formats.ntu import read_skeleton
from tests.conftest import require_data
from tests.data_prep.ntu_text import skeleton_text

FRAMES = [[0]] * 4 + [[0, 1]] * 16  # 20 frames, a second body from frame 5 on


def lines_of(frames=FRAMES):
    return skeleton_text(frames, newline='\n').split('\n')


def joint_line(frame, body, joint, frames=FRAMES):
    """0-based index of a joint line in the generated text."""
    i = 1
    for t, bodies in enumerate(frames):
        i += 1
        for b in bodies:
            if t == frame and b == body:
                return i + 2 + joint
            i += 2 + 25
    raise IndexError


def edit(lines, index, text):
    lines = list(lines)
    lines[index] = text
    return lines


def replace_field(line, field, value):
    fields = line.split()
    fields[field] = value
    return ' '.join(fields)


L = lines_of()
J = joint_line(6, 1, 3)  # frame 7, second body, fourth joint
CASES = {
    # name: (file text, 1-based line of the error, words in the message)
    'truncated': ('\n'.join(L[:J + 1])[:-20], J + 1, 'joint line has'),
    'truncated_at_line_end': ('\n'.join(L[:J]) + '\n', J + 1, 'ends early'),
    'too_few_joints': ('\n'.join(edit(L, J - 4, '24')), J - 3, 'expected 25'),
    'joint_line_11_values': ('\n'.join(edit(L, J, ' '.join(L[J].split()[:11]))), J + 1,
                             'has 11 values'),
    'joint_line_13_values': ('\n'.join(edit(L, J, L[J] + ' 7')), J + 1, 'has 13 values'),
    'non_numeric_x': ('\n'.join(edit(L, J, replace_field(L[J], 0, '0.2a7'))), J + 1,
                      'non-numeric'),
    'non_numeric_unused_field': ('\n'.join(edit(L, J, replace_field(L[J], 8, 'abc'))), J + 1,
                                 'non-numeric'),
    'nan': ('\n'.join(edit(L, J, replace_field(L[J], 1, 'NaN'))), J + 1, 'NaN'),
    'overflow': ('\n'.join(edit(L, J, replace_field(L[J], 2, '1e999'))), J + 1,
                 'out of range'),
    'body_count_too_high': ('\n'.join(edit(L, 1, '2')), 30, 'body header of frame 1'),
    'frame_count_too_high': ('\n'.join(edit(L, 0, '21')), len(L), 'ends early'),
    'frame_count_too_low': ('\n'.join(edit(L, 0, '19')), None, 'after the 19 declared'),
    'zero_frames': ('0\n', 1, 'zero frames'),
    'empty_file': ('', 1, 'ends early'),
    'no_body_at_all': (skeleton_text([[]] * 5), 1, 'no body'),
    'same_body_twice': ('\n'.join(edit(L, joint_line(6, 1, 0) - 2, L[joint_line(6, 0, 0) - 2])),
                        joint_line(6, 1, 0) - 1, 'appears twice in frame 7'),
    'bad_body_header': ('\n'.join(edit(L, 2, '72057594037931100 0 1 1')), 3, 'has 4 values'),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_corrupt_file_raises_with_line(tmp_path, case):
    text, line, words = CASES[case]
    path = tmp_path / 'S001C001P001R001A001.skeleton'
    path.write_text(text)
    with pytest.raises(SampleError) as info:
        read_skeleton(str(path))
    record = info.value.record
    assert record.file == str(path)
    if line is not None:
        assert record.line == line, str(record)
    assert words in record.message, str(record)
    assert str(path) in str(info.value)


# Colour-frame fields, read with colour=True: (field, value, words in the message, does the
# default 3D reading also refuse it).
COLOUR_CASES = {
    'non_numeric_colour_x': (5, '1036.2x3', 'non-numeric', True),
    'non_numeric_colour_y': (6, 'abc', 'non-numeric', True),
    'colour_beyond_float32': (6, '1e39', 'beyond float32', False),
    'tracking_state_3': (11, '3', 'trackingState', False),
    'tracking_state_fraction': (11, '1.5', 'trackingState', False),
}


@pytest.mark.parametrize('case', sorted(COLOUR_CASES))
def test_corrupt_colour_field_raises_with_line(tmp_path, case):
    field, value, words, refused_in_3d = COLOUR_CASES[case]
    path = tmp_path / 'S001C001P001R001A001.skeleton'
    path.write_text('\n'.join(edit(L, J, replace_field(L[J], field, value))))
    with pytest.raises(SampleError) as info:
        read_skeleton(str(path), colour=True)
    assert info.value.record.line == J + 1 and words in info.value.record.message, \
        str(info.value)
    if refused_in_3d:
        with pytest.raises(SampleError):
            read_skeleton(str(path))
    else:
        assert read_skeleton(str(path)).bodies[0].colour is None  # 3D reading unchanged


def test_real_file_truncated(tmp_path, shared_data):
    src = require_data(shared_data, 'ntu-rgbd-samples', 'S001C001P001R001A001.skeleton')
    with open(src, 'rb') as f:
        data = f.read()
    path = tmp_path / 'S001C001P001R001A001.skeleton'
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(SampleError) as info:
        read_skeleton(str(path))
    # The cut falls inside a joint line or right after one: the error names that last line.
    n_lines = data[:len(data) // 2].count(b'\n') + 1
    assert info.value.record.line in (n_lines, n_lines - 1), str(info.value)


def make_dataset(folder, corrupt=('nan', 'truncated', 'zero_frames')):
    """Three good generated samples and some corrupt ones, NTU-named."""
    folder.mkdir()
    good = ['S001C001P001R001A001', 'S001C002P002R001A002', 'S001C003P003R002A003']
    for name in good:
        (folder / f'{name}.skeleton').write_text(skeleton_text(FRAMES))
    bad = {}
    for k, case in enumerate(corrupt):
        name = f'S001C00{k + 1}P006R002A0{10 + k}'
        (folder / f'{name}.skeleton').write_text(CASES[case][0])
        bad[name] = CASES[case]
    # Officially excluded sample (missing skeletons): left out without parsing, listed.
    (folder / 'S001C002P005R002A008.skeleton').write_text('garbage')
    return good, bad


def test_run_skips_and_reports_corrupt_files(tmp_path, capsys):
    good, bad = make_dataset(tmp_path / 'skel')
    out = str(tmp_path / 'out' / 'ntu60_3d.pkl')
    code = ntu.main([str(tmp_path / 'skel'), '--out', out, '--quiet'])
    assert code == 0
    with open(out, 'rb') as f:
        data = pickle.load(f)
    assert sorted(a['frame_dir'] for a in data['annotations']) == sorted(good)
    report_path = osp.join(tmp_path, 'out', 'ntu60_3d.report.json')
    with open(report_path) as f:
        report = json.load(f)
    assert report['status'] == 'written'
    errors = {osp.basename(e['file'])[:20]: e for e in report['errors']}
    assert sorted(errors) == sorted(bad)
    for name, (_, line, words) in bad.items():
        assert errors[name]['line'] == line and words in errors[name]['message']
    excluded = report['skipped']['missing skeleton (official list)']
    assert excluded['samples'] == ['S001C002P005R002A008']
    assert report['extra']['absent_from_inputs']['count'] == 56880 - 302 - 3 - len(bad)
    err = capsys.readouterr().err
    assert f'{len(bad)} problem(s) skipped' in err and 'NaN' in err
    assert not osp.exists(out + '.parts')  # resume cache removed after success


def test_strict_mode_stops_at_first_error(tmp_path):
    make_dataset(tmp_path / 'skel', corrupt=('joint_line_11_values', ))
    out = tmp_path / 'ntu60_3d.pkl'
    code = ntu.main([str(tmp_path / 'skel'), '--out', str(out), '--strict', '--quiet'])
    assert code == 1
    assert not out.exists()
    with open(tmp_path / 'ntu60_3d.report.json') as f:
        report = json.load(f)
    assert report['status'] == 'stopped (strict)'
    assert 'has 11 values' in report['errors'][0]['message']


def test_strict_mode_on_bad_file_name(tmp_path):
    folder = tmp_path / 'skel'
    make_dataset(folder, corrupt=())
    shutil.copy(folder / 'S001C001P001R001A001.skeleton', folder / 'not_an_ntu_name.skeleton')
    out = tmp_path / 'o.pkl'
    assert ntu.main([str(folder), '--out', str(out), '--strict', '--quiet']) == 1
    assert not out.exists()
    assert ntu.main([str(folder), '--out', str(out), '--quiet']) == 0
    with open(tmp_path / 'o.report.json') as f:
        report = json.load(f)
    assert 'not an NTU RGB+D sample name' in report['errors'][0]['message']
