"""Run a per-file converter over many files: in parallel, resumable, and honest about failures.

Every converter in :mod:`data_prep` is a function ``path -> FileResult`` applied to each input
file. :func:`process_files` runs it in a process pool (``--workers``), shows progress with an ETA,
takes finished files from the :class:`~data_prep.resume.ShardStore` instead of parsing them
again, and collects the errors of corrupt files instead of stopping (unless ``strict``).
"""
import multiprocessing
import os
import signal
import sys
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from sfhead_mm.formats.annotation import SampleRules
from sfhead_mm.formats.errors import ErrorRecord, FormatError

from .pose_pickle import sample_problems
from .progress import Progress
from .resume import ShardStore, fingerprint


@dataclass
class FileResult:
    """What one input file gave.

    Args:
        samples (list[dict]): PoseDataset annotations (one per clip; NTU files hold one).
        errors (list[ErrorRecord]): Problems that made the file, or some of its clips, unusable.
        notes (list[str]): What the clean-up changed (e.g. bodies dropped as noise), for the
            report; not errors.
    """

    samples: List[dict] = field(default_factory=list)
    errors: List[ErrorRecord] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)


@dataclass
class RunResult:
    """Outcome of :func:`process_files`.

    Args:
        results (dict): ``key -> FileResult`` for every file processed or taken from the cache,
            in the order of the tasks.
        errors (list[ErrorRecord]): All errors, in task order.
        parsed (int): Files parsed in this run.
        cached (int): Files taken from the shard cache.
        stopped (bool): True when strict mode stopped at the first error.
    """

    results: Dict[str, FileResult]
    errors: List[ErrorRecord]
    parsed: int
    cached: int
    stopped: bool = False


class StrictModeError(RuntimeError):
    """Raised by strict mode at the first error; carries the partial :class:`RunResult`."""

    def __init__(self, record: ErrorRecord, run: 'RunResult'):
        self.record = record
        self.run = run
        super().__init__(f'strict mode: {record}')


def _die_with_parent() -> None:
    """Linux: have the kernel end this worker when its parent dies (``kill -9`` of the run).

    Without it an orphaned pool worker finishes its file, fails to send the result to the dead
    parent and prints a ~30-line ``BrokenPipeError`` traceback. Elsewhere this does nothing.
    """
    if not sys.platform.startswith('linux'):
        return
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _init_worker(parent_pid: Optional[int] = None) -> None:
    # Ctrl-C goes to the whole process group; the parent alone decides how to stop, so the
    # workers do not each print a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # SIGTERM (from the parent's death, or pool.terminate) ends a worker quietly.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    if parent_pid is not None and os.getppid() != parent_pid:  # parent died before prctl
        os._exit(0)


def _checked(result: FileResult, path: str, rules: Optional[SampleRules]) -> FileResult:
    """Move samples that do not fit ``PoseDataset`` into the file's errors (never cached)."""
    if rules is None or not result.samples:
        return result
    kept = []
    for ann in result.samples:
        problems = sample_problems(ann, rules)
        if problems:
            name = ann.get('frame_dir') if isinstance(ann, dict) else None
            result.errors.append(ErrorRecord(path, None, '; '.join(problems),
                                             sample=None if name is None else str(name)))
        else:
            kept.append(ann)
    result.samples = kept
    return result


def _run_one(job: Tuple[Callable[[str], FileResult], str, str, Optional[ShardStore],
                        Optional[SampleRules]]):
    """Convert one file in a worker, validate its samples; cache the result when it is clean."""
    convert, key, path, store, rules = job
    try:
        result = _checked(convert(path), path, rules)
    except FormatError as err:
        result = FileResult(errors=[err.record])
    except MemoryError:
        result = FileResult(errors=[ErrorRecord(
            file=path, line=None, message='out of memory while converting this file (corrupt '
                                          'counts, or too many --workers for the memory)')])
    except Exception as err:  # an unforeseen corruption must not end a 114,000-file run
        last = traceback.extract_tb(err.__traceback__)[-1]
        result = FileResult(errors=[ErrorRecord(
            file=path, line=None,
            message=f'unexpected {type(err).__name__}: {err} '
                    f'(in {last.name}, {last.filename}:{last.lineno})')])
    if store is not None and not result.errors:
        try:
            store.put(key, fingerprint(path), result)
        except OSError:  # a full disk loses only the resume shortcut, not the result
            pass
    return key, result


def process_files(tasks: Sequence[Tuple[str, str]], convert: Callable[[str], FileResult], *,
                  workers: int = 1, strict: bool = False, store: Optional[ShardStore] = None,
                  desc: str = 'converting', progress: bool = True,
                  rules: Optional[SampleRules] = None) -> RunResult:
    """Apply ``convert`` to every ``(key, path)`` task.

    Args:
        tasks (Sequence[tuple[str, str]]): Unique keys (sample or file names) and paths.
        convert (Callable[[str], FileResult]): Top-level function (or ``functools.partial``)
            so it can be sent to worker processes; raises :class:`FormatError` for a bad file.
        workers (int): Processes; 1 runs in this process. Defaults to 1.
        strict (bool): Stop at the first error with :class:`StrictModeError`.
        store (ShardStore, optional): Resume cache; clean results are written to it and
            files already in it (unchanged since) are not parsed again.
        desc (str): Progress-bar label.
        progress (bool): Show the progress bar.
        rules (SampleRules, optional): Every sample is validated with
            :func:`sfhead_mm.formats.annotation.check_sample` in the worker; a sample with
            problems (NaN, values beyond float32, wrong joints or label, ...) becomes an error
            of its file and the file is not cached.

    Returns:
        RunResult: Per-file results in task order, and all errors.
    """
    keys = [k for k, _ in tasks]
    if len(set(keys)) != len(keys):
        dup = sorted(k for k, n in Counter(keys).items() if n > 1)[:5]
        raise ValueError(f'two input files give the same sample name(s) {dup}: '
                         f'pass each dataset part only once')
    done: Dict[str, FileResult] = {}
    todo = []
    for key, path in tasks:
        cached = store.get(key, fingerprint(path)) if store is not None else None
        if cached is not None:
            done[key] = cached
        else:
            todo.append((convert, key, path, store, rules))
    n_cached = len(done)

    bar = Progress(len(todo), desc=desc, enabled=progress)

    def partial_run(stopped=False):
        ordered = {k: done[k] for k in keys if k in done}
        errors = [e for r in ordered.values() for e in r.errors]
        return RunResult(ordered, errors, parsed=len(done) - n_cached, cached=n_cached,
                         stopped=stopped)

    def collect(key, result):
        done[key] = result
        bar.update()
        if strict and result.errors:
            bar.close()
            raise StrictModeError(result.errors[0], partial_run(stopped=True))

    if workers <= 1 or len(todo) <= 1:
        try:
            for job in todo:
                collect(*_run_one(job))
        finally:
            bar.close()
        return partial_run()

    # fork keeps the parent's imports (cheap start); spawn where fork does not exist.
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context('fork' if 'fork' in methods else 'spawn')
    chunksize = max(1, min(32, len(todo) // (workers * 8)))
    pool = ctx.Pool(workers, initializer=_init_worker, initargs=(os.getpid(), ))
    try:
        for key, result in pool.imap_unordered(_run_one, todo, chunksize=chunksize):
            collect(key, result)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        bar.close()
    return partial_run()
