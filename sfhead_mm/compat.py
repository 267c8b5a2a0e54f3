"""The pinned stack's remaining breakages, each fixed where it bites and nowhere else.

Pinned stack: torch 2.13, numpy 2.x, mmengine 0.10.7, mmcv-lite 2.1.0, mmaction2 1.2.0.
``tests/test_compat.py`` proves each breakage is still present, so a fix can go once upstream
mends it.

1. ``drn`` (applied at import, by ``sfhead_mm.models``): the mmaction2 1.2.0 wheel
   lacks ``mmaction/models/localizers/drn/`` (open-mmlab/mmaction2#2714), so ``import
   mmaction.models`` raises ``ModuleNotFoundError``. :func:`stub_missing_drn` places a stand-in
   for exactly that module in ``sys.modules``, and only when the installed wheel lacks it.
2. ``multimodal`` (also at import, by ``sfhead_mm.models``, and only where it would fail): MMAction2
   1.2.0 imports its VindLU models whenever ``transformers>=4.28`` is installed, with names that
   newer transformers no longer has (``apply_chunking_to_forward`` left
   ``transformers.modeling_utils`` in 4.56), so with a recent transformers in the environment
   ``import mmaction.models`` raises ``ImportError`` and no skeleton model can be built.
   :func:`stub_broken_multimodal` checks the names VindLU imports from transformers, without
   importing VindLU; if one is missing it places a stand-in for ``mmaction.models.multimodal``
   that registers the same placeholders MMAction2 registers when transformers is absent (building
   one raises ``ImportError`` saying which name is missing).
3. Distributed runs on a machine without CUDA (gloo): mmengine's ``_init_dist_pytorch`` calls
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
import ast
import contextlib
import glob
import importlib
import importlib.metadata
import importlib.util
import os
import sys
import types
from typing import Iterator, List, Optional, Tuple

DRN = 'mmaction.models.localizers.drn'
MULTIMODAL = 'mmaction.models.multimodal'
#: What ``mmaction.models.multimodal`` registers as placeholders when transformers is absent.
MULTIMODAL_MODELS = ('VindLUVQA', 'VindLURetrievalMC', 'VindLURetrieval')
#: The oldest transformers with which MMAction2 1.2.0 imports its multimodal models at all.
MULTIMODAL_MIN_TRANSFORMERS = '4.28.0'


def _mmaction_roots() -> List[str]:
    """The installed mmaction package's folders; empty when it is absent."""
    spec = importlib.util.find_spec('mmaction')  # top level only: imports nothing of mmaction
    if spec is None or not spec.submodule_search_locations:
        return []
    return list(spec.submodule_search_locations)


def drn_missing() -> bool:
    """True when the installed mmaction lacks ``models/localizers/drn`` (the 1.2.0 wheel)."""
    roots = _mmaction_roots()
    if not roots:
        return False  # mmaction absent; its own import error will say so
    return not any(
        os.path.isdir(os.path.join(root, 'models', 'localizers', 'drn')) for root in roots)


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


def transformers_imports(package_dir: str) -> List[Tuple[str, Tuple[str, ...]]]:
    """``(module, names)`` of every ``from transformers... import names`` (and ``import
    transformers...``, with no names) in the ``.py`` files of ``package_dir``, read with ``ast``:
    nothing of the package runs."""
    found = []
    for path in sorted(glob.glob(os.path.join(package_dir, '*.py'))):
        with open(path, encoding='utf-8') as f:
            tree = ast.parse(f.read(), filename=path)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and (
                    node.module.split('.')[0] == 'transformers'):
                found.append((node.module, tuple(a.name for a in node.names)))
            elif isinstance(node, ast.Import):
                found += [(a.name, ()) for a in node.names
                          if a.name.split('.')[0] == 'transformers']
    return found


def multimodal_import_error() -> Optional[str]:
    """Why MMAction2's multimodal models would fail to import here, or None.

    None when mmaction or transformers is absent, or transformers is older than MMAction2's
    minimum (MMAction2 then skips those models itself), or every name they import from
    transformers is there. Imports transformers (as MMAction2 would) but nothing of mmaction.
    """
    roots = _mmaction_roots()
    if not roots or importlib.util.find_spec('transformers') is None:
        return None
    from mmengine.utils import digit_version
    try:
        version = importlib.metadata.version('transformers')
    except importlib.metadata.PackageNotFoundError:
        return None  # importable but not installed as a distribution: MMAction2 skips it too
    if digit_version(version) < digit_version(MULTIMODAL_MIN_TRANSFORMERS):
        return None
    vindlu = os.path.join(roots[0], 'models', 'multimodal', 'vindlu')
    for module, names in transformers_imports(vindlu):
        try:  # any error here is one MMAction2's own import would meet
            mod = importlib.import_module(module)
        except Exception as e:
            return f'transformers {version}: {type(e).__name__}: {e}'
        for name in names:
            try:
                if hasattr(mod, name):
                    continue
                importlib.import_module(f'{module}.{name}')  # a submodule not yet loaded
            except Exception:
                return f"transformers {version} has no '{name}' in {module}"
    return None


def stub_broken_multimodal() -> None:
    """Fix 2: stand-in for MMAction2's multimodal models where their import would fail
    (idempotent; nothing is done once ``mmaction.models.multimodal`` is imported)."""
    if MULTIMODAL in sys.modules:
        return
    reason = multimodal_import_error()
    if reason is None:
        return
    from mmaction.registry import MODELS
    for name in MULTIMODAL_MODELS:

        def broken(*args, _name=name, **kwargs):
            raise ImportError(
                f'{_name}: MMAction2 1.2.0\'s multimodal models cannot be imported with the '
                f'installed transformers ({reason}); install an older transformers to use them')

        MODELS.register_module(name=name, module=broken)
    stub = types.ModuleType(MULTIMODAL)
    stub.__path__ = []
    stub.__all__ = []
    stub.import_error = reason
    sys.modules[MULTIMODAL] = stub


@contextlib.contextmanager
def cpu_distributed() -> Iterator[None]:
    """Fix 3a: inside the block, ``torch.cuda.set_device`` is a no-op when CUDA is absent.

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
    """Fix 3b: make a distributed config runnable with gloo on CPU.

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
