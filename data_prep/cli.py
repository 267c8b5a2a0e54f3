"""What every converter command shares: its options and the run from files to a checked pickle.

A dataset module (``ntu``, ``nwucla``, ``pkummd``) finds its input files, names them, says how
one file is converted and how samples are split; :func:`run_conversion` does the rest: resume
cache, parallel run with progress, strict mode, checking and atomically writing the pickle, the
report next to it, and ``--verify``.
"""
import argparse
import errno
import os
import os.path as osp
import sys
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from sfhead_mm.formats.annotation import AnnotationError
from sfhead_mm.formats.errors import ErrorRecord
from sfhead_mm.utils.atomic_write import remove_stale_temporaries, write_pickle

from .pose_pickle import build_pose_pickle, converter_rules, empty_splits, sample_problems
from .report import ConversionReport, report_path_for
from .resume import ShardStore, parts_dir_for
from .runner import StrictModeError, process_files
from .verify import VerifyError

EXIT_OK, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 130


def prog_name(module: str) -> str:
    """How the user started a converter: ``sfhead-ntu``, ``python -m sfhead_mm.data_prep.ntu``
    (a regular install) or ``python -m data_prep.ntu`` (a checkout)."""
    script = osp.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ''
    if script.startswith('sfhead-'):
        return script
    return f'python -m {__package__}.{module}'


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
                        help='after writing, read the pickle back and validate every sample '
                             'and split; print counts and class histograms')
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


def _disk_message(err: OSError) -> str:
    """One line for a failed write (a full disk says so)."""
    if err.errno == errno.ENOSPC:
        return 'no space left on the device'
    if err.errno == errno.EDQUOT:
        return 'disk quota exceeded'
    return err.strerror or str(err).splitlines()[0] or type(err).__name__


def _write_report(report: ConversionReport) -> str:
    """Write the report; a failed write (full disk) is said in the returned text, not raised."""
    try:
        return report.write()
    except OSError as err:
        return f'(not written: {_disk_message(err)})'


def _assemble(conv: 'Conversion', annotations: List[dict], report: ConversionReport,
              sources: Dict[str, str]) -> Tuple[dict, List[dict]]:
    """The checked ``PoseDataset`` dict; samples that fail the check become errors.

    Workers have checked every sample already, so this normally builds at once; samples from an
    older cache that fail are moved to the errors instead of stopping the run.
    """
    split = conv.make_split(annotations)
    try:
        return build_pose_pickle(annotations, split, conv.num_joints, conv.num_classes), \
            annotations
    except AnnotationError:
        pass
    rules = converter_rules(conv.num_joints, conv.num_classes)
    kept, seen = [], set()
    for ann in annotations:
        name = ann.get('frame_dir')
        problems = sample_problems(ann, rules)
        if name in seen:
            problems.append('frame_dir: another sample has the same name')
        if problems:
            report.errors.append(ErrorRecord(sources.get(name, '<unknown file>'), None,
                                             '; '.join(problems), sample=name))
        else:
            seen.add(name)
            kept.append(ann)
    split = conv.make_split(kept)
    return build_pose_pickle(kept, split, conv.num_joints, conv.num_classes), kept


def run_conversion(conv: Conversion, args: argparse.Namespace) -> int:
    """Convert, check, write and report. Returns the process exit status.

    Every problem ends in one line on stderr and in the report: corrupt inputs (the run goes
    on), a full disk or another failed write (exit 1, the older output unchanged), Ctrl-C
    (exit 130, finished files cached).
    """
    try:
        return _run_conversion(conv, args)
    except OSError as err:
        where = f' {err.filename}' if getattr(err, 'filename', None) else ''
        _say(f'error: cannot write{where}: {_disk_message(err)}; nothing written to {args.out} '
             f'(an older file there is unchanged); free some space and run the same command '
             f'again (finished files are kept in {parts_dir_for(args.out)})')
        return EXIT_ERROR


def _run_conversion(conv: Conversion, args: argparse.Namespace) -> int:
    out = args.out
    report = ConversionReport(conv.dataset, out, conv.inputs, conv.settings)
    # A run killed during its final write (kill -9) leaves hidden temporaries; this run is the
    # only writer of these names, so it removes them.
    stale = remove_stale_temporaries(out) + remove_stale_temporaries(report_path_for(out))
    if stale:
        _say(f'note: removed {len(stale)} temporary file(s) left by an interrupted earlier '
             f'run: {", ".join(osp.basename(p) for p in stale[:3])}')
    for reason, names in conv.skipped.items():
        report.skip(reason, names)
    report.extra.update(conv.extra)
    report.errors.extend(conv.pre_errors)
    for err in conv.pre_errors:
        _say(f'error: {err}')
    if conv.pre_errors and args.strict:
        report.status = 'stopped (strict)'
        _say(f'strict mode: stopping at the first error; report: {_write_report(report)}')
        return EXIT_ERROR
    if not conv.tasks:
        report.status = 'failed: no input files'
        _say(f'error: no input files found in {conv.inputs}; report: {_write_report(report)}')
        return EXIT_ERROR

    parts = parts_dir_for(out)
    if args.no_resume and osp.isdir(parts):
        ShardStore(parts, conv.settings).remove()
    store = ShardStore(parts, conv.settings)
    if store.reset:
        _say(f'note: {parts} held results of other settings; cleared')
    workers = resolve_workers(args.workers)
    _say(f'{conv.dataset}: {len(conv.tasks)} files, {workers} worker(s), resume cache {parts}')
    rules = converter_rules(conv.num_joints, conv.num_classes)
    try:
        run = process_files(conv.tasks, conv.convert, workers=workers, strict=args.strict,
                            store=store, desc=conv.dataset, progress=not args.quiet,
                            rules=rules)
    except StrictModeError as err:
        report.errors.append(err.record)
        report.status = 'stopped (strict)'
        report.counts = dict(files=len(conv.tasks), done_before_stop=len(err.run.results))
        _say(f'error: {err.record}')
        older = ' (the older file there is unchanged)' if osp.exists(out) else ''
        _say(f'strict mode: stopped at the first error, nothing written to {out}{older}; '
             f'finished files are cached in {parts}; report: {_write_report(report)}')
        return EXIT_ERROR
    except KeyboardInterrupt:
        _say(f'\ninterrupted: nothing written to {out}; {len(store)} finished files are '
             f'cached in {parts}; run the same command again to resume')
        return EXIT_INTERRUPTED

    sources = dict(conv.tasks)
    annotations, origin = [], {}
    for key, result in run.results.items():
        for a in result.samples:
            annotations.append(a)
            origin[a.get('frame_dir')] = sources.get(key, key)
    report.errors.extend(run.errors)
    for err in run.errors:
        _say(f'error: {err}')
    for key, result in run.results.items():
        if result.notes:
            report.notes[key] = list(result.notes)
    n_errors = len(report.errors)
    data, annotations = (None, []) if not annotations else _assemble(conv, annotations, report,
                                                                     origin)
    for err in report.errors[n_errors:]:
        _say(f'error: {err}')
    report.counts = dict(files=len(conv.tasks), parsed=run.parsed, cached=run.cached,
                         failed_files=sum(1 for r in run.results.values() if r.errors),
                         errors=len(report.errors), samples=len(annotations))
    if not annotations:
        report.status = 'failed: no sample converted'
        _say(f'error: no sample could be converted; report: {_write_report(report)}')
        return EXIT_ERROR
    split = data['split']
    try:
        write_pickle(out, data)
    except OSError as err:
        report.status = f'failed: cannot write the output ({_disk_message(err)})'
        _say(f'error: cannot write {out}: {_disk_message(err)}; nothing written (an older file '
             f'there is unchanged); the {len(store)} finished files stay cached in {parts}, free '
             f'some space and run the same command again; report: {_write_report(report)}')
        return EXIT_ERROR
    report.splits = {k: len(v) for k, v in split.items()}
    report.status = 'written'
    report_file = _write_report(report)
    if not args.keep_parts:
        store.remove()

    _say(f'wrote {out}: {len(annotations)} samples; ' +
         ', '.join(f'{k} {v}' for k, v in report.splits.items()))
    if report.errors:
        _say(f'{len(report.errors)} problem(s) skipped and listed in {report_file}')
    for reason, names in report.skipped.items():
        _say(f'{len(names)} sample(s) left out ({reason}); listed in {report_file}')
    empty = empty_splits(data)
    if empty:
        _say(f'note: no sample in split(s) {", ".join(empty)} (a config using one of them '
             f'would have an empty dataset)')
    if args.verify:
        from .verify import verify_pickle
        try:
            verify_pickle(out, layout=conv.layout, num_person=conv.num_person,
                          num_classes=conv.num_classes, class_names=conv.class_names,
                          splits=[k for k, v in split.items() if v])
        except VerifyError as err:
            _say(f'error: --verify: {err}')
            return EXIT_ERROR
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
