"""Config preparation shared by ``tools/train.py`` and ``tools/test.py``.

The tools keep MMAction2's command-line interface; what they add is in this module so that both
behave the same: config lookup inside the package, the CPU-distributed adaptation (scoped to the
run), checkpoint checks before a runner is built, and one-line errors with exit code 2. What every
run needs (exact resume, data check, safe checkpoint loading) is declared in the configs'
``custom_hooks``, not added here, so MMAction2's own tools behave the same.
"""
import contextlib
import os
import os.path as osp
from typing import Iterator, Optional

from mmengine.config import Config
from mmengine.dist import barrier

from .. import compat
from ..utils.checkpoint import CheckpointError, checkpoint_globals, load_checkpoint_file
from ..utils.console import print_error
from ..utils.safe_pickle import PickleReadError, UnsafePickleError
from ..utils.setup_env import REGISTERING_MODULES
from .hooks.finite_loss_hook import DivergedLossError

#: Where configs live: next to the tools in a source checkout, or in the installed package.
_PACKAGE_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG_ROOTS = (osp.join(osp.dirname(_PACKAGE_ROOT), 'configs'),
                osp.join(_PACKAGE_ROOT, '.mim', 'configs'))


def find_config(path: str) -> str:
    """Resolve a config path; a bare name (with or without ``.py``) is looked up in the
    package's ``configs/`` tree, as ``mim`` does (the file name must be unique there)."""
    if osp.isfile(path):
        return path
    name = path if path.endswith('.py') else path + '.py'
    tried = [path]
    for root in CONFIG_ROOTS:
        candidate = osp.join(root, name)
        if osp.isfile(candidate):
            return candidate
        tried.append(candidate)
        if osp.basename(name) == name and osp.isdir(root):
            found = sorted(osp.join(d, name) for d, _, files in os.walk(root) if name in files)
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise FileNotFoundError(f'config name {path!r} is ambiguous: {found}; give its '
                                        'path')
    raise FileNotFoundError(f'config {path!r} not found; looked at: ' + ', '.join(tried))


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Load a config, making sure the package's registering modules are in ``custom_imports``.

    Stock MMAction2 configs do not import this package; a run of our tools always has it
    registered already, and the entries in ``custom_imports`` make dataloader workers started with
    ``spawn`` register it too.
    """
    cfg = Config.fromfile(find_config(path))
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    imports = cfg.get('custom_imports', None) or dict(imports=[], allow_failed_imports=False)
    names = list(imports.get('imports', []))
    imports['imports'] = [m for m in REGISTERING_MODULES if m not in names] + names
    cfg.custom_imports = imports
    return cfg


def check_checkpoint(path: Optional[str], what: str = 'checkpoint') -> None:
    """Read a local checkpoint before any runner is built: a missing, truncated or foreign file,
    or one that references a global outside the allow-list, raises :class:`CheckpointError` (one
    line naming the file) and nothing from it executes."""
    if path and '://' not in path:
        try:
            load_checkpoint_file(path)
        except CheckpointError as err:
            raise CheckpointError(err.path, f'{what}: {err.reason}', err.global_name) from None


@contextlib.contextmanager
def run_scope(cfg: Config) -> Iterator[None]:
    """The scope of a tool's run: checkpoints load with the allow-list (also for stock configs
    without ``SafeCheckpointHook``), and on a CPU-only machine a distributed launch skips
    ``torch.cuda.set_device``. Both are undone on exit."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(checkpoint_globals())
        if cfg.get('launcher', 'none') != 'none':
            stack.enter_context(compat.cpu_distributed())
        yield


#: Errors a tool reports in one line (exit code 2) instead of a traceback (a diverged run's
#: loss too: the run's settings or data, not the code, are what to change).
USER_ERRORS = (CheckpointError, UnsafePickleError, PickleReadError, FileNotFoundError,
               IsADirectoryError, DivergedLossError)


def exit_on_user_error(main):
    """Run a tool's ``main``; a user error (bad checkpoint, config or data file) prints one line
    ``error: ...`` on stderr and exits with code 2.

    A diverged run stops every rank at one iteration, and no rank exits before all have printed
    their line: torchrun ends the other workers as soon as one exits, which would otherwise cut
    off a slower rank's line (or rank 0's log). Other errors may be one rank's alone, so they do
    not wait (a barrier there would hang)."""

    def wrapped(argv=None):
        try:
            return main(argv)
        except USER_ERRORS as err:
            print_error(err)  # one write: ranks share stderr
            if isinstance(err, DivergedLossError):
                barrier()  # a no-op outside a distributed run
            raise SystemExit(2) from None

    wrapped.__doc__ = main.__doc__
    wrapped.__wrapped__ = main
    return wrapped


def setup_launcher(cfg: Config, launcher: str) -> None:
    """Record the launcher; on a machine without CUDA, switch distributed runs to gloo/CPU DDP."""
    cfg.launcher = launcher
    if launcher != 'none':
        compat.adapt_cfg_for_cpu_dist(cfg)


def default_work_dir(cfg: Config, config_path: str, work_dir: Optional[str]) -> None:
    """CLI work dir > the config's own > ``./work_dirs/<config name>`` (MMAction2's rule)."""
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])


def set_local_rank_env(local_rank: int) -> None:
    """``torch.distributed.launch`` passes ``--local-rank``; torchrun sets ``LOCAL_RANK``."""
    os.environ.setdefault('LOCAL_RANK', str(local_rank))


def _pipelines(dataset_cfg):
    """Pipelines of a dataset config, through the package's one walker of dataset wrappers."""
    from ..skeleton.config import dataset_pipelines
    return dataset_pipelines(dataset_cfg)


def keep_sample_ids(cfg: Config, loader: str = 'test_dataloader') -> None:
    """Carry ``frame_dir`` into every prediction of ``loader``.

    Stock pipelines pack no sample id, so dumped predictions could only be matched by position;
    score fusion and result comparison join by sample id instead (order-independent).
    """
    loader_cfg = cfg.get(loader)
    if not loader_cfg:
        return
    default = ('img_shape', 'img_key', 'video_id', 'timestamp')
    for pipeline in _pipelines(loader_cfg.get('dataset')):
        for step in pipeline:
            if step.get('type') == 'PackActionInputs':
                keys = tuple(step.get('meta_keys', default))
                if 'frame_dir' not in keys:
                    step['meta_keys'] = keys + ('frame_dir', )
