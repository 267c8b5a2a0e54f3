"""The benchmark and study scripts run (tiny sizes), and the seeds summary computes mean/spread."""
import json
import textwrap
import os
import os.path as osp
import shutil
import subprocess
import sys

import numpy as np
import pytest

from sfhead_mm.evaluation.result_files import load_results
from sfhead_mm.evaluation.study import summarise
from tests.conftest import REPO, TEST_CONFIGS, data_options, run
from tests.evaluation.ambiguous_cases import make_samples, write_dump

BENCH = osp.join(REPO, 'tools', 'benchmark')


def _run_seeds():
    """tools/benchmark/run_seeds.py as a module."""
    sys.path.insert(0, BENCH)
    try:
        import run_seeds
    finally:
        sys.path.remove(BENCH)
    return run_seeds


def _fake_tools(tmp_path, train_src: str):
    """A tools folder whose train.py runs ``train_src`` (then writes last_checkpoint) and whose
    test.py writes top-1 0.5 to its --metrics-out and a two-clip score file to its --dump:
    stand-ins with the real command lines."""
    tools = tmp_path / 'tools'
    tools.mkdir()
    (tools / 'train.py').write_text(textwrap.dedent(train_src) + textwrap.dedent('''
        with open(os.path.join(work_dir, 'last_checkpoint'), 'w') as f:
            f.write(os.path.join(work_dir, 'epoch_1.pth'))
    '''))
    (tools / 'test.py').write_text(
        "import json, sys\n"
        "json.dump({'acc/top1': 0.5}, open(sys.argv[sys.argv.index('--metrics-out') + 1], 'w'))\n"
        "json.dump({'format': 'sfhead_mm.scores/1', 'ids': ['x', 'y'], 'labels': [0, 1],\n"
        "           'scores': [[0.75, 0.25], [0.5, 0.5]]},\n"
        "          open(sys.argv[sys.argv.index('--dump') + 1], 'w'))\n"
        "print('testing', sys.argv[2])\n")
    return str(tools)


def test_sfhead_overhead_prints_every_variant(python, tmp_path):
    out = tmp_path / 'r.json'
    proc = run([python, osp.join(BENCH, 'sfhead_overhead.py'), '--backbones', 'STGCN',
                '--layout', 'nw-ucla', '--persons', '1',  # 20 joints, taken from the layout
                '--batch', '1', '--frames', '8', '--repeats', '1', '--warmup', '0',
                '--variants', 'bare', 'auxiliary', '--modes', 'eager', '--dtypes', 'fp32',
                'bf16', '--memory', '--json', str(out)])
    assert 'STGCN' in proc.stdout
    meta = json.loads(out.read_text())['meta']
    assert (meta['layout'], meta['joints'], meta['persons']) == ('nw-ucla', 20, 1)
    result = json.loads(out.read_text())['backbones']['STGCN']
    assert result['params']['auxiliary'] - result['params']['bare'] == 3304
    assert set(result['modes']) == {'eager-fp32', 'eager-bf16'}
    for timing in result['modes'].values():
        assert all(timing[step][v] > 0 for step in ('train', 'infer')
                   for v in ('bare', 'auxiliary'))
    assert result['fastest_train_mode'] in result['modes']
    assert result['peak_bytes']['bare'] > 0 and result['peak_bytes']['auxiliary'] > 0


def test_train_throughput_on_a_config(python, tmp_path, synthetic_small):
    out = tmp_path / 't.json'
    cfgs = [osp.join(TEST_CONFIGS, 'tiny_stgcn_synthetic.py'),
            osp.join(TEST_CONFIGS, 'tiny_stgcn_sfhead_synthetic.py')]
    run([python, osp.join(BENCH, 'train_throughput.py'), *cfgs, '--iters', '2', '--warmup', '1',
         '--no-memory', '--json', str(out), '--cfg-options',
         f'train_dataloader.dataset.dataset.ann_file={synthetic_small}'])
    result = json.loads(out.read_text())
    rates = [r['samples_per_second'] for r in result.values()]
    assert len(rates) == 2 and all(r > 0 for r in rates)
    assert result[cfgs[0]]['step_time_ratio'] == 1.0


def test_config_step_times_each_config_with_and_without_the_overrides(python, tmp_path):
    """--with: each config is timed as it is and with the overrides (here a wider backbone and
    head, so the override shows in the parameter count), rows in that order."""
    out = tmp_path / 's.json'
    cfg = osp.join(TEST_CONFIGS, 'tiny_stgcn_synthetic.py')
    proc = run([python, osp.join(BENCH, 'config_step.py'), cfg, '--batch', '2', '--frames', '8',
                '--iters', '1', '--warmup', '0', '--json', str(out), '--with',
                'model.backbone.base_channels=32', 'model.cls_head.in_channels=64'])
    rows = json.loads(out.read_text())['rows']
    assert [r['overrides'] for r in rows] == [
        {}, {'model.backbone.base_channels': 32, 'model.cls_head.in_channels': 64}]
    assert rows[1]['params'] > rows[0]['params']
    assert rows[0]['ratio'] == 1.0 and rows[0]['ratio_to_own'] is None
    assert rows[1]['ratio_to_own'] == rows[1]['step_seconds'] / rows[0]['step_seconds'] > 0
    assert '+ with' in proc.stdout and 'to own' in proc.stdout
    # an override the model does not take: one line naming the config and the override
    proc = subprocess.run([python, osp.join(BENCH, 'config_step.py'), cfg, '--iters', '1',
                           '--with', 'model.backbone.batched_tcn=True'],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert cfg in last and 'model.backbone.batched_tcn=True' in last and 'Error' in last, last


@pytest.mark.parametrize('lr, shown', [('1e30', '1e+30'), ('inf', 'inf')])
def test_config_step_names_a_row_whose_loss_turns_nan_and_exits_non_zero(
        python, tmp_path, lr, shown):
    """A learning rate of 1e30 (or inf) makes the second step's loss nan: its row says so, the
    json keeps every row with the step (an inf override written as text), and the run ends with
    one line naming the config."""
    out = tmp_path / 's.json'
    cfg = osp.join(TEST_CONFIGS, 'tiny_stgcn_synthetic.py')
    proc = subprocess.run([python, osp.join(BENCH, 'config_step.py'), cfg, '--batch', '2',
                           '--frames', '8', '--iters', '2', '--warmup', '0', '--json', str(out),
                           '--with', f'optim_wrapper.optimizer.lr={lr}'],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode != 0
    rows = json.loads(out.read_text())['rows']
    assert [r['nonfinite_from_step'] for r in rows] == [None, 2]
    assert rows[1]['overrides'] == {'optim_wrapper.optimizer.lr': float(lr) if lr != 'inf'
                                    else 'inf'}
    assert proc.stdout.count('loss nan/inf from step 2') == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f'{osp.relpath(cfg, REPO)} with optim_wrapper.optimizer.lr={shown}: '
                           'loss not finite from step 2 of 2'), last


def test_train_throughput_times_each_compile_spec(python, tmp_path, synthetic_small):
    """--compile: one row per (config, spec), the compiled one keyed apart, with its warm-up
    (compilation) time; ``eager`` is Dynamo's capture alone, quick on a CPU."""
    out = tmp_path / 't.json'
    cfg = osp.join(TEST_CONFIGS, 'tiny_stgcn_synthetic.py')
    proc = run([python, osp.join(BENCH, 'train_throughput.py'), cfg, '--iters', '2',
                '--warmup', '1', '--no-memory', '--json', str(out),
                '--compile', 'none', 'eager', 'forward:eager',
                '--cfg-options', f'train_dataloader.dataset.dataset.ann_file={synthetic_small}'])
    result = json.loads(out.read_text())
    assert list(result) == [cfg, f'{cfg} [compile eager]', f'{cfg} [compile forward:eager]']
    compiled = result[f'{cfg} [compile eager]']
    assert compiled['compile'] == 'eager' and compiled['warmup_seconds'] > 0
    assert result[cfg]['step_time_ratio'] == 1.0 and result[cfg]['compile'] == 'none'
    assert 'warm-up s' in proc.stdout


def test_seeds_step_time_is_median_of_logged_training_iterations(tmp_path):
    run_seeds = _run_seeds()
    # two runner sessions (a resumed run): train records carry loss + time, val records do not
    for stamp, times in (('20260101_000000', [9.0, 1.0]), ('20260101_010000', [2.0, 3.0])):
        vis = tmp_path / stamp / 'vis_data'
        vis.mkdir(parents=True)
        lines = [{'loss': 1.0, 'time': t, 'iter': i} for i, t in enumerate(times)]
        lines.append({'acc/top1': 0.5, 'step': 1})
        (vis / 'scalars.json').write_text('\n'.join(json.dumps(x) for x in lines))
    assert run_seeds.median_step_seconds(str(tmp_path)) == 2.5  # median of 9, 1, 2, 3
    assert run_seeds.median_step_seconds(str(tmp_path / 'nothing')) is None
    table = summarise({'cfg': {'0': {'acc/top1': 0.5, 'step_seconds': 2.5}}})
    assert table.splitlines()[-1].endswith('| 2.50 |')


def test_seeds_by_seed_order_and_a_failed_run_does_not_stop_the_study(tmp_path, monkeypatch,
                                                                      capsys):
    run_seeds = _run_seeds()
    assert run_seeds.plan(['a.py', 'b.py'], [0, 1]) == [('a.py', 0), ('a.py', 1), ('b.py', 0),
                                                        ('b.py', 1)]
    assert run_seeds.plan(['a.py', 'b.py'], [0, 1], by_seed=True) == [
        ('a.py', 0), ('b.py', 0), ('a.py', 1), ('b.py', 1)]
    calls = []

    def fake_run_one(config, seed, root, python, extra, log_file=False, deadline=None,
                     threads=None):
        assert threads is None  # --jobs 1: the environment's threads
        assert not log_file  # one run at a time: output to the terminal
        calls.append((config, seed))
        if (config, seed) == ('b.py', 0):
            raise subprocess.CalledProcessError(3, [python, '/x/tools/train.py', config])
        return {'acc/top1': 0.5 + 0.1 * seed}

    monkeypatch.setattr(run_seeds, 'run_one', fake_run_one)
    with pytest.raises(SystemExit, match=r'1 run\(s\) failed: b seed 0'):
        run_seeds.main(['a.py', 'b.py', '--seeds', '0', '1', '--by-seed', '--root',
                        str(tmp_path)])
    assert calls == [('a.py', 0), ('b.py', 0), ('a.py', 1), ('b.py', 1)]  # went on after b/0
    err = capsys.readouterr().err
    assert 'error: b.py seed 0: train.py exited with status 3' in err
    summary = json.loads((tmp_path / 'summary.json').read_text())
    assert summary == {'a': {'0': {'acc/top1': 0.5}, '1': {'acc/top1': 0.6}},
                       'b': {'1': {'acc/top1': 0.6}}}


def test_seeds_jobs_run_side_by_side_with_one_log_each(tmp_path, monkeypatch):
    """--jobs 2: two runs at once (each waits until the other has started), outputs in run.log."""
    run_seeds = _run_seeds()
    tools = _fake_tools(tmp_path, '''
        import os, sys, time
        work_dir = sys.argv[sys.argv.index('--work-dir') + 1]
        seed = sys.argv[sys.argv.index('--seed') + 1]
        open(os.path.join(work_dir, 'started'), 'w').close()
        other = os.path.join(os.path.dirname(work_dir), 'seed1' if seed == '0' else 'seed0')
        deadline = time.time() + 60
        while not os.path.exists(os.path.join(other, 'started')):  # the other run is running
            assert time.time() < deadline, 'runs did not overlap'
            time.sleep(0.05)
        print('training seed', seed)
    ''')
    monkeypatch.setattr(run_seeds, 'TOOLS', tools)
    run_seeds.main(['a.py', '--seeds', '0', '1', '--jobs', '2', '--root', str(tmp_path / 'r')])
    summary = json.loads((tmp_path / 'r' / 'summary.json').read_text())
    assert sorted(summary['a']) == ['0', '1']
    log = (tmp_path / 'r' / 'a' / 'seed1' / 'run.log').read_text()
    assert 'training seed 1' in log and 'epoch_1.pth' in log
    with pytest.raises(SystemExit):
        run_seeds.main(['a.py', '--jobs', '0'])


@pytest.mark.skipif(not hasattr(os, 'wait4'), reason='CPU time of a child needs os.wait4')
def test_seeds_record_the_training_cpu_time_which_a_pause_does_not_add_to(tmp_path, monkeypatch):
    """train_cpu_seconds: the CPU time of train.py and of the children it waited for (a
    data-loader worker), not its time asleep (or stopped)."""
    run_seeds = _run_seeds()
    tools = _fake_tools(tmp_path, '''
        import os, subprocess, sys, time
        work_dir = sys.argv[sys.argv.index('--work-dir') + 1]
        burn = 'import time\\nwhile time.process_time() < 0.4: pass'
        subprocess.run([sys.executable, '-c', burn], check=True)  # a worker: 0.4 s of CPU
        while time.process_time() < 0.4:  # and 0.4 s of its own
            pass
        time.sleep(1.5)  # waiting costs no CPU
    ''')
    monkeypatch.setattr(run_seeds, 'TOOLS', tools)
    run_seeds.main(['a.py', '--seeds', '0', '--root', str(tmp_path / 'r')])
    metrics = json.loads((tmp_path / 'r' / 'summary.json').read_text())['a']['0']
    assert metrics['train_seconds'] >= 2.3 and metrics['train_sittings'] == 1
    assert 0.8 <= metrics['train_cpu_seconds'] <= metrics['train_seconds'] - 1.3


def test_seeds_a_resumed_runs_wall_time_adds_its_earlier_sittings(tmp_path, monkeypatch):
    """A run resumed from its work dir: train_seconds is the earlier sittings' time (from their
    text logs) plus this one's; its CPU time, unknown for a sitting that ended with its machine,
    is None rather than this sitting's alone."""
    run_seeds = _run_seeds()
    tools = _fake_tools(tmp_path, '''
        import os, sys
        work_dir = sys.argv[sys.argv.index('--work-dir') + 1]
        assert '--resume' in sys.argv
    ''')
    monkeypatch.setattr(run_seeds, 'TOOLS', tools)
    work_dir = tmp_path / 'r' / 'a' / 'seed0'
    session = work_dir / '20261205_053752'
    session.mkdir(parents=True)
    (session / '20261205_053752.log').write_text(
        '2026/12/05 05:37:52 - mmengine - INFO - start\n'
        '2026/12/05 08:20:12 - mmengine - INFO - Epoch(train) [19][150/319]\n')  # 9740 s
    (work_dir / 'last_checkpoint').write_text(str(work_dir / 'epoch_18.pth'))
    run_seeds.main(['a.py', '--seeds', '0', '--root', str(tmp_path / 'r')])
    metrics = json.loads((tmp_path / 'r' / 'summary.json').read_text())['a']['0']
    assert 9740 <= metrics['train_seconds'] < 9740 + 60
    assert metrics['train_sittings'] == 2 and metrics['train_cpu_seconds'] is None


def test_seeds_side_by_side_runs_share_the_cores(tmp_path, monkeypatch, capsys):
    """--jobs N: each run's processes get cores // N threads (OMP_NUM_THREADS, MKL_NUM_THREADS),
    recorded in its metrics; --threads sets them; --jobs 1 leaves the environment's; more
    threads than cores is warned about."""
    run_seeds = _run_seeds()
    tools = _fake_tools(tmp_path, '''
        import os, sys
        work_dir = sys.argv[sys.argv.index('--work-dir') + 1]
        with open(os.path.join(work_dir, 'threads'), 'w') as f:
            f.write(os.environ.get('OMP_NUM_THREADS', 'unset') + ' '
                    + os.environ.get('MKL_NUM_THREADS', 'unset'))
    ''')
    monkeypatch.setattr(run_seeds, 'TOOLS', tools)
    monkeypatch.setattr(run_seeds, 'cpu_cores', lambda: 4)
    monkeypatch.delenv('OMP_NUM_THREADS', raising=False)
    monkeypatch.delenv('MKL_NUM_THREADS', raising=False)

    def threads_of(root, seed=0):
        return (tmp_path / root / 'a' / f'seed{seed}' / 'threads').read_text()

    run_seeds.main(['a.py', '--seeds', '0', '1', '--jobs', '2', '--root', str(tmp_path / 'j2')])
    assert threads_of('j2', 0) == threads_of('j2', 1) == '2 2'
    summary = json.loads((tmp_path / 'j2' / 'summary.json').read_text())
    assert summary['a']['0']['threads'] == 2
    run_seeds.main(['a.py', '--seeds', '0', '--jobs', '3', '--root', str(tmp_path / 'j3')])
    assert threads_of('j3') == '1 1'  # 4 // 3
    run_seeds.main(['a.py', '--seeds', '0', '--root', str(tmp_path / 'j1')])
    assert threads_of('j1') == 'unset unset'
    assert json.loads((tmp_path / 'j1' / 'summary.json').read_text())['a']['0']['threads'] is None
    assert 'warning' not in capsys.readouterr().err
    run_seeds.main(['a.py', '--seeds', '0', '--jobs', '2', '--threads', '3',
                    '--root', str(tmp_path / 't3')])
    assert threads_of('t3') == '3 3'
    assert 'warning: --jobs 2 runs of 3 thread(s) each on 4 core(s)' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run_seeds.main(['a.py', '--threads', '0'])


def test_side_by_side_sums_the_copies_of_each_layout(python, tmp_path, synthetic_small):
    """side_by_side.py: per layout RxT, R copies of train_throughput.py at T threads each; the
    layout's samples/s is their sum, the ratio against the first layout; a bad layout is one
    error line."""
    out = tmp_path / 's.json'
    cfg = osp.join(TEST_CONFIGS, 'tiny_stgcn_synthetic.py')
    opts = ['--cfg-options', f'train_dataloader.dataset.dataset.ann_file={synthetic_small}']
    proc = run([python, osp.join(BENCH, 'side_by_side.py'), cfg, '--layouts', '1x1', '2x1',
                '--iters', '2', '--warmup', '1', '--json', str(out), *opts])
    result = json.loads(out.read_text())['layouts']
    assert list(result) == ['1x1', '2x1'] and result['1x1']['throughput_ratio'] == 1.0
    two = result['2x1']
    assert (two['runs'], two['threads']) == (2, 1) and len(two['seconds_per_step_each']) == 2
    assert two['seconds_per_step'] == max(two['seconds_per_step_each'])
    assert len(two['samples_per_second_each']) == 2
    assert two['samples_per_second'] == pytest.approx(sum(two['samples_per_second_each']))
    assert two['throughput_ratio'] == pytest.approx(
        two['samples_per_second'] / result['1x1']['samples_per_second'])
    assert '2x1' in proc.stdout
    bad = subprocess.run([python, osp.join(BENCH, 'side_by_side.py'), cfg, '--layouts', '2x0'],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "layout '2x0' is not RUNSxTHREADS" in bad.stderr


def test_seeds_archive_keeps_metrics_and_score_files_of_every_finished_run(tmp_path,
                                                                           monkeypatch, capsys):
    """--archive: each finished run's metrics.json and scores.json, and a summary of all the
    archived runs across invocations; an older run's predictions.pkl becomes a score file."""
    run_seeds = _run_seeds()
    tools = _fake_tools(tmp_path, '''
        import os, sys
        work_dir = sys.argv[sys.argv.index('--work-dir') + 1]
    ''')
    monkeypatch.setattr(run_seeds, 'TOOLS', tools)
    root, archive = tmp_path / 'r', tmp_path / 'archive'
    run_seeds.main(['a.py', '--seeds', '0', '--root', str(root), '--archive', str(archive)])
    assert (root / 'a' / 'seed0' / 'scores.json').is_file()  # what --dump is given
    # an older finished run: predictions.pkl, no scores.json
    old = root / 'b' / 'seed3'
    old.mkdir(parents=True)
    (old / 'metrics.json').write_text(json.dumps({'acc/top1': 0.25}))
    write_dump(old / 'predictions.pkl', make_samples())
    run_seeds.main(['b.py', '--seeds', '3', '--root', str(root), '--archive', str(archive)])
    summary = json.loads((archive / 'summary.json').read_text())
    assert summary['a']['0']['acc/top1'] == 0.5 and summary['b']['3']['acc/top1'] == 0.25
    assert sorted(p.name for p in (archive / 'a' / 'seed0').iterdir()) == ['metrics.json',
                                                                           'scores.json']
    a0 = load_results(str(archive / 'a' / 'seed0' / 'scores.json'))
    assert a0.ids == ['x', 'y'] and a0.scores.tolist() == [[0.75, 0.25], [0.5, 0.5]]
    b3 = load_results(str(archive / 'b' / 'seed3' / 'scores.json'))
    assert np.array_equal(b3.scores, load_results(str(old / 'predictions.pkl')).scores)
    assert '| b | 1 |' in (archive / 'summary.md').read_text()
    # an unreadable older dump: named in one line, the study's exit status says so
    (archive / 'b' / 'seed3' / 'scores.json').unlink()
    (old / 'predictions.pkl').write_bytes(b'not a pickle')
    with pytest.raises(SystemExit, match=r'1 run\(s\) finished but not archived in .*: b seed 3'):
        run_seeds.main(['b.py', '--seeds', '3', '--root', str(root), '--archive', str(archive)])
    assert 'error: archiving b.py seed 3: ' in capsys.readouterr().err


def test_seeds_archived_run_is_not_trained_again_on_a_fresh_root(tmp_path, monkeypatch, capsys):
    """A study resumed on another machine: a run already in --archive (its work dir gone) is
    taken from the archive, not trained again, and is in the new root's summary; the runs it
    lacks are trained; deleting the archived run trains it again."""
    run_seeds = _run_seeds()
    trained = tmp_path / 'trained.txt'
    tools = _fake_tools(tmp_path, f'''
        import os, sys
        work_dir = sys.argv[sys.argv.index('--work-dir') + 1]
        with open({str(trained)!r}, 'a') as f:
            f.write(work_dir + '\\n')
    ''')
    monkeypatch.setattr(run_seeds, 'TOOLS', tools)
    archive = tmp_path / 'archive'
    run_seeds.main(['a.py', '--seeds', '0', '--root', str(tmp_path / 'm1'), '--archive',
                    str(archive)])
    (archive / 'a' / 'seed0' / 'metrics.json').write_text(json.dumps({'acc/top1': 0.75}))
    capsys.readouterr()
    fresh = tmp_path / 'm2'  # another machine: no work dirs
    run_seeds.main(['a.py', '--seeds', '0', '1', '--root', str(fresh), '--archive', str(archive)])
    assert trained.read_text().split() == [str(tmp_path / 'm1' / 'a' / 'seed0'),
                                           str(fresh / 'a' / 'seed1')]
    assert f'a seed 0: finished and archived in {archive / "a" / "seed0"}, not trained ' \
        'again' in capsys.readouterr().out
    assert json.loads((fresh / 'summary.json').read_text())['a']['0']['acc/top1'] == 0.75
    assert json.loads((archive / 'summary.json').read_text())['a']['1']['acc/top1'] == 0.5
    shutil.rmtree(archive / 'a' / 'seed0')
    run_seeds.main(['a.py', '--seeds', '0', '--root', str(fresh), '--archive', str(archive)])
    assert trained.read_text().split()[-1] == str(fresh / 'a' / 'seed0')


def test_seeds_archive_keeps_the_validation_curve_from_the_runs_logs(tmp_path, monkeypatch):
    """--archive writes curve.json from every runner session of the run's work dir (a resumed
    run: the later value of an epoch validated twice), and keeps it once the logs are gone."""
    run_seeds = _run_seeds()
    tools = _fake_tools(tmp_path, '''
        import json, os, sys
        work_dir = sys.argv[sys.argv.index('--work-dir') + 1]
        sessions = {'20260101_000000': {1: 0.1, 2: 0.2}, '20260101_010000': {2: 0.25, 3: 0.3}}
        for stamp, accs in sessions.items():
            vis = os.path.join(work_dir, stamp, 'vis_data')
            os.makedirs(vis)
            with open(os.path.join(vis, 'scalars.json'), 'w') as f:
                for e, acc in accs.items():
                    f.write(json.dumps(dict(loss=1.0, time=0.5, epoch=e, iter=10 * e)) + '\\n')
                    f.write(json.dumps({'acc/top1': acc, 'step': e}) + '\\n')
    ''')
    monkeypatch.setattr(run_seeds, 'TOOLS', tools)
    root, archive = tmp_path / 'r', tmp_path / 'archive'
    run_seeds.main(['a.py', '--seeds', '0', '--root', str(root), '--archive', str(archive)])
    curve_file = archive / 'a' / 'seed0' / 'curve.json'
    curve = json.loads(curve_file.read_text())
    assert curve == [{'epoch': 1, 'acc/top1': 0.1}, {'epoch': 2, 'acc/top1': 0.25},
                     {'epoch': 3, 'acc/top1': 0.3}]
    assert json.loads((archive / 'summary.json').read_text())['a']['0']['step_seconds'] == 0.5
    shutil.rmtree(root / 'a' / 'seed0' / '20260101_000000')
    shutil.rmtree(root / 'a' / 'seed0' / '20260101_010000')
    run_seeds.main(['a.py', '--seeds', '0', '--root', str(root), '--archive', str(archive)])
    assert json.loads(curve_file.read_text()) == curve


def test_seeds_time_limit_stops_the_runs_still_going(tmp_path, monkeypatch):
    """--time-limit: a run past it is terminated and reported as resumable; finished runs stay."""
    import time
    run_seeds = _run_seeds()
    tools = _fake_tools(tmp_path, '''
        import os, sys, time
        work_dir = sys.argv[sys.argv.index('--work-dir') + 1]
        if sys.argv[sys.argv.index('--seed') + 1] == '1':
            time.sleep(120)  # a long run
    ''')
    monkeypatch.setattr(run_seeds, 'TOOLS', tools)
    t0 = time.time()
    with pytest.raises(SystemExit, match=r'1 run\(s\) not finished at the 0.05-minute time '
                       r'limit \(the same command resumes them\): a seed 1$'):
        run_seeds.main(['a.py', '--seeds', '0', '1', '--jobs', '2', '--time-limit', '0.05',
                        '--root', str(tmp_path / 'r')])
    assert time.time() - t0 < 60  # the sleeping run was stopped, not waited for
    summary = json.loads((tmp_path / 'r' / 'summary.json').read_text())
    assert list(summary['a']) == ['0']


def test_nwucla_65e_gpu_script_runs_one_pair_per_seed_side_by_side(tmp_path):
    """The GPU study script (dry run): the step-time probe, one run_seeds per seed with both
    configs (--jobs 2), compile only for COMPILE_SEEDS, the time limit passed on, the reading;
    every run a share of the cores: the seeds' drivers run at once and do not know of each other."""
    env = dict(os.environ, DRY_RUN='1', SEEDS='0 1', COMPILE_SEEDS='1', TIME_LIMIT='8',
               CFG_OPTIONS='a.b=1 c=2',
               EXTRA_CONFIGS='configs/ctrgcn/ctrgcn_frhead_nwucla_65e.py')
    proc = subprocess.run(['bash', osp.join(BENCH, 'nwucla_65e_gpu.sh'), str(tmp_path)],
                          env=env, capture_output=True, text=True, cwd=REPO, check=True)
    lines = (proc.stdout + ''.join((tmp_path / f'seed{s}.log').read_text() for s in (0, 1)))
    lines = lines.splitlines()
    probe = [x for x in lines if 'train_throughput.py' in x]
    assert probe and '--device cuda' in probe[0] and 'ctrgcn_sfhead_nwucla_65e.py' in probe[0]
    for seed, compiled in ((0, False), (1, True)):
        run = [x for x in lines if 'run_seeds.py' in x and f'--seeds {seed} ' in x][0]
        assert 'ctrgcn_nwucla_65e.py' in run and 'ctrgcn_sfhead_nwucla_65e.py' in run
        assert 'ctrgcn_frhead_nwucla_65e.py' in run  # EXTRA_CONFIGS: beside the pair
        assert '--jobs 3' in run and '--time-limit 8' in run and run.endswith('a.b=1 c=2' + (
            ' compile=True' if compiled else ''))
        assert ('compile=True' in run) == compiled
        # 2 seeds x 3 configs = 6 runs at once
        assert f'--threads {max(1, len(os.sched_getaffinity(0)) // 6)} ' in run
    reading = [x for x in lines if 'paired_seeds.py' in x][0]
    assert reading.endswith('--pair ctrgcn_nwucla_65e ctrgcn_sfhead_nwucla_65e '
                            '--pair ctrgcn_nwucla_65e ctrgcn_frhead_nwucla_65e')
    env.update(THREADS='3', OMP_NUM_THREADS='1')
    subprocess.run(['bash', osp.join(BENCH, 'nwucla_65e_gpu.sh'), str(tmp_path)],
                   env=env, capture_output=True, text=True, cwd=REPO, check=True)
    assert '--threads 3 ' in (tmp_path / 'seed0.log').read_text()


def test_sfhead_overhead_counts_operations(python, tmp_path):
    """--ops: exact ATen operation counts; auxiliary inference is the bare backbone's, op for op."""
    out = tmp_path / 'ops.json'
    proc = run([python, osp.join(BENCH, 'sfhead_overhead.py'), '--ops', '--backbones', 'STGCN',
                '--layout', 'nw-ucla', '--persons', '1', '--batch', '2', '--frames', '8',
                '--dtypes', 'fp32', '--json', str(out)])
    assert 'ATen operations per step' in proc.stdout
    ops = json.loads(out.read_text())['backbones']['STGCN']['ops-fp32']
    assert ops['auxiliary']['infer'] == ops['bare']['infer'] > 0
    assert ops['inline']['train'] > ops['inline']['infer'] and \
        ops['inline']['train'] > ops['bare']['train'] > 0


def _fake_authors_checkout(root):
    """A stand-in for Uason-Chen/CTR-GCN with what training_loops.py relies on: main.py's
    get_parser / init_seed / Processor(arg).train(epoch) moving data and model with .cuda(), a
    feeder reading data/NW-UCLA/all_sqe/<name>.json relative to the working directory,
    config/ucla/default.yaml, and torchlight importing torchpack's PaviLogger."""
    (root / 'torchlight' / 'torchlight').mkdir(parents=True)
    (root / 'torchlight' / 'torchlight' / '__init__.py').write_text(
        'from torchpack.runner.hooks import PaviLogger\n'
        'from argparse import Action as DictAction\n')
    (root / 'config' / 'ucla').mkdir(parents=True)
    (root / 'config' / 'ucla' / 'default.yaml').write_text(
        'batch_size: 2\ntrain_feeder_args:\n  repeat: 5\n  window_size: 4\n')
    (root / 'main.py').write_text(textwrap.dedent('''
        import argparse, glob, json, os
        import torch
        from torchlight import DictAction  # noqa: F401

        def get_parser():
            p = argparse.ArgumentParser()
            p.add_argument('--work-dir')
            p.add_argument('--num-worker', type=int, default=32)
            p.add_argument('--device', type=int, default=0)
            p.add_argument('--seed', type=int, default=1)
            p.add_argument('--batch-size', type=int, default=64)
            p.add_argument('--train-feeder-args', default=dict())
            return p

        def init_seed(seed):
            torch.manual_seed(seed)

        class Feeder(torch.utils.data.Dataset):
            def __init__(self, repeat, window_size):
                self.files = sorted(glob.glob('data/NW-UCLA/all_sqe/*.json')) * repeat
                self.window = window_size
            def __len__(self):
                return len(self.files)
            def __getitem__(self, i):
                with open(self.files[i]) as f:
                    x = torch.tensor(json.load(f)['skeletons'], dtype=torch.float64)
                return x[:self.window].flatten(), 0, i

        class Processor:
            def __init__(self, arg):
                assert arg.num_worker == 0 and arg.train_feeder_args['repeat'] == 1
                self.model = torch.nn.Linear(4 * 2 * 3, 3).cuda(arg.device)
                self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)
                self.data_loader = dict(train=torch.utils.data.DataLoader(
                    Feeder(**arg.train_feeder_args), batch_size=arg.batch_size,
                    shuffle=True, drop_last=True, num_workers=arg.num_worker))
            def train(self, epoch):
                for data, label, index in self.data_loader['train']:
                    data, label = data.float().cuda(0), label.long().cuda(0)
                    loss = torch.nn.functional.cross_entropy(self.model(data), label)
                    self.optimizer.zero_grad()
                    loss.backward()
                    self.optimizer.step()
        '''))
    data = root / 'all_sqe'
    data.mkdir()
    for i in range(5):  # 5 clips, batch 2, drop_last: 2 steps an epoch
        (data / f'a01_s0{i}_e00_v01.json').write_text(json.dumps(
            {'skeletons': np.full((6, 2, 3), float(i)).tolist()}))
    return str(root), str(data)


def test_training_loops_times_the_authors_epoch_and_ours(python, tmp_path, synthetic_small):
    """The authors' loop runs on the CPU from their checkout (repeat 1, no workers, their
    torchlight and a placeholder torchpack), ours through tools/train.py; the last epoch of each is
    timed and compared to the authors'."""
    repo, data = _fake_authors_checkout(tmp_path / 'CTR-GCN')
    out = tmp_path / 'loops.json'
    cfg = osp.join(TEST_CONFIGS, 'tiny_stgcn_synthetic.py')
    proc = run([python, osp.join(BENCH, 'training_loops.py'), '--authors', repo, '--data', data,
                cfg, '--epochs', '2', '--rounds', '1', '--threads', '1', '--json', str(out),
                '--cfg-options', *data_options(synthetic_small)])
    result = json.loads(out.read_text())
    authors = result['runs']['authors'][0]
    assert [e['steps'] for e in authors['epochs']] == [2, 2]
    assert all(e['samples'] == 4 and e['wall'] > 0 for e in authors['epochs'])
    ours = result['runs'][cfg][0]['epochs'][-1]
    # the synthetic set's 192 training clips once, in the tiny config's batches of 16
    assert (ours['steps'], ours['samples']) == (12, 192) and ours['wall'] > 0
    summary = result['summary']
    assert summary['authors']['vs_authors'] == 1.0
    assert summary[cfg]['vs_authors'] == pytest.approx(
        summary[cfg]['samples_per_s'] / summary['authors']['samples_per_s'])
    assert 'vs authors' in proc.stdout


def test_training_loops_names_a_checkout_without_main_py(python, tmp_path):
    proc = subprocess.run([python, osp.join(BENCH, 'training_loops.py'), '--authors',
                           str(tmp_path)], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 2
    assert f'--authors {tmp_path}: no main.py there' in proc.stderr
