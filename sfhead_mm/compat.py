"""The pinned stack's remaining breakages, each fixed where it bites and nowhere else.

Pinned stack: torch 2.13, numpy 2.x, mmengine 0.10.7, mmcv-lite 2.1.0, mmaction2 1.2.0.
``tests/test_compat.py`` proves each breakage is still present, so a fix can go once upstream
mends it.

1. ``drn`` (the one fix applied at import, by ``sfhead_mm.models``): the mmaction2 1.2.0 wheel
   lacks ``mmaction/models/localizers/drn/`` (open-mmlab/mmaction2#2714), so ``import
   mmaction.models`` raises ``ModuleNotFoundError``. :func:`stub_missing_drn` places a stand-in
   for exactly that module in ``sys.modules``, and only when the installed wheel lacks it.
2. Distributed runs on a machine without CUDA (gloo): mmengine's ``_init_dist_pytorch`` calls
   ``torch.cuda.set_device`` unconditionally (an error on a CPU build of torch) and wraps DDP with
   ``device_ids=[local_rank]`` (``mmengine/dist/utils.py``; the call is discussed in
   open-mmlab/mmengine#973; no upstream issue for CPU-only machines was found).
   :func:`cpu_distributed` is a context manager for the tools' entry points:
   inside it ``set_device`` is a no-op when CUDA is absent; :func:`adapt_cfg_for_cpu_dist` switches
   the config to gloo and CPU DDP.

Gone from here, and why: numpy-2 aliases (``np.Inf`` ...) were only needed by the PoseC3D
transforms (``PoseCompact``), which no config of this package uses; checkpoints load with torch's
``weights_only=True`` and an allow-list (:mod:`sfhead_mm.utils.checkpoint`) instead of a replaced
mmengine loader; custom layouts reach MMAction2's ``Graph`` as layout dicts and bones go through
:class:`~sfhead_mm.datasets.transforms.LayoutGenSkeFeat` instead of rewritten constructors.
"""
import contextlib
import importlib.util
import os
import sys
import types
from typing import Iterator

DRN = 'mmaction.models.localizers.drn'


def drn_missing() -> bool:
    """True when the installed mmaction lacks ``models/localizers/drn`` (the 1.2.0 wheel)."""
    spec = importlib.util.find_spec('mmaction')  # top level only: imports nothing of mmaction
    if spec is None or not spec.submodule_search_locations:
        return False  # mmaction absent; its own import error will say so
    return not any(
        os.path.isdir(os.path.join(root, 'models', 'localizers', 'drn'))
        for root in spec.submodule_search_locations)


def stub_missing_drn() -> None:
    """Fix 1: stand-in for the ``drn`` localizer missing from the wheel (idempotent)."""
    if DRN in sys.modules or not drn_missing():
        return
    pkg = types.ModuleType(DRN)
    pkg.__path__ = []  # a package, so ``drn.drn`` can be imported from it
    sub = types.ModuleType(DRN + '.drn')

    class DRN_(object):
        """Placeholder for the localizer missing from the mmaction2 1.2.0 wheel."""

        def __init__(self, *args, **kwargs):
            raise ImportError('DRN is missing from the mmaction2 1.2.0 wheel '
                              '(open-mmlab/mmaction2#2714); install mmaction2 '
                              'from source to use it.')

    DRN_.__name__ = DRN_.__qualname__ = 'DRN'
    sub.DRN = DRN_
    pkg.drn = sub
    sys.modules[DRN] = pkg
    sys.modules[DRN + '.drn'] = sub


@contextlib.contextmanager
def cpu_distributed() -> Iterator[None]:
    """Fix 2a: inside the block, ``torch.cuda.set_device`` is a no-op when CUDA is absent.

    Restores the original on exit. On a machine with CUDA it changes nothing.
    """
    import torch
    if torch.cuda.is_available():
        yield
        return
    original = torch.cuda.set_device
    torch.cuda.set_device = lambda device: None  # no device to select on a CPU-only machine
    try:
        yield
    finally:
        torch.cuda.set_device = original


def adapt_cfg_for_cpu_dist(cfg) -> None:
    """Fix 2b: make a distributed config runnable with gloo on CPU.

    Only acts when CUDA is absent. Keeps any ``model_wrapper_cfg`` the user set, only adding
    ``device_ids=None`` (DDP on CPU modules must not name a device), and carries
    ``find_unused_parameters`` over from the top-level key mmengine reads otherwise.
    """
    import torch
    if torch.cuda.is_available():
        return
    env_cfg = dict(cfg.get('env_cfg', None) or {})
    env_cfg['dist_cfg'] = dict(env_cfg.get('dist_cfg', None) or {}, backend='gloo')
    cfg['env_cfg'] = env_cfg
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel', broadcast_buffers=False)
    wrapper['device_ids'] = None
    wrapper.setdefault('find_unused_parameters',
                       cfg.get('find_unused_parameters', False))
    cfg['model_wrapper_cfg'] = wrapper
