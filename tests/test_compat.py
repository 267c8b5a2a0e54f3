"""Each remaining work-around in sfhead_mm.compat is still needed (remove it when a test fails)."""
import importlib.util
import os
import subprocess
import sys

import pytest
import torch

from sfhead_mm import compat
from tests.conftest import REPO


def test_drn_is_missing_from_the_installed_mmaction_wheel():
    if not compat.drn_missing():
        pytest.skip('this mmaction install has models/localizers/drn: the stub can go')
    # Without the stub, mmaction.models cannot be imported at all (open-mmlab/mmaction2#2714).
    proc = subprocess.run([sys.executable, '-c', 'import mmaction.models'], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert "No module named 'mmaction.models.localizers.drn'" in proc.stderr


def test_drn_stub_only_stands_in_for_that_module():
    stub = sys.modules.get(compat.DRN)
    if stub is None:
        pytest.skip('no stub in this process (a complete mmaction install)')
    assert stub.__spec__ is None and stub.drn.DRN.__name__ == 'DRN'
    with pytest.raises(ImportError, match='2714'):
        stub.drn.DRN()


@pytest.mark.skipif(torch.cuda.is_available(), reason='the work-around is for CPU-only machines')
def test_cpu_distributed_is_needed_and_scoped():
    # mmengine's _init_dist_pytorch calls this unconditionally; a CPU build of torch raises.
    with pytest.raises((AttributeError, RuntimeError, AssertionError)):
        torch.cuda.set_device(0)
    original = torch.cuda.set_device
    with compat.cpu_distributed():
        torch.cuda.set_device(0)  # a no-op inside the run's scope
    assert torch.cuda.set_device is original


def test_adapt_cfg_for_cpu_dist_keeps_user_settings():
    from mmengine.config import Config
    cfg = Config(dict(model_wrapper_cfg=dict(type='MMDistributedDataParallel',
                                             find_unused_parameters=True)))
    compat.adapt_cfg_for_cpu_dist(cfg)
    if torch.cuda.is_available():
        return
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    assert cfg.model_wrapper_cfg.device_ids is None
    assert cfg.model_wrapper_cfg.find_unused_parameters is True


def _fake_transformers(root, version, modeling_utils='class PreTrainedModel:\n    pass\n'):
    """A stand-in ``transformers`` distribution of ``version`` whose ``modeling_utils`` lacks the
    names MMAction2 1.2.0's VindLU imports (as transformers >= 4.56 lacks
    ``apply_chunking_to_forward``)."""
    pkg = root / 'transformers'
    pkg.mkdir()
    (pkg / '__init__.py').write_text('class BertTokenizer:\n    pass\n')
    (pkg / 'modeling_utils.py').write_text(modeling_utils)
    info = root / f'transformers-{version}.dist-info'
    info.mkdir()
    (info / 'METADATA').write_text(
        f'Metadata-Version: 2.1\nName: transformers\nVersion: {version}\n')
    return root


def _python(code, path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(path), str(REPO)]))
    return subprocess.run([sys.executable, '-c', code], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)


def test_a_newer_transformers_breaks_mmaction_models(tmp_path):
    # The breakage itself: with the drn stub only, MMAction2 imports VindLU and fails.
    proc = _python('from sfhead_mm.compat import stub_missing_drn\n'
                   'stub_missing_drn()\n'
                   'import mmaction.models\n', _fake_transformers(tmp_path, '4.60.0'))
    assert proc.returncode != 0
    assert 'transformers' in proc.stderr.splitlines()[-1]


def test_multimodal_stub_keeps_mmaction_models_importable(tmp_path):
    code = ('import sfhead_mm.models, mmaction.models, sys\n'
            'from mmaction.registry import MODELS\n'
            'assert MODELS.get("SFHead") is not None and MODELS.get("STGCN") is not None\n'
            'print(sys.modules["mmaction.models.multimodal"].import_error)\n'
            'try:\n'
            '    MODELS.build(dict(type="VindLUVQA"))\n'
            'except ImportError as e:\n'
            '    print("refused:", e)\n')
    proc = _python(code, _fake_transformers(tmp_path, '4.60.0'))
    assert proc.returncode == 0, proc.stderr[-2000:]
    reason, refused = proc.stdout.strip().splitlines()[-2:]
    assert reason.startswith('transformers 4.60.0')
    assert refused.startswith('refused: VindLUVQA:') and reason in refused


def test_multimodal_probe_leaves_mmaction_alone_otherwise(tmp_path):
    # an older transformers than MMAction2's minimum: MMAction2 skips VindLU itself
    proc = _python('from sfhead_mm import compat\nprint(compat.multimodal_import_error())',
                   _fake_transformers(tmp_path, '4.20.0'))
    assert proc.returncode == 0 and proc.stdout.strip() == 'None', proc.stderr[-2000:]
    # what the probe checks: the names VindLU imports, read from its source
    vindlu = os.path.join(compat._mmaction_roots()[0], 'models', 'multimodal', 'vindlu')
    imports = compat.transformers_imports(vindlu)
    assert ('transformers.modeling_utils', ('PreTrainedModel', 'apply_chunking_to_forward',
            'find_pruneable_heads_and_indices', 'prune_linear_layer')) in imports
    if importlib.util.find_spec('transformers') is None:  # this environment: nothing stubbed
        assert compat.multimodal_import_error() is None
        import mmaction.models.multimodal as multimodal
        assert getattr(multimodal, '__file__', None) is not None
