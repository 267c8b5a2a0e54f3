"""Train and test configs over several seeds and summarise mean and spread of their metrics.

Every (config, seed) run is ``tools/train.py CONFIG --seed S --work-dir ROOT/NAME/seedS``, then
``tools/test.py`` on its last checkpoint with ``--metrics-out`` (``metrics.json``) and ``--dump``
(``scores.json``, the per-sample score file that ``tools/analysis/paired_seeds.py`` and
``fuse_scores.py`` read); finished runs (a ``metrics.json`` exists) are skipped, so an interrupted
study resumes where it stopped. The summary (JSON and a Markdown table,
``sfhead_mm.evaluation.study``) is rewritten after every run. A run's metrics also record its
training wall time (of every sitting, for a run resumed), the CPU time of its training processes
(``train_cpu_seconds``: a pause or a wait for a busy core does not add to it), the median logged
step and its threads.

    python tools/benchmark/run_seeds.py configs/ctrgcn/ctrgcn_nwucla_cpu.py \\
        configs/ctrgcn/ctrgcn_sfhead_nwucla_cpu.py --seeds 0 1 2 --root work_dirs/nwucla

Runs go config by config (every seed of the first config, then the next); ``--by-seed`` goes seed
by seed instead (every config on seed 0, then on seed 1), so that a study stopped half-way holds
complete pairs for ``tools/analysis/paired_seeds.py``.

``--archive DIR`` also keeps every finished run's ``metrics.json``, ``scores.json`` and
``curve.json`` (its validation metrics at every validated epoch, from its logs; together about
90 kB, no checkpoints) in ``DIR/NAME/seedS`` and adds it to ``DIR/summary.json``: a study that
outlives its work directories (e.g. one spread over several machines or sittings, kept in the
repository) and that ``paired_seeds.py`` reads like ROOT. The runs already finished are archived
too (a ``predictions.pkl`` of an older run is converted to a score file). A run that is in the
archive but not finished in ROOT (the study resumed on another machine) is not trained again:
its archived metrics stand (delete ``DIR/NAME/seedS`` to train it again).

``--jobs N`` runs up to N of them side by side (in that order, each its own training and testing
processes, e.g. several small runs on one large GPU), each writing its output to
``ROOT/NAME/seedS/run.log``. Each run then gets its share of the CPU cores this process may use
(``--threads``, default cores // N, as ``OMP_NUM_THREADS``/``MKL_NUM_THREADS``). PyTorch
otherwise starts a thread per core in every run: on 2 cores, two CTR-GCN runs of the 2-hour
NW-UCLA config side by side so took 2.29 s a step each, 0.47x the samples/s of one run alone
(0.54 s a step), where two runs of one thread each took 0.98 s, 1.11x (SF-Head: 0.51x and 1.21x;
``side_by_side.py``, docs/benchmarks/side_by_side_nwucla_cpu2h.json).

``--time-limit MINUTES`` stops the runs still going when that much wall time has passed
(SIGTERM, then SIGKILL) and starts no more; the same command later resumes them from their last
checkpoints.

A run that fails (training or testing exits non-zero) is reported in one line and the study goes
on with the next run; the driver exits with status 1 at the end, listing the failed runs (and
the runs stopped at the time limit).
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, Optional

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOLS = osp.join(_REPO, 'tools')
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from sfhead_mm.evaluation.result_files import (RUN_SCORE_FILES, load_results,  # noqa: E402
                                               run_scores, save_scores)
from sfhead_mm.evaluation.study import (add_run, read_summary, run_dir,  # noqa: E402
                                        write_summary)
from sfhead_mm.utils.atomic_write import write_json, write_text  # noqa: E402
from sfhead_mm.utils.console import print_error  # noqa: E402
from sfhead_mm.utils.json_logs import (median_train_value, session_logs,  # noqa: E402
                                       session_seconds, val_rows, val_step_name)

#: A run's per-sample score file (``tools/test.py --dump``).
SCORES = RUN_SCORE_FILES[0]
#: The archived validation curve of a run: ``[{"epoch": E, metric: value, ...}]`` as logged.
CURVE = 'curve.json'


def run_name(config: str) -> str:
    return osp.splitext(osp.basename(config))[0]


def last_checkpoint(work_dir: str) -> str:
    marker = osp.join(work_dir, 'last_checkpoint')
    with open(marker) as f:
        return f.read().strip()


def median_step_seconds(work_dir: str):
    """Median seconds per training iteration, from the runner's logged ``time`` values.

    Wall time of a whole run mixes in validation, start-up and, for a resumed run, only part of
    the training; the logged per-iteration time is what compares configs.
    """
    seconds = median_train_value(work_dir, 'time')
    return None if seconds is None else round(seconds, 3)


def fill_step_time(metrics: dict, work_dir: str) -> dict:
    """Add ``step_seconds`` to the metrics of a run recorded before step times were."""
    if metrics.get('step_seconds') is None:
        metrics['step_seconds'] = median_step_seconds(work_dir)
    return metrics


class TimeLimitReached(Exception):
    """The study's time limit passed before this run ended; it was stopped (resumable)."""


def thread_env(threads: Optional[int]) -> Optional[Dict[str, str]]:
    """The environment of a run's processes with ``threads`` CPU threads (None: this one's)."""
    if threads is None:
        return None
    return dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))


def cpu_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def reap(proc: subprocess.Popen, timeout: Optional[float] = None):
    """Wait for ``proc`` (at most ``timeout`` seconds, else ``subprocess.TimeoutExpired``).

    Returns ``(return code, CPU seconds)``: the user + system time of the process and of the
    children it waited for (a training run's data-loader workers), which a SIGSTOP pause or a
    wait for a busy core does not add to; None where ``os.wait4`` does not exist.
    """
    if not hasattr(os, 'wait4'):
        return proc.wait(timeout=timeout), None
    end = None if timeout is None else time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, 0 if end is None else os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage.ru_utime + usage.ru_stime
        if time.monotonic() >= end:
            raise subprocess.TimeoutExpired(proc.args, timeout)
        time.sleep(min(0.5, max(0.0, end - time.monotonic())))


def call(cmd, out=None, deadline=None, env=None) -> Optional[float]:
    """Run a tool to its end (``CalledProcessError`` if it fails), or stop it at ``deadline``
    (a ``time.time()`` value): SIGTERM, SIGKILL 30 s later, then ``TimeLimitReached``.
    Returns the tool's CPU seconds (:func:`reap`)."""
    stderr = subprocess.STDOUT if out is not None else None
    if deadline is not None and time.time() >= deadline:
        raise TimeLimitReached
    proc = subprocess.Popen(cmd, stdout=out, stderr=stderr, env=env)
    try:
        returncode, cpu = reap(proc, None if deadline is None
                               else max(0.0, deadline - time.time()))
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            reap(proc, 30)
        except subprocess.TimeoutExpired:
            proc.kill()
            reap(proc)
        raise TimeLimitReached
    except BaseException:  # e.g. Ctrl-C: the tool does not outlive the driver
        proc.kill()
        reap(proc)
        raise
    if returncode:
        raise subprocess.CalledProcessError(returncode, cmd)
    return cpu


def run_one(config: str, seed: int, root: str, python: str, extra, log_file: bool = False,
            deadline=None, threads: Optional[int] = None) -> dict:
    """Train and test one (config, seed); with ``log_file`` their output goes to ``run.log``;
    at ``deadline`` (``time.time()`` value) a run still going is stopped; ``threads``: its CPU
    threads (None: as this process's environment says). The metrics get ``train_seconds``
    (a resumed run: this sitting's plus the earlier sittings' from their logs,
    ``json_logs.session_seconds``), ``train_sittings``, ``train_cpu_seconds`` (:func:`reap`;
    None for a run of several sittings), ``step_seconds`` and ``threads`` (None when not
    set)."""
    work_dir = run_dir(root, run_name(config), seed)
    metrics_file = osp.join(work_dir, 'metrics.json')
    if osp.exists(metrics_file):
        with open(metrics_file) as f:
            return fill_step_time(json.load(f), work_dir)
    os.makedirs(work_dir, exist_ok=True)
    t0 = time.time()
    # --resume continues an interrupted run of this seed (no-op on a fresh work dir)
    resume = ['--resume'] if osp.exists(osp.join(work_dir, 'last_checkpoint')) else []
    # the sittings this one continues (stopped by a session's end, a time limit, Ctrl-C)
    earlier = session_seconds(work_dir) if resume else []
    out = open(osp.join(work_dir, 'run.log'), 'a') if log_file else None
    env = thread_env(threads)
    try:
        train_cpu = call([python, osp.join(TOOLS, 'train.py'), config, '--seed', str(seed),
                          '--work-dir', work_dir, *resume, *extra], out, deadline, env)
        train_s = time.time() - t0
        call([python, osp.join(TOOLS, 'test.py'), config, last_checkpoint(work_dir),
              '--work-dir', osp.join(work_dir, 'test'), '--dump',
              osp.join(work_dir, SCORES), '--metrics-out', metrics_file + '.part',
              *extra], out, deadline, env)
    finally:
        if out is not None:
            out.close()
    with open(metrics_file + '.part') as f:
        metrics = json.load(f)
    os.remove(metrics_file + '.part')
    metrics['train_seconds'] = round(sum(earlier) + train_s, 1)
    metrics['train_sittings'] = len(earlier) + 1
    # a sitting ended by a signal or by its machine leaves no CPU count: known for one only
    metrics['train_cpu_seconds'] = None if earlier or train_cpu is None else round(train_cpu, 1)
    metrics['step_seconds'] = median_step_seconds(work_dir)
    metrics['threads'] = threads
    write_json(metrics_file, metrics)
    return metrics


def archive_run(root: str, archive: str, name: str, seed, metrics: dict) -> None:
    """Keep a finished run's metrics, score file and curve in ``archive``; add it to its summary.

    The score file is ``scores.json``, or made from the ``predictions.pkl`` of an older run; a
    run with neither is archived with its metrics only. The curve (``curve.json``) is written
    from the run's logs while its work dir has them, and kept as it is otherwise.
    """
    src = run_dir(root, name, seed)
    dst = run_dir(archive, name, seed)
    if osp.abspath(src) != osp.abspath(dst):
        write_json(osp.join(dst, 'metrics.json'), metrics)
        scores = run_scores(src)
        if scores is not None and osp.basename(scores) == SCORES:
            with open(scores, encoding='utf-8') as f:
                write_text(osp.join(dst, SCORES), f.read())
        elif scores is not None:  # an older run's dump pickle, converted
            res = load_results(scores)
            save_scores(osp.join(dst, SCORES), res.scores, res.labels, res.ids)
    add_run(archive, name, seed, metrics)
    if osp.abspath(src) != osp.abspath(dst) and session_logs(src):
        # the validation curve, from the run's logs (every runner session of a resumed run);
        # each row's first key is what its step counts, "epoch" (or "iter": iteration-based)
        step = val_step_name(src)
        write_json(osp.join(dst, CURVE), [{step: e, **row} for e, row in val_rows(src).items()])


def archived_metrics(archive: Optional[str], root: str, name: str, seed) -> Optional[dict]:
    """The archived metrics of a run that ``root`` has not finished (a fresh machine's work
    dirs, the study kept in the archive), else None: such a run is taken from the archive, not
    trained again. A run finished in ``root`` too goes the usual way (and is archived again)."""
    if not archive or osp.exists(osp.join(run_dir(root, name, seed), 'metrics.json')):
        return None
    path = osp.join(run_dir(archive, name, seed), 'metrics.json')
    if not osp.exists(path):
        return None
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def plan(configs, seeds, by_seed: bool = False):
    """The (config, seed) runs in order: config by config, or seed by seed with ``by_seed``."""
    if by_seed:
        return [(c, s) for s in seeds for c in configs]
    return [(c, s) for c in configs for s in seeds]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('configs', nargs='+')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--root', default=osp.join('work_dirs', 'seeds'))
    parser.add_argument('--by-seed', action='store_true',
                        help='run every config on a seed before the next seed (complete '
                        'pairs first), instead of every seed of a config before the next config')
    parser.add_argument('--jobs', type=int, default=1,
                        help='runs side by side (default 1: one after the other, output to '
                        'the terminal; more: each run\'s output to its run.log)')
    parser.add_argument('--threads', type=int,
                        help='CPU threads of each run (OMP_NUM_THREADS, MKL_NUM_THREADS); '
                        'default with --jobs N > 1: the cores this process may use // N, at '
                        'least 1; with --jobs 1: as the environment says')
    parser.add_argument('--time-limit', type=float, metavar='MINUTES',
                        help='stop the runs still going after this many minutes of wall time '
                        '(the same command resumes them)')
    parser.add_argument('--archive', metavar='DIR',
                        help='also keep every finished run\'s metrics.json and scores.json in '
                        'DIR/NAME/seedS and add it to DIR/summary.json (no checkpoints)')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='passed to both tools (e.g. data paths)')
    args = parser.parse_args(argv)
    extra = ['--cfg-options', *args.cfg_options] if args.cfg_options else []
    try:
        results = read_summary(args.root)  # earlier invocations' runs stay in the summary
    except ValueError as e:
        parser.error(str(e))
    for name, runs in results.items():  # runs summarised before step times were recorded
        for seed, metrics in runs.items():
            fill_step_time(metrics, run_dir(args.root, name, seed))
    if args.jobs < 1:
        parser.error(f'--jobs must be at least 1, got {args.jobs}')
    if args.threads is not None and args.threads < 1:
        parser.error(f'--threads must be at least 1, got {args.threads}')
    threads, cores = args.threads, cpu_cores()
    if threads is None and args.jobs > 1:
        threads = max(1, cores // args.jobs)
    if threads is not None and args.jobs * threads > cores:
        print(f'warning: --jobs {args.jobs} runs of {threads} thread(s) each on '
              f'{cores} core(s): runs that take turns on the cores can together be '
              f'slower than one run alone (tools/benchmark/side_by_side.py measures it)',
              file=sys.stderr, flush=True)
    deadline = time.time() + 60 * args.time_limit if args.time_limit is not None else None
    runs = plan(args.configs, args.seeds, args.by_seed)
    failed, stopped, unarchived = set(), set(), set()
    lock = threading.Lock()  # one run at a time updates the summary and prints

    def one(config, seed):
        archived = archived_metrics(args.archive, args.root, run_name(config), seed)
        if archived is not None:
            with lock:
                results.setdefault(run_name(config), {})[str(seed)] = archived
                print(f'{run_name(config)} seed {seed}: finished and archived in '
                      f'{run_dir(args.archive, run_name(config), seed)}, not trained again '
                      f'(delete it there to train it again)', flush=True)
            return
        try:
            metrics = run_one(config, seed, args.root, sys.executable, extra,
                              log_file=args.jobs > 1, deadline=deadline, threads=threads)
        except TimeLimitReached:
            with lock:
                stopped.add((config, seed))
            return
        except subprocess.CalledProcessError as e:
            work_dir = run_dir(args.root, run_name(config), seed)
            tool = osp.basename(e.cmd[1]) if len(e.cmd) > 1 else e.cmd[0]
            with lock:
                failed.add((config, seed))
                print_error(f'{config} seed {seed}: {tool} exited with status {e.returncode} '
                            f'(its log is in {work_dir}); going on with the next run')
            return
        with lock:
            results.setdefault(run_name(config), {})[str(seed)] = metrics
            print(write_summary(args.root, results), flush=True)
            if args.archive:
                try:
                    archive_run(args.root, args.archive, run_name(config), seed, metrics)
                except (OSError, ValueError) as e:  # e.g. an unreadable older predictions.pkl
                    unarchived.add((config, seed))
                    print_error(f'archiving {config} seed {seed}: {e}')

    if args.jobs == 1:
        for config, seed in runs:
            one(config, seed)
    else:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for future in [pool.submit(one, config, seed) for config, seed in runs]:
                future.result()
    failed = [f'{run_name(c)} seed {s}' for c, s in runs if (c, s) in failed]
    stopped = [f'{run_name(c)} seed {s}' for c, s in runs if (c, s) in stopped]
    problems = []
    if stopped:
        problems.append(f'{len(stopped)} run(s) not finished at the {args.time_limit:g}-minute '
                        f'time limit (the same command resumes them): {", ".join(stopped)}')
    if failed:
        problems.append(f'{len(failed)} run(s) failed: {", ".join(failed)}')
    unarchived = [f'{run_name(c)} seed {s}' for c, s in runs if (c, s) in unarchived]
    if unarchived:
        problems.append(f'{len(unarchived)} run(s) finished but not archived in '
                        f'{args.archive}: {", ".join(unarchived)}')
    if problems:
        raise SystemExit('error: ' + '; '.join(problems))


if __name__ == '__main__':
    main()
