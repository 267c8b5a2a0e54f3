"""tools/analysis/analyze_logs.py on mmengine's json log format (MMAction2's own fails on it)."""
import importlib.util
import json
import os.path as osp

import pytest

from tests.conftest import REPO


def tool():
    spec = importlib.util.spec_from_file_location(
        'tool_analyze_logs', osp.join(REPO, 'tools', 'analysis', 'analyze_logs.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_log(path):
    lines = []
    for epoch in (1, 2):
        for it in (10, 20):
            lines.append(dict(lr=0.1, loss=2.0 / (epoch * it), time=0.5 + 0.01 * it,
                              epoch=epoch, iter=it, step=(epoch - 1) * 20 + it))
        lines.append({'acc/top1': 0.3 * epoch, 'time': 0.1, 'step': epoch})
    path.write_text('\n'.join(json.dumps(x) for x in lines) + '\n')
    return str(path)


def test_plot_curve_and_train_time(tmp_path, capsys):
    log = write_log(tmp_path / 'run.json')
    train, val = tool().load_log(log)
    assert [x for x, _ in train['loss']] == [10, 20, 30, 40]
    assert val['acc/top1'] == [(20, 0.3), (40, 0.6)]  # at each epoch's last iteration
    out = tmp_path / 'curves.png'
    assert tool().main(['plot_curve', log, '--keys', 'loss', 'acc/top1', '--out', str(out)]) == 0
    assert out.stat().st_size > 0
    assert tool().main(['cal_train_time', log]) == 0
    assert 'average iteration time 0.' in capsys.readouterr().out


def test_class_names_from_a_config(tmp_path):
    """--class-names CONFIG.py: the names a dataset declaration states (configs/custom/)."""
    import argparse
    from sfhead_mm.evaluation.analysis_cli import class_names_arg, groups_from_args
    config = osp.join(REPO, 'configs', 'custom', 'ctrgcn_my_dataset.py')
    assert class_names_arg(config) == ['wave', 'clap', 'point']
    args = argparse.Namespace(groups={'hands': ['wave', 'clap']}, class_names=config)
    group_set = groups_from_args(args, num_classes=3)
    assert group_set.groups[0].classes == (0, 1)


def test_val_table_reads_a_resumed_work_dir_as_one_run(tmp_path, capsys):
    """val_table: a work dir's runner sessions in order, a re-validated epoch keeping its later
    values; several runs side by side; JSON rows as logged; a missing key named."""
    run = tmp_path / 'run'
    sessions = {'20260101_000000': [(1, 0.30), (2, 0.40)],
                '20260101_010000': [(2, 0.45), (3, 0.50)]}  # resumed from epoch 1's checkpoint
    for stamp, vals in sessions.items():
        vis = run / stamp / 'vis_data'
        vis.mkdir(parents=True)
        lines = []
        for epoch, acc in vals:
            lines.append(dict(loss=1.0, epoch=epoch, iter=10, step=epoch * 10))
            lines.append({'acc/top1': acc, 'ambiguous/confusion': 0.1, 'step': epoch})
        (vis / 'scalars.json').write_text('\n'.join(json.dumps(x) for x in lines) + '\n')
    other = write_log(tmp_path / 'other.json')  # epochs 1, 2: 0.3, 0.6
    out = tmp_path / 'curve.json'
    assert tool().main(['val_table', str(run), other, '--legend', 'a', 'b', '--percent',
                        '--out', str(out)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == '| epoch | a acc/top1 | b acc/top1 |'
    assert table[2:5] == ['| 1 | 30.00 | 30.00 |', '| 2 | 45.00 | 60.00 |', '| 3 | 50.00 |  |']
    rows = json.loads(out.read_text())
    assert rows['a'] == [{'epoch': 1, 'acc/top1': 0.3}, {'epoch': 2, 'acc/top1': 0.45},
                         {'epoch': 3, 'acc/top1': 0.5}]
    with pytest.raises(SystemExit, match="other.json: no validation values of \\['acc/mean1'\\]"):
        tool().main(['val_table', other, '--keys', 'acc/mean1'])
    # an iteration-based run: its rows are iterations, and say so; with an epoch-based one, "step"
    iters = tmp_path / 'iters.json'
    iters.write_text('\n'.join(json.dumps(x) for x in [
        dict(loss=1.0, iter=500, step=500), {'acc/top1': 0.7, 'step': 500}]) + '\n')
    assert tool().main(['val_table', str(iters), '--out', str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[:3] == [
        '| iter | acc/top1 |', '|---|---|', '| 500 | 0.7000 |']
    assert json.loads(out.read_text()) == {'iters.json': [{'iter': 500, 'acc/top1': 0.7}]}
    assert tool().main(['val_table', str(iters), other]) == 0
    assert capsys.readouterr().out.startswith('| step | iters.json acc/top1 |')


def test_a_broken_log_line_is_one_error_naming_file_and_line(tmp_path):
    """Every task reads logs through sfhead_mm.utils.json_logs: a broken line stops it with
    file:line, a missing work dir with its path; no traceback."""
    log = tmp_path / 'run.json'
    write_log(log)
    lines = log.read_text().splitlines(keepends=True)
    log.write_text(''.join(lines[:2] + ['{"loss": oops}\n'] + lines[2:]))
    for task in (['val_table', str(log)], ['cal_train_time', str(log)],
                 ['plot_curve', str(log), '--out', str(tmp_path / 'c.png')]):
        with pytest.raises(SystemExit, match=r'^error: .*run\.json:3: not a json log line'):
            tool().main(task)
    with pytest.raises(SystemExit, match=r'^error: .*absent: neither a json log nor a work dir'):
        tool().main(['val_table', str(tmp_path / 'absent')])
