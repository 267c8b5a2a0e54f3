"""Work-arounds for the known breakages of the pinned stack, in one place.

Pinned stack: torch 2.13, numpy 2.x, mmengine 0.10.7, mmcv-lite 2.1.0, mmaction2 1.2.0.
Every fix below is idempotent, touches nothing when the breakage is absent, and names the reason.
``sfhead_mm/__init__.py`` calls :func:`apply_all` before anything imports ``mmaction.models``.

1. ``drn``: the mmaction2 1.2.0 wheel lacks ``mmaction/models/localizers/drn/`` (upstream issue
   open-mmlab/mmaction2#2714), so importing ``mmaction.models`` raises ``ModuleNotFoundError``.
   We place an empty stand-in module in ``sys.modules`` (process-local; every entry point of this
   package imports ``sfhead_mm`` first, and ``custom_imports`` does the same for stock tools).
2. numpy 2 removed ``np.Inf``, ``np.NAN``, ``np.NaN``, ``np.trapz``, ``np.in1d``; mmaction's pose
   transforms (``PoseCompact``) still use ``np.Inf``. We restore the aliases only if missing.
3. torch >= 2.6 loads checkpoints with ``weights_only=True``; an mmengine checkpoint carries its
   message hub (``HistoryBuffer`` objects whose pickles reference ``getattr`` and numpy
   internals), so resume, ``load_from`` and test fail. Allow-listing ``getattr`` for the safe
   unpickler would make it unsafe anyway, so we do what the torch message suggests for trusted
   files: mmengine's local-file checkpoint loader reads with ``weights_only=False``. A checkpoint
   is code: load only checkpoints you trust (the same trust the pre-2.6 default assumed).
   Set ``SFHEAD_WEIGHTS_ONLY=1`` to keep torch's safe default (then mmengine checkpoints with a
   message hub will not load).
4. Distributed training on a CPU-only machine: mmengine calls ``torch.cuda.set_device``
   unconditionally (an AttributeError on a CPU build of torch) and wraps DDP with
   ``device_ids=[local_rank]``. :func:`patch_cuda_set_device` makes ``set_device`` a no-op when
   CUDA is absent, and :func:`adapt_cfg_for_cpu_dist` switches a config to gloo and CPU DDP.
"""
import os
import sys
import types

_APPLIED = False


def stub_missing_drn() -> None:
    """Fix 1: stand-in for the ``drn`` localizer missing from the wheel."""
    name = 'mmaction.models.localizers.drn'
    if name in sys.modules:
        return
    import importlib.util
    spec = importlib.util.find_spec('mmaction')  # top level only: imports nothing of mmaction
    if spec is None or not spec.submodule_search_locations:
        return  # mmaction absent; its own import error will say so
    for root in spec.submodule_search_locations:
        if os.path.isdir(os.path.join(root, 'models', 'localizers', 'drn')):
            return  # a complete install (e.g. from source): nothing to fix
    pkg = types.ModuleType(name)
    pkg.__path__ = []  # a package, so ``drn.drn`` can be imported from it
    sub = types.ModuleType(name + '.drn')

    class DRN:  # noqa: D401 - never registered, never built
        """Placeholder for the localizer missing from the mmaction2 1.2.0 wheel."""

        def __init__(self, *args, **kwargs):
            raise ImportError('DRN is missing from the mmaction2 1.2.0 wheel '
                              '(open-mmlab/mmaction2#2714); install mmaction2 '
                              'from source to use it.')

    sub.DRN = DRN
    pkg.drn = sub
    sys.modules[name] = pkg
    sys.modules[name + '.drn'] = sub


def restore_numpy_aliases() -> None:
    """Fix 2: numpy-1 names still used by mmaction transforms."""
    import numpy as np
    aliases = {
        'Inf': lambda: np.inf,
        'NAN': lambda: np.nan,
        'NaN': lambda: np.nan,
        'trapz': lambda: np.trapezoid,
        'in1d': lambda: (lambda ar1, ar2, *a, **k: np.isin(
            np.ravel(ar1), ar2, *a, **k)),
    }
    for name, make in aliases.items():
        if name not in np.__dict__:
            setattr(np, name, make())


def load_trusted_checkpoints() -> None:
    """Fix 3: mmengine's local checkpoint loader unpickles fully (trusted files)."""
    if os.environ.get('SFHEAD_WEIGHTS_ONLY') == '1':
        return
    import os.path as osp

    import torch
    from mmengine.runner.checkpoint import CheckpointLoader

    if getattr(CheckpointLoader._schemes.get(''), '_sfhead_trusted', False):
        return

    def load_from_local(filename, map_location):
        filename = osp.expanduser(filename)
        if not osp.isfile(filename):
            raise FileNotFoundError(f'{filename} can not be found.')
        return torch.load(filename, map_location=map_location, weights_only=False)

    load_from_local._sfhead_trusted = True
    CheckpointLoader.register_scheme(prefixes='', loader=load_from_local, force=True)


def patch_cuda_set_device() -> None:
    """Fix 4a: ``torch.cuda.set_device`` is a no-op on a machine without CUDA."""
    import torch
    if torch.cuda.is_available() or getattr(torch.cuda.set_device,
                                            '_sfhead_noop', False):
        return
    original = torch.cuda.set_device

    def set_device(device):
        # mmengine's _init_dist_pytorch calls this for every launcher; on a
        # CPU-only machine there is no device to select.
        return None

    set_device._sfhead_noop = True
    set_device._original = original
    torch.cuda.set_device = set_device


def adapt_cfg_for_cpu_dist(cfg) -> None:
    """Fix 4b: make a distributed config runnable with gloo on CPU.

    Only acts when CUDA is absent. Keeps any ``model_wrapper_cfg`` the user set, only adding
    ``device_ids=None`` (DDP on CPU modules must not name a device), and carries
    ``find_unused_parameters`` over from the top-level key mmengine reads otherwise.
    """
    import torch
    if torch.cuda.is_available():
        return
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    if dist_cfg.get('backend', 'nccl') != 'gloo':
        dist_cfg['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel', broadcast_buffers=False)
    wrapper['device_ids'] = None
    wrapper.setdefault('find_unused_parameters',
                       cfg.get('find_unused_parameters', False))
    cfg['model_wrapper_cfg'] = wrapper


def apply_all() -> None:
    """Apply every fix once per process."""
    global _APPLIED
    if _APPLIED:
        return
    stub_missing_drn()
    restore_numpy_aliases()
    load_trusted_checkpoints()
    patch_cuda_set_device()
    _APPLIED = True
