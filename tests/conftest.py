"""Shared fixtures: paths, the venv's python, small synthetic data, the real-data root."""
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
TEST_CONFIGS = osp.join(REPO, 'tests', 'configs')


def pytest_configure(config):
    # Every test process registers the package first, with MMAction2's registry scope active,
    # as the tools do.
    from sfhead_mm.utils import register_all_modules
    register_all_modules()
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')


@pytest.fixture(scope='session')
def repo():
    return REPO


@pytest.fixture(scope='session')
def python():
    """The interpreter running the tests (the project's .venv under `make test`)."""
    return sys.executable


@pytest.fixture(scope='session')
def shared_data():
    """Root of the recorded datasets (``SFHEAD_DATA``, default ``../shared/data``)."""
    root = os.environ.get('SFHEAD_DATA', osp.join(REPO, '..', 'shared', 'data'))
    return osp.abspath(root)


def require_data(root: str, *parts: str) -> str:
    """Path under the data root, or skip the test saying what is missing and how to set it."""
    path = osp.join(root, *parts)
    if not osp.exists(path):
        pytest.skip(f'real data not found: {path} (set SFHEAD_DATA to the folder holding '
                    f'nw-ucla/, ntu-rgbd-samples/, other-samples/)')
    return path


@pytest.fixture(scope='session')
def synthetic_small(tmp_path_factory):
    """A small synthetic set (8 classes x 24 train / 8 val), written once per session."""
    from sfhead_mm.datasets import synthetic
    path = tmp_path_factory.mktemp('synthetic') / 'ntu25_synthetic_small.pkl'
    synthetic.write(str(path), train_per_class=24, val_per_class=8, seed=0)
    return str(path)


def data_options(ann_file: str):
    """--cfg-options pointing every loader of a synthetic config at ``ann_file``."""
    return [f'train_dataloader.dataset.dataset.ann_file={ann_file}',
            f'val_dataloader.dataset.ann_file={ann_file}',
            f'test_dataloader.dataset.ann_file={ann_file}']


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, for a test's own process group."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run(cmd, cwd=REPO, env=None, timeout=600):
    """Run a command, failing the test with its output when it fails."""
    full_env = dict(os.environ)
    full_env.setdefault('OMP_NUM_THREADS', '2')
    if env:
        full_env.update(env)
    proc = subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f'command failed ({proc.returncode}): {" ".join(cmd)}\n'
                             f'--- stdout ---\n{proc.stdout[-4000:]}\n'
                             f'--- stderr ---\n{proc.stderr[-6000:]}')
    return proc
