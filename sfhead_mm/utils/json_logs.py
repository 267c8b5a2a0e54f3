"""Reading mmengine's json logs, ``<work_dir>/<timestamp>/vis_data/scalars.json``: their one owner.

mmengine's ``LoggerHook`` writes one json line per logged training iteration and one per
validation:

* a training line has ``iter`` (the global iteration; ``step`` is the same) and, in an
  epoch-based loop, ``epoch``, with the losses, ``lr``, ``time`` and ``data_time``;
* a validation line has the metrics (``acc/top1``, ...), ``time``, ``data_time`` and ``step``:
  the epoch in an epoch-based loop, the iteration in an iteration-based one. It has no ``iter``.

A work dir holds one timestamped folder per runner session, so a run resumed from a checkpoint
is several logs; sorted by name they are oldest first. Each folder also holds the session's text
log, ``<timestamp>/<timestamp>.log``, whose lines start with their time; :func:`session_seconds`
reads the wall time of each session from it (the json lines have none).
``tools/analysis/analyze_logs.py`` (curves, training time, the validation table) and
``tools/benchmark/run_seeds.py`` (step time, wall time over sittings, the curve it archives)
read them through this module.
"""
import datetime
import glob
import json
import os.path as osp
import re
import statistics
from typing import Dict, Iterator, List, Optional, Tuple

__all__ = ['session_logs', 'log_files', 'log_lines', 'val_rows', 'val_step_name',
           'median_train_value', 'session_seconds']

# the time at the start of a line of mmengine's text log: ``2026/12/05 05:37:52 - mmengine - ``
_LINE_TIME = re.compile(r'(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) - ')


def session_logs(work_dir: str) -> List[str]:
    """The ``scalars.json`` of every runner session of ``work_dir``, oldest first (may be [])."""
    return sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))


def log_files(source: str) -> List[str]:
    """The json logs of ``source``: itself if it is a file, else its runner sessions' logs.

    Raises:
        FileNotFoundError: ``source`` is neither a file nor a work dir with session logs.
    """
    if osp.isfile(source):
        return [source]
    files = session_logs(source)
    if not files:
        raise FileNotFoundError(f'{source}: neither a json log nor a work dir with '
                                f'<timestamp>/vis_data/scalars.json')
    return files


def log_lines(path: str) -> Iterator[Tuple[str, Dict[str, float]]]:
    """The lines of one json log as ``(kind, scalars)``, ``kind`` ``'train'`` or ``'val'``.

    ``scalars`` holds the numeric values of the line (``epoch``, ``iter`` and ``step``
    included). An unfinished last line (a run still writing its log) is left out.

    Raises:
        ValueError: a line that is not json, named as ``path:line``.
    """
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                log = json.loads(line)
            except json.JSONDecodeError as e:
                if not line.endswith('\n'):  # the last line of a live run, being written
                    return
                raise ValueError(f'{path}:{n}: not a json log line ({e.msg})') from None
            if not isinstance(log, dict):
                raise ValueError(f'{path}:{n}: not a json log line (a {type(log).__name__}, '
                                 f'not an object)')
            scalars = {k: v for k, v in log.items()
                       if isinstance(v, (int, float)) and not isinstance(v, bool)}
            if 'iter' in log:
                yield 'train', scalars
            elif 'step' in log:
                yield 'val', scalars


def val_rows(source: str) -> Dict[int, Dict[str, float]]:
    """A run's validation metrics by ``step`` (the epoch, or the iteration of an
    iteration-based run): ``{step: {key: value}}`` in order, a step validated again in a later
    runner session (after a resume) keeping the later values.

    Args:
        source (str): A json log, or a work dir (all its runner sessions).
    """
    rows: Dict[int, Dict[str, float]] = {}
    for path in log_files(source):
        for kind, log in log_lines(path):
            if kind == 'val':
                rows.setdefault(int(log['step']), {}).update(
                    (k, v) for k, v in log.items() if k != 'step')
    return dict(sorted(rows.items()))


def val_step_name(source: str) -> str:
    """What a validation line's ``step`` of ``source`` counts: ``'epoch'`` when its training lines
    have an ``epoch`` (an epoch-based loop), ``'iter'`` when they have none, ``'step'`` when it
    logged no training line (it cannot tell).

    Args:
        source (str): A json log, or a work dir (all its runner sessions).
    """
    trained = False
    for path in log_files(source):
        for kind, log in log_lines(path):
            if kind == 'train':
                if 'epoch' in log:
                    return 'epoch'
                trained = True
    return 'iter' if trained else 'step'


def median_train_value(work_dir: str, key: str = 'time') -> Optional[float]:
    """Median of ``key`` over the logged training iterations of every runner session of
    ``work_dir`` (``time``: seconds a step); None when nothing is logged."""
    values = [log[key] for path in session_logs(work_dir)
              for kind, log in log_lines(path) if kind == 'train' and key in log]
    return statistics.median(values) if values else None


def session_seconds(work_dir: str) -> List[float]:
    """The wall seconds of every runner session of ``work_dir``, oldest first: from the first to
    the last timed line of its text log ``<timestamp>/<timestamp>.log`` (0 for a session whose
    log has fewer than two). A session stopped by a signal or a machine's end lasts to its last
    line; SIGSTOP pauses within it count, as in any wall time."""
    seconds = []
    for path in sorted(glob.glob(osp.join(work_dir, '*', '*.log'))):
        if osp.basename(path) != osp.basename(osp.dirname(path)) + '.log':
            continue  # not a runner session's log (e.g. a copied file)
        first = last = None
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                match = _LINE_TIME.match(line)
                if match:
                    last = match.group(1)
                    first = first or last
        if first is None:
            seconds.append(0.0)
            continue
        start, end = (datetime.datetime.strptime(t, '%Y/%m/%d %H:%M:%S') for t in (first, last))
        seconds.append((end - start).total_seconds())
    return seconds
