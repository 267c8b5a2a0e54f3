"""sfhead_mm.utils.json_logs: the one reader of mmengine's json logs (analyze_logs, run_seeds)."""
import json

import pytest

from sfhead_mm.utils.json_logs import (log_files, log_lines, median_train_value, session_logs,
                                       session_seconds, val_rows, val_step_name)


def _write(path, records, tail=''):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(''.join(json.dumps(r) + '\n' for r in records) + tail)
    return str(path)


EPOCH_BASED = [dict(lr=0.1, loss=2.0, time=0.5, epoch=1, iter=10, step=10),
               {'acc/top1': 0.3, 'time': 0.1, 'data_time': 0.01, 'step': 1},
               dict(lr=0.1, loss=1.0, time=0.7, epoch=2, iter=20, step=20, flag=True),
               {'acc/top1': 0.6, 'time': 0.1, 'data_time': 0.01, 'step': 2, 'note': 'x'}]


def test_lines_are_training_or_validation_as_mmengine_writes_them(tmp_path):
    """Training lines carry ``iter`` (with or without ``epoch``); validation lines only ``step``;
    non-numeric values (and booleans) are left out."""
    log = _write(tmp_path / 'run.json', EPOCH_BASED)
    kinds = list(log_lines(log))
    assert [k for k, _ in kinds] == ['train', 'val', 'train', 'val']
    assert kinds[2][1] == dict(lr=0.1, loss=1.0, time=0.7, epoch=2, iter=20, step=20)
    assert kinds[3][1] == {'acc/top1': 0.6, 'time': 0.1, 'data_time': 0.01, 'step': 2}
    # an iteration-based loop: no epoch on training lines, validation step = the iteration
    iter_based = _write(tmp_path / 'iters.json', [dict(loss=1.0, time=0.5, iter=100, step=100),
                                                  {'acc/top1': 0.4, 'step': 100}])
    assert [k for k, _ in log_lines(iter_based)] == ['train', 'val']
    assert val_rows(iter_based) == {100: {'acc/top1': 0.4}}
    # what a validation step counts, from the training lines
    assert val_step_name(log) == 'epoch' and val_step_name(iter_based) == 'iter'
    assert val_step_name(_write(tmp_path / 'val.json', [{'acc/top1': 0.4, 'step': 3}])) == 'step'


def test_a_live_runs_unfinished_line_is_left_out_a_broken_one_named(tmp_path):
    log = _write(tmp_path / 'run.json', EPOCH_BASED, tail='{"acc/top1": 0.9, "st')
    assert list(val_rows(log)) == [1, 2]  # the epoch-3 line being written is not read
    _write(tmp_path / "run.json", EPOCH_BASED)
    text = (tmp_path / 'run.json').read_text().splitlines(keepends=True)
    (tmp_path / 'run.json').write_text(''.join(text[:2] + ['{"loss": oops}\n'] + text[2:]))
    with pytest.raises(ValueError, match=r'run\.json:3: not a json log line'):
        list(log_lines(log))
    (tmp_path / 'run.json').write_text(''.join(text[:1] + ['[1, 2]\n']))
    with pytest.raises(ValueError, match=r'run\.json:2: not a json log line \(a list'):
        list(log_lines(log))


def test_a_resumed_work_dir_reads_as_one_run(tmp_path):
    """Runner sessions oldest first; a re-validated epoch keeps the later session's values;
    the step time is the median over every session's training lines."""
    _write(tmp_path / '20260101_010000' / 'vis_data' / 'scalars.json',
           [dict(loss=1.0, time=3.0, epoch=2, iter=20, step=20), {'acc/top1': 0.45, 'step': 2},
            dict(loss=1.0, time=2.0, epoch=3, iter=30, step=30), {'acc/top1': 0.5, 'step': 3}])
    _write(tmp_path / '20260101_000000' / 'vis_data' / 'scalars.json', EPOCH_BASED)
    assert [p.split('/')[-3] for p in session_logs(str(tmp_path))] == [
        '20260101_000000', '20260101_010000']
    rows = val_rows(str(tmp_path))
    assert {e: r['acc/top1'] for e, r in rows.items()} == {1: 0.3, 2: 0.45, 3: 0.5}
    assert median_train_value(str(tmp_path)) == pytest.approx(1.35)  # of 0.5, 0.7, 3, 2
    assert median_train_value(str(tmp_path), 'missing') is None
    assert median_train_value(str(tmp_path / 'absent')) is None
    with pytest.raises(FileNotFoundError, match='absent: neither a json log nor a work dir'):
        log_files(str(tmp_path / 'absent'))


def test_each_sessions_wall_time_is_read_from_its_text_log(tmp_path):
    """From the first to the last timed line of ``<stamp>/<stamp>.log`` (a multi-line record
    and the untimed lines between are read past; a day boundary is crossed), oldest session
    first; a session that logged one timed line or none lasted 0 s; other .log files are not
    sessions."""
    def log(stamp, text):
        (tmp_path / stamp).mkdir()
        (tmp_path / stamp / f'{stamp}.log').write_text(text)

    log('20261205_235950', '2026/12/05 23:59:50 - mmengine - INFO - \n'
        '------------------------------------------------------------\n'
        'System environment:\n'
        '2026/12/06 00:01:05 - mmengine - INFO - Epoch(train) [1][50/319]  lr: 1e-2\n'
        '2026/12/06 00:02:40 - mmengine - INFO - Saving checkpoint at 1 epochs\n'
        'a traceback line\n')
    log('20261205_053752', '2026/12/05 05:37:52 - mmengine - INFO - start\n'
        '2026/12/05 05:38:02 - mmengine - INFO - Epoch(train) [1][50/319]\n')
    log('20261206_010000', '2026/12/06 01:00:00 - mmengine - INFO - killed at once\n')
    log('20261206_020000', '')
    (tmp_path / '20261206_020000' / 'other.log').write_text(
        '2026/12/06 02:00:00 - x\n2026/12/06 03:00:00 - x\n')
    assert session_seconds(str(tmp_path)) == [10.0, 170.0, 0.0, 0.0]
    assert session_seconds(str(tmp_path / 'absent')) == []
