"""Bad inputs never stop a conversion and never leave anything stale behind (issue 14).

Each case uses small crafted files: a coordinate beyond float32 (``1e39``, finite as float64,
inf as float32) in one ``.skeleton`` or NW-UCLA json, a header claiming 999,999,999 frames, a
json ``"label": true``, a ``kill -9`` during the final write, orphaned workers, a full disk.
"""
import errno
import json
import os
import os.path as osp
import pickle
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from data_prep import ntu, nwucla
from sfhead_mm.formats.errors import FormatError
from sfhead_mm.formats.ntu import read_skeleton
from sfhead_mm.utils import atomic_write as atomic
from tests.conftest import REPO
from tests.data_prep.ntu_text import skeleton_text

GOOD = ['S001C001P001R001A001', 'S001C002P002R001A002', 'S001C003P003R002A003']
BAD = 'S001C001P006R002A010'


def replace_value(text: str, line: int, field: int, value: str) -> str:
    lines = text.split('\n')
    fields = lines[line - 1].split()
    fields[field] = value
    lines[line - 1] = ' '.join(fields)
    return '\n'.join(lines)


def ntu_folder(tmp_path, bad_text=None):
    folder = tmp_path / 'skel'
    folder.mkdir()
    for name in GOOD:
        (folder / f'{name}.skeleton').write_text(skeleton_text([[0]] * 20, newline='\n'))
    if bad_text is not None:
        (folder / f'{BAD}.skeleton').write_text(bad_text)
    return folder


def load(path):
    with open(path, 'rb') as f:
        return pickle.load(f)


def report_of(out):
    with open(str(out)[:-4] + '.report.json') as f:
        return json.load(f)


# ------------------------------------------------------------------ beyond float32 (1e39)
def test_ntu_value_beyond_float32_is_reported_and_the_run_goes_on(tmp_path, capsys):
    # line 1 frames, 2 bodies, 3 body header, 4 joints, 5.. joint lines: line 9 = 5th joint
    text = replace_value(skeleton_text([[0]] * 20, newline='\n'), 9, 1, '1e39')
    with pytest.raises(FormatError) as info:
        path = tmp_path / f'{BAD}.skeleton'
        path.write_text(text)
        read_skeleton(str(path))
    assert info.value.record.line == 9 and 'float32' in info.value.record.message
    (tmp_path / 'run').mkdir()
    folder = ntu_folder(tmp_path / 'run', text)
    out = tmp_path / 'run' / 'ntu60_3d.pkl'
    for attempt in range(2):  # a rerun behaves the same (nothing bad was cached)
        assert ntu.main([str(folder), '--out', str(out), '--quiet', '--keep-parts']) == 0
        assert sorted(a['frame_dir'] for a in load(out)['annotations']) == GOOD
        (error, ) = report_of(out)['errors']
        assert osp.basename(error['file']) == f'{BAD}.skeleton' and error['line'] == 9
        assert '1e39' in error['message']
        err = capsys.readouterr().err
        assert f'{BAD}.skeleton:9: ' in err and 'Traceback' not in err
    assert report_of(out)['counts']['cached'] == len(GOOD)


def test_nwucla_value_beyond_float32_and_label_true(tmp_path, capsys):
    folder = tmp_path / 'all_sqe'
    folder.mkdir()
    frames = np.random.default_rng(0).normal(size=(6, 20, 3)).round(4).tolist()
    for name in ('a01_s01_e00_v01', 'a02_s01_e00_v03'):
        label = 1 if name.startswith('a01') else 2
        (folder / f'{name}.json').write_text(json.dumps(
            dict(file_name=name, skeletons=frames, label=label)))
    big = [f[:] for f in frames]
    big[4] = [j[:] for j in big[4]]
    big[4][7] = [0.1, 1e39, 0.2]
    text = json.dumps(dict(file_name='a01_s02_e00_v01', skeletons=big, label=1), indent=1)
    (folder / 'a01_s02_e00_v01.json').write_text(text)
    (folder / 'a01_s03_e00_v01.json').write_text(json.dumps(
        dict(file_name='a01_s03_e00_v01', skeletons=frames, label=True)))
    out = tmp_path / 'nwucla_3d.pkl'
    for attempt in range(2):
        assert nwucla.main([str(folder), '--out', str(out), '--quiet']) == 0
        names = sorted(a['frame_dir'] for a in load(out)['annotations'])
        assert names == ['a01_s01_e00_v01', 'a02_s01_e00_v03']
        errors = {osp.basename(e['file']): e for e in report_of(out)['errors']}
        big_error = errors['a01_s02_e00_v01.json']
        assert 'skeletons[4][7][1]' in big_error['message'] and 'float32' in big_error['message']
        assert big_error['line'] == text.split('1e+39')[0].count('\n') + 1
        assert '"label" is true' in errors['a01_s03_e00_v01.json']['message']
        assert 'Traceback' not in capsys.readouterr().err


def test_nwucla_label_rule_is_the_same_for_inference(tmp_path):
    from sfhead_mm.apis.readers import InputError, read_skeleton_file
    path = tmp_path / 'a01_s03_e00_v01.json'
    frames = np.ones((3, 20, 3)).tolist()
    path.write_text(json.dumps(dict(file_name='a01_s03_e00_v01', skeletons=frames, label=True)))
    with pytest.raises(InputError, match='"label" is true; expected an integer 1..10'):
        read_skeleton_file(str(path))
    with pytest.raises(FormatError, match='"label" is true'):
        nwucla.convert_nwucla_file(str(path))
    path.write_text(json.dumps(dict(file_name='a01_s03_e00_v01', skeletons=frames, label=1)))
    (sample, ) = read_skeleton_file(str(path))
    assert sample.label == nwucla.convert_nwucla_file(str(path)).samples[0]['label'] == 0


# ------------------------------------------------------------------- impossible frame count
def test_header_claiming_a_billion_frames_is_refused_up_front(tmp_path):
    text = skeleton_text([[0]] * 20, newline='\n').split('\n', 1)[1]
    path = tmp_path / f'{BAD}.skeleton'
    path.write_text('999999999\n' + text)
    start = time.perf_counter()
    with pytest.raises(FormatError) as info:
        read_skeleton(str(path))
    assert time.perf_counter() - start < 2.0  # no 8 GB allocation first
    record = info.value.record
    assert record.line == 1 and '999,999,999 frames' in record.message
    assert f'{path.stat().st_size:,} bytes' in record.message
    assert '\n' not in str(info.value)


# ------------------------------------------------------------------------- kill -9 / orphans
DRIVER = r'''
import os, signal, sys, time
sys.path.insert(0, {repo!r})
from data_prep import ntu
from sfhead_mm.utils import atomic_write
mode = sys.argv[1]
if mode == 'kill-in-final-write':
    real_dump = atomic_write.pickle.dump
    def dump(obj, f, protocol=None):
        if '.ntu60_3d.pkl.' in os.path.basename(f.name):
            f.write(b'\x80\x05partial')
            f.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        return real_dump(obj, f, protocol=protocol)
    atomic_write.pickle.dump = dump
elif mode == 'slow':
    real_read = ntu.read_skeleton
    def read(path, num_joints=25):
        time.sleep(1.5)
        return real_read(path, num_joints)
    ntu.read_skeleton = read
sys.exit(ntu.main(sys.argv[2:]))
'''


def driver(tmp_path):
    path = tmp_path / 'driver.py'
    path.write_text(DRIVER.format(repo=REPO))
    return str(path)


def test_kill_during_final_write_leaves_no_temporary_for_good(tmp_path):
    folder = ntu_folder(tmp_path)
    out = tmp_path / 'out' / 'ntu60_3d.pkl'
    args = [str(folder), '--out', str(out), '--quiet']
    proc = subprocess.run([sys.executable, driver(tmp_path), 'kill-in-final-write', *args],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == -signal.SIGKILL
    left = [n for n in os.listdir(out.parent) if n.endswith('.tmp.pkl')]
    assert len(left) == 1 and left[0].startswith('.ntu60_3d.pkl.') and not out.exists()
    proc = subprocess.run([sys.executable, '-m', 'data_prep.ntu', *args], capture_output=True,
                          text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert 'removed 1 temporary file(s) left by an interrupted earlier run' in proc.stderr
    assert sorted(os.listdir(out.parent)) == ['ntu60_3d.pkl', 'ntu60_3d.report.json']
    assert sorted(a['frame_dir'] for a in load(out)['annotations']) == GOOD


def test_orphaned_workers_exit_quietly(tmp_path):
    folder = tmp_path / 'skel'
    folder.mkdir()
    for k in range(8):
        name = f'S001C001P001R001A{k + 1:03d}'
        (folder / f'{name}.skeleton').write_text(skeleton_text([[0]] * 15, newline='\n'))
    out = tmp_path / 'ntu60_3d.pkl'
    proc = subprocess.Popen([sys.executable, driver(tmp_path), 'slow', str(folder), '--out',
                             str(out), '--workers', '2', '--quiet'],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    for _ in range(5):
        if '8 files, 2 worker(s)' in proc.stderr.readline().decode():
            break
    else:
        raise AssertionError('the run did not start its workers')
    time.sleep(1.0)  # the workers are inside their first file
    proc.kill()  # kill -9 of the parent only
    proc.wait()
    try:
        rest = subprocess.run(['cat'], stdin=proc.stderr, capture_output=True, timeout=30).stdout
    finally:
        proc.stderr.close()
    text = rest.decode()
    assert 'Traceback' not in text and 'BrokenPipeError' not in text, text
    assert not out.exists()


# --------------------------------------------------------------------------------- full disk
def test_full_disk_is_one_line_and_keeps_the_older_output(tmp_path, monkeypatch, capsys):
    folder = ntu_folder(tmp_path)
    out = tmp_path / 'ntu60_3d.pkl'
    atomic.write_pickle(str(out), {'older': True})

    def full(obj, f, protocol=None):
        f.write(b'\x80\x05part')
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.pickle, 'dump', full)
    assert ntu.main([str(folder), '--out', str(out), '--quiet']) == 1
    err = capsys.readouterr().err
    errors = [ln for ln in err.splitlines() if ln.startswith('error:')]
    assert len(errors) == 1 and 'no space left on the device' in errors[0]
    assert str(out) in errors[0] and 'Traceback' not in err
    monkeypatch.undo()
    assert load(out) == {'older': True}
    assert not [n for n in os.listdir(tmp_path) if '.tmp.' in n]
    assert report_of(out)['status'].startswith('failed: cannot write the output')
