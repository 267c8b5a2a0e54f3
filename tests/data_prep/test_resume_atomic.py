"""Interrupted runs resume without re-parsing, outputs are atomic, workers agree, ETA shows."""
import io
import json
import os
import pickle

import numpy as np
import pytest

from data_prep import ntu
from sfhead_mm.utils import atomic_write as atomic
from data_prep.progress import Progress
from data_prep.resume import ShardStore
from data_prep.runner import FileResult, process_files
from tests.data_prep.ntu_text import skeleton_text

NAMES = ['S001C001P001R001A001', 'S001C001P001R001A002', 'S001C001P001R001A003',
         'S001C001P001R001A004', 'S001C001P001R001A005']


def make_inputs(folder):
    folder.mkdir()
    for k, name in enumerate(NAMES):
        (folder / f'{name}.skeleton').write_text(skeleton_text([[0]] * (15 + k)))
    return folder


def counting_reader(monkeypatch, interrupt_at=None):
    """Patch the NTU reader: count calls, optionally raise Ctrl-C at the n-th call."""
    calls = []
    real = ntu.read_skeleton

    def reader(path, num_joints=25):
        calls.append(os.path.basename(path))
        if interrupt_at is not None and len(calls) == interrupt_at:
            raise KeyboardInterrupt
        return real(path, num_joints)

    monkeypatch.setattr(ntu, 'read_skeleton', reader)
    return calls


def load(path):
    with open(path, 'rb') as f:
        return pickle.load(f)


def test_interrupted_run_resumes_without_reparsing(tmp_path, monkeypatch):
    src = make_inputs(tmp_path / 'skel')
    out = tmp_path / 'ntu60_3d.pkl'
    args = [str(src), '--out', str(out), '--quiet']

    calls = counting_reader(monkeypatch, interrupt_at=4)
    assert ntu.main(args) == 130  # Ctrl-C on the 4th file
    assert not out.exists()  # never a partial pickle
    assert len(calls) == 4
    assert len(os.listdir(str(out) + '.parts')) == 3 + 1  # 3 shards + settings.json

    calls = counting_reader(monkeypatch)
    assert ntu.main(args) == 0
    assert sorted(calls) == [f'{n}.skeleton' for n in NAMES[3:]]  # only the unfinished two
    with open(tmp_path / 'ntu60_3d.report.json') as f:
        counts = json.load(f)['counts']
    assert counts['cached'] == 3 and counts['parsed'] == 2

    resumed = load(out)
    fresh_out = tmp_path / 'fresh.pkl'
    assert ntu.main([str(src), '--out', str(fresh_out), '--quiet']) == 0
    fresh = load(fresh_out)
    assert resumed['split'] == fresh['split']
    for a, b in zip(resumed['annotations'], fresh['annotations']):
        assert a['frame_dir'] == b['frame_dir']
        assert np.array_equal(a['keypoint'], b['keypoint'])


def test_changed_file_and_changed_settings_are_reparsed(tmp_path, monkeypatch):
    src = make_inputs(tmp_path / 'skel')
    out = tmp_path / 'o.pkl'
    args = [str(src), '--out', str(out), '--quiet', '--keep-parts']
    assert ntu.main(args) == 0
    # Edit one file (different length): only it is parsed again.
    (src / f'{NAMES[0]}.skeleton').write_text(skeleton_text([[0]] * 40))
    calls = counting_reader(monkeypatch)
    assert ntu.main(args) == 0
    assert calls == [f'{NAMES[0]}.skeleton']
    assert load(out)['annotations'][0]['total_frames'] == 40
    # Other clean-up settings: the cache is not trusted, every file is parsed.
    calls = counting_reader(monkeypatch)
    assert ntu.main(args + ['--no-denoise']) == 0
    assert len(calls) == len(NAMES)
    # --no-resume parses everything again.
    calls = counting_reader(monkeypatch)
    assert ntu.main(args + ['--no-denoise', '--no-resume']) == 0
    assert len(calls) == len(NAMES)


def test_damaged_shard_is_recomputed(tmp_path):
    store = ShardStore(str(tmp_path / 'parts'), dict(a=1))
    src = tmp_path / 'f.txt'
    src.write_text('x')
    from data_prep.resume import fingerprint
    store.put('k', fingerprint(str(src)), FileResult(notes=['ok']))
    assert store.get('k', fingerprint(str(src))).notes == ['ok']
    with open(tmp_path / 'parts' / 'k.pkl', 'wb') as f:
        f.write(b'\x80\x04truncated')
    assert store.get('k', fingerprint(str(src))) is None


def test_failed_write_keeps_previous_output(tmp_path, monkeypatch):
    out = tmp_path / 'o.pkl'
    atomic.write_pickle(str(out), {'old': 1})

    def broken_dump(obj, f, protocol=None):
        f.write(b'\x80\x05partial data')
        raise OSError('disk full')

    monkeypatch.setattr(atomic.pickle, 'dump', broken_dump)
    with pytest.raises(OSError):
        atomic.write_pickle(str(out), {'new': 2})
    assert load(out) == {'old': 1}
    assert os.listdir(tmp_path) == ['o.pkl']  # no temporary file left behind
    assert oct(os.stat(out).st_mode & 0o777) != oct(0o600)  # usual permissions, not mkstemp's


def _square(path):
    if path.endswith('bad'):
        from sfhead_mm.formats.errors import FormatError as SampleError
        raise SampleError(path, 'bad file', line=3)
    return FileResult(samples=[{'v': int(path.rsplit('/', 1)[-1]) ** 2}])


def test_workers_give_the_same_results_in_task_order(tmp_path):
    tasks = [(str(i), f'/x/{i}') for i in range(40)] + [('b', '/x/bad')]
    serial = process_files(tasks, _square, workers=1, progress=False)
    parallel = process_files(tasks, _square, workers=2, progress=False)
    assert list(parallel.results) == [k for k, _ in tasks]
    assert [r.samples for r in parallel.results.values()] == \
        [r.samples for r in serial.results.values()]
    assert [str(e) for e in parallel.errors] == ['/x/bad:3: bad file']


def test_progress_prints_rate_and_eta():
    stream = io.StringIO()
    bar = Progress(4, desc='ntu60', stream=stream, log_interval=0.0)
    for _ in range(4):
        bar.update()
    bar.close()
    lines = stream.getvalue().strip().splitlines()
    assert len(lines) == 4 and lines[-1].startswith('ntu60 [')
    assert '4/4' in lines[-1] and 'ETA 00:00' in lines[-1] and 'files/s' in lines[-1]
    assert 'ETA' in lines[0] and '1/4' in lines[0]


def test_parallel_ntu_conversion_writes_shards(tmp_path):
    import functools
    src = make_inputs(tmp_path / 'skel')
    tasks = [(n, str(src / f'{n}.skeleton')) for n in NAMES]
    convert = functools.partial(ntu.convert_ntu_file, fmt='skeleton', num_joints=25)
    store = ShardStore(str(tmp_path / 'parts'), dict(test=1))
    parallel = process_files(tasks, convert, workers=2, store=store, progress=False)
    serial = process_files(tasks, convert, workers=1, progress=False)
    assert parallel.parsed == len(NAMES) and len(store) == len(NAMES)
    for key in NAMES:
        a, b = parallel.results[key].samples[0], serial.results[key].samples[0]
        assert np.array_equal(a['keypoint'], b['keypoint'])
    again = process_files(tasks, convert, workers=2, store=store, progress=False)
    assert again.cached == len(NAMES) and again.parsed == 0
