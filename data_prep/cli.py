"""What every converter command shares: its options and the run from files to a checked pickle.

A dataset module (``ntu``, ``nwucla``, ``pkummd``) finds its input files, names them, says how
one file is converted and how samples are split; :func:`run_conversion` does the rest: resume
cache, parallel run with progress, strict mode, checking and atomically writing the pickle, the
report next to it, and ``--verify``.
"""
import argparse
import os
import os.path as osp
import sys
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from sfhead_mm.utils.atomic_write import write_pickle
from .errors import ErrorRecord
from .pose_pickle import build_pose_pickle
from .report import ConversionReport, report_path_for
from .resume import ShardStore, parts_dir_for
from .runner import StrictModeError, process_files

EXIT_OK, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 130


def add_common_arguments(parser: argparse.ArgumentParser, default_out: str) -> None:
    """``--out --workers --strict --verify --no-resume --keep-parts --quiet``."""
    parser.add_argument('--out', default=default_out,
                        help=f'output pickle (default: {default_out}); the report is written '
                             f'next to it as <name>.report.json')
    parser.add_argument('--workers', type=int, default=1,
                        help='parallel processes; 0 = one per CPU core (default: 1)')
    parser.add_argument('--strict', action='store_true',
                        help='stop with exit status 1 at the first corrupt file instead of '
                             'skipping and reporting it')
    parser.add_argument('--verify', action='store_true',
                        help='after writing, load every split with MMAction2 PoseDataset and '
                             'the standard skeleton pipeline; print counts and histograms')
    parser.add_argument('--no-resume', action='store_true',
                        help='parse every file again (clears <out>.parts/, the cache of '
                             'finished files that lets an interrupted run resume)')
    parser.add_argument('--keep-parts', action='store_true',
                        help='keep <out>.parts/ after a successful run (default: delete it)')
    parser.add_argument('--quiet', action='store_true', help='no progress bar')


def resolve_workers(workers: int) -> int:
    return max(1, os.cpu_count() or 1) if workers <= 0 else workers


@dataclass
class Conversion:
    """One dataset's conversion, as the shared runner needs it.

    Args:
        dataset (str): Name for messages and the report.
        inputs (list[str]): What the user passed (for the report).
        tasks (list[tuple[str, str]]): ``(key, path)`` per input file.
        convert (Callable): ``path -> FileResult``, picklable.
        make_split (Callable): ``annotations -> {split: [frame_dir, ...]}``.
        settings (dict): Options that change results (resume cache key, report).
        num_joints (int): Joints per sample (checked).
        num_classes (int): Number of classes (labels checked).
        layout (str): Skeleton layout for ``--verify``.
        num_person (int): People per sample for ``--verify``.
        class_names (list[str]): For the printed histograms.
        pre_errors (list[ErrorRecord]): Problems found before parsing (e.g. bad file names).
        skipped (dict): ``reason -> sample names`` left out on purpose, for the report.
        extra (dict): More report fields.
    """

    dataset: str
    inputs: List[str]
    tasks: List[Tuple[str, str]]
    convert: Callable
    make_split: Callable[[List[dict]], Dict[str, List[str]]]
    settings: dict
    num_joints: int
    num_classes: int
    layout: str
    num_person: int
    class_names: Optional[List[str]] = None
    pre_errors: List[ErrorRecord] = field(default_factory=list)
    skipped: Dict[str, List[str]] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_conversion(conv: Conversion, args: argparse.Namespace) -> int:
    """Convert, check, write and report. Returns the process exit status."""
    out = args.out
    report = ConversionReport(conv.dataset, out, conv.inputs, conv.settings)
    for reason, names in conv.skipped.items():
        report.skip(reason, names)
    report.extra.update(conv.extra)
    report.errors.extend(conv.pre_errors)
    for err in conv.pre_errors:
        _say(f'error: {err}')
    if conv.pre_errors and args.strict:
        report.status = 'stopped (strict)'
        _say(f'strict mode: stopping at the first error; report: {report.write()}')
        return EXIT_ERROR
    if not conv.tasks:
        report.status = 'failed: no input files'
        _say(f'error: no input files found in {conv.inputs}; report: {report.write()}')
        return EXIT_ERROR

    parts = parts_dir_for(out)
    if args.no_resume and osp.isdir(parts):
        ShardStore(parts, conv.settings).remove()
    store = ShardStore(parts, conv.settings)
    if store.reset:
        _say(f'note: {parts} held results of other settings; cleared')
    workers = resolve_workers(args.workers)
    _say(f'{conv.dataset}: {len(conv.tasks)} files, {workers} worker(s), resume cache {parts}')
    try:
        run = process_files(conv.tasks, conv.convert, workers=workers, strict=args.strict,
                            store=store, desc=conv.dataset, progress=not args.quiet)
    except StrictModeError as err:
        report.errors.append(err.record)
        report.status = 'stopped (strict)'
        report.counts = dict(files=len(conv.tasks), done_before_stop=len(err.run.results))
        _say(f'error: {err.record}')
        older = ' (the older file there is unchanged)' if osp.exists(out) else ''
        _say(f'strict mode: stopped at the first error, nothing written to {out}{older}; '
             f'finished files are cached in {parts}; report: {report.write()}')
        return EXIT_ERROR
    except KeyboardInterrupt:
        _say(f'\ninterrupted: nothing written to {out}; {len(store)} finished files are '
             f'cached in {parts}; run the same command again to resume')
        return EXIT_INTERRUPTED

    annotations = [a for r in run.results.values() for a in r.samples]
    report.errors.extend(run.errors)
    for err in run.errors:
        _say(f'error: {err}')
    for key, result in run.results.items():
        if result.notes:
            report.notes[key] = list(result.notes)
    report.counts = dict(files=len(conv.tasks), parsed=run.parsed, cached=run.cached,
                         failed_files=sum(1 for r in run.results.values() if r.errors),
                         errors=len(report.errors), samples=len(annotations))
    if not annotations:
        report.status = 'failed: no sample converted'
        _say(f'error: no sample could be converted; report: {report.write()}')
        return EXIT_ERROR
    split = conv.make_split(annotations)
    data = build_pose_pickle(annotations, split, conv.num_joints, conv.num_classes)
    write_pickle(out, data)
    report.splits = {k: len(v) for k, v in split.items()}
    report.status = 'written'
    report_file = report.write()
    if not args.keep_parts:
        store.remove()

    _say(f'wrote {out}: {len(annotations)} samples; ' +
         ', '.join(f'{k} {v}' for k, v in report.splits.items()))
    if report.errors:
        _say(f'{len(report.errors)} problem(s) skipped and listed in {report_file}')
    for reason, names in report.skipped.items():
        _say(f'{len(names)} sample(s) left out ({reason}); listed in {report_file}')
    if args.verify:
        from .verify import verify_pickle
        verify_pickle(out, layout=conv.layout, num_person=conv.num_person,
                      num_classes=conv.num_classes, class_names=conv.class_names,
                      splits=list(split))
    return EXIT_OK


def collect_files(inputs: Sequence[str], suffixes: Sequence[str]) -> List[str]:
    """Files under the given folders (recursively) or given directly, ending in ``suffixes``.

    Raises:
        FileNotFoundError: An input path does not exist.
    """
    found = []
    for item in inputs:
        if osp.isfile(item):
            found.append(item)
        elif osp.isdir(item):
            for root, dirs, files in os.walk(item):
                dirs.sort()
                found.extend(osp.join(root, f) for f in sorted(files)
                             if f.endswith(tuple(suffixes)))
        else:
            raise FileNotFoundError(f'input {item!r} does not exist')
    return found


__all__ = ['add_common_arguments', 'Conversion', 'run_conversion', 'collect_files',
           'report_path_for']
