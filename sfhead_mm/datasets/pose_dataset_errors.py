"""One readable line when a run cannot build its datasets: :func:`explain_dataset_error`.

``PoseDataset.load_data_list`` fails with bare Python errors on the commonest user mistakes: a
split name the file does not have (``KeyError: 'xsub_train'``), MMAction2 0.x's list format
(``TypeError: list indices must be integers``, mmaction2 #2800, #2290), a dict without
``split``/``annotations``, a missing or truncated file. Those happen while the runner builds its
datasets, 10-60 lines of traceback deep. Nothing is patched: the tools' entry points catch the
exception and ask :func:`explain_dataset_error`, which diagnoses the config's annotation files
with the format's owner (:mod:`sfhead_mm.formats.annotation`) and returns one line naming the
file, the config key to change and the fix, or None when the error is not a data problem (then
the traceback is shown as usual). A tool's entry point wraps its run in
:func:`data_errors_in_one_line`::

    with data_errors_in_one_line(cfg):   # exit code 2 and "error: ..." on stderr
        runner = Runner.from_cfg(cfg)
        runner.train()
"""
import contextlib
import os.path as osp
import pickle
import traceback
from typing import Iterator, List, Optional

from ..formats import annotation
from ..formats.annotation import AnnotationError
from ..utils.console import print_error

#: Errors ``PoseDataset`` raises on a file that does not fit (and the reader's own).
_DATA_ERRORS = (KeyError, TypeError, IndexError, AttributeError, ValueError, OSError, EOFError,
                pickle.UnpicklingError)
#: Where in a traceback a dataset is being built or loaded.
_DATA_FRAMES = (osp.join('mmaction', 'datasets'), osp.join('mmengine', 'dataset'),
                osp.join('mmengine', 'fileio'))


def _raised_while_loading_data(exc: BaseException) -> bool:
    for frame in traceback.extract_tb(exc.__traceback__):
        if any(part in frame.filename for part in _DATA_FRAMES) or frame.name in (
                'build_dataloader', 'load_data_list', 'full_init'):
            return True
    return False


def _first_line(text: str) -> str:
    return ' '.join(str(text).split('\n')[0].split())


def explain_dataset_error(exc: BaseException, cfg=None) -> Optional[str]:
    """One line explaining a failure to build or check a config's datasets, or None.

    Args:
        exc (BaseException): What the runner (or a data check) raised.
        cfg (mmengine.Config, optional): The run's config; its loaders' annotation files are
            diagnosed (read with the restricted unpickler, splits looked up).

    Returns:
        str | None: E.g. ``"data/x.pkl: no split named 'xsub_train'; the file has ['train',
        'val'] (change train_dataloader.dataset.dataset.split)"``; the check report for a
        :class:`~.checks.DataCheckError` (one line per problem); None when ``exc`` is not a
        data problem, so that the caller re-raises it.
    """
    from .checks import DataCheckError
    if isinstance(exc, DataCheckError):
        return str(exc)
    if isinstance(exc, AnnotationError):
        return _first_line(exc)
    if not isinstance(exc, _DATA_ERRORS) or not _raised_while_loading_data(exc):
        return None
    if cfg is None:
        return None
    lines = diagnose_config_files(cfg)
    if not lines:
        return None
    return '; '.join(lines) + f' ({type(exc).__name__}: {_first_line(exc)})'


def diagnose_config_files(cfg, loaders=('train', 'val', 'test')) -> List[str]:
    """Problems of the config's annotation files that stop ``PoseDataset`` from loading them:
    one phrase per file and key, naming the config key to change (empty when none)."""
    from .checks import is_pickle_path, loaders_of
    from .layout_checks import missing_file_hint
    found: List[str] = []
    cache = {}
    old = []
    for loader in loaders_of(cfg, loaders):
        ann_file = loader.ann_file
        if not is_pickle_path(ann_file):
            continue
        if ann_file not in cache:
            try:
                cache[ann_file] = annotation.read_annotation_file(ann_file)
            except AnnotationError as err:
                cache[ann_file] = err
        data = cache[ann_file]
        if isinstance(data, AnnotationError):
            line = f'{data} (change {loader.key}.ann_file)'
            if not osp.exists(str(ann_file)):
                line += missing_file_hint(str(ann_file))  # the command that writes it
        else:
            if annotation.is_old_format(data) and loader.split is not None:
                old.append((loader.split, ann_file))
            samples, problems = annotation.select_split(data, loader.split, ann_file)
            if samples is not None:  # PoseDataset can load it (names without samples aside)
                continue
            key = f'{loader.key}.split' if any(p.key == 'split' for p in problems) \
                else f'{loader.key}.ann_file'
            text = '; '.join(p.message for p in problems)
            prefix = '' if text.startswith(str(ann_file)) else f'{ann_file}: '
            line = f'{prefix}{text} (change {key})'
        if line not in found:
            found.append(line)
    if old:
        found.append(annotation.conversion_command(old))
    return found


@contextlib.contextmanager
def data_errors_in_one_line(cfg, exit_code: int = 2) -> Iterator[None]:
    """For tools' entry points: a data problem raised inside the block is printed as
    ``error: <explanation>`` on stderr and ends the process with ``exit_code``; any other error
    propagates unchanged (with its traceback).

    Args:
        cfg (mmengine.Config): The run's config (its annotation files are diagnosed).
        exit_code (int): Defaults to 2, the tools' code for a user error.
    """
    try:
        yield
    except Exception as exc:
        message = explain_dataset_error(exc, cfg)
        if message is None:
            raise
        print_error(message)
        raise SystemExit(exit_code) from None
