"""Each remaining work-around in sfhead_mm.compat is still needed (remove it when a test fails)."""
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
