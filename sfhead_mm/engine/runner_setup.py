"""Config preparation shared by ``tools/train.py`` and ``tools/test.py``.

The tools keep MMAction2's command-line interface; what they add is in this module so that both
behave the same: config lookup inside the package, the CPU-distributed adaptation, the epoch
reseeding that makes ``--resume`` exact, and readable errors for a missing config or checkpoint.
"""
import os
import os.path as osp
from typing import Optional

from mmengine.config import Config

from .. import compat
from .hooks.check_data_hook import ensure_check_data_hook  # noqa: F401  (for tools/train.py)

#: Where configs live: next to the tools in a source checkout, or in the installed package.
_PACKAGE_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG_ROOTS = (osp.join(osp.dirname(_PACKAGE_ROOT), 'configs'),
                osp.join(_PACKAGE_ROOT, '.mim', 'configs'))


def find_config(path: str) -> str:
    """Resolve a config path; a bare name is looked up in the package's ``configs/``."""
    if osp.isfile(path):
        return path
    tried = [path]
    for root in CONFIG_ROOTS:
        for candidate in (osp.join(root, path), osp.join(root, osp.basename(path))):
            if osp.isfile(candidate):
                return candidate
            tried.append(candidate)
    raise FileNotFoundError(f'config {path!r} not found; looked at: ' + ', '.join(tried))


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Load a config, making sure ``sfhead_mm`` is among its ``custom_imports``.

    Stock MMAction2 configs do not import this package; a run of our tools always has it
    imported already, and the entry in ``custom_imports`` makes dataloader workers started with
    ``spawn`` import it too.
    """
    cfg = Config.fromfile(find_config(path))
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    imports = cfg.get('custom_imports', None) or dict(imports=[], allow_failed_imports=False)
    names = list(imports.get('imports', []))
    if 'sfhead_mm' not in names:
        imports['imports'] = ['sfhead_mm'] + names
    cfg.custom_imports = imports
    return cfg


def check_checkpoint(path: Optional[str], what: str = 'checkpoint') -> None:
    """Fail early, naming the file, when a checkpoint path does not exist."""
    if path and '://' not in path and not osp.isfile(path):
        raise FileNotFoundError(f'{what} {path!r} does not exist')


def setup_launcher(cfg: Config, launcher: str) -> None:
    """Record the launcher; on a machine without CUDA, switch distributed runs to gloo/CPU DDP."""
    cfg.launcher = launcher
    if launcher != 'none':
        compat.adapt_cfg_for_cpu_dist(cfg)


def ensure_epoch_seed_hook(cfg: Config) -> None:
    """Add :class:`EpochSeedHook` unless the config already has it or opts out.

    Set ``epoch_reseed = False`` in a config to keep mmengine's once-per-run seeding.
    """
    if cfg.get('epoch_reseed', True) is False:
        return
    hooks = list(cfg.get('custom_hooks', None) or [])
    if not any(h.get('type') == 'EpochSeedHook' for h in hooks):
        hooks.append(dict(type='EpochSeedHook'))
    cfg.custom_hooks = hooks


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
    """Pipelines of a dataset config, looking through wrappers (RepeatDataset, ...)."""
    while dataset_cfg is not None:
        if 'pipeline' in dataset_cfg:
            yield dataset_cfg['pipeline']
        for inner in dataset_cfg.get('datasets', []) or []:
            yield from _pipelines(inner)
        dataset_cfg = dataset_cfg.get('dataset')


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
