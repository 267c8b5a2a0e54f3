"""tools/train.py and tools/test.py end to end on the synthetic set, resume, dist, mim."""
import os.path as osp
import pickle
import re
import signal
import subprocess
import time

import numpy as np
import pytest
import torch

from sfhead_mm.evaluation.result_files import load_results
from tests.conftest import REPO, TEST_CONFIGS, data_options, run

TINY = osp.join(TEST_CONFIGS, 'tiny_stgcn_synthetic.py')
TINY_SF = osp.join(TEST_CONFIGS, 'tiny_stgcn_sfhead_synthetic.py')
TOOLS = osp.join(REPO, 'tools')


def _train(python, cfg, work_dir, ann_file, *extra, launcher=None):
    cmd = [python, osp.join(TOOLS, 'train.py'), cfg, '--work-dir', str(work_dir),
           '--cfg-options', *data_options(ann_file), *extra]
    return run(cmd)


def _accuracy_of_dump(path):
    with open(path, 'rb') as f:
        results = pickle.load(f)
    pred = np.array([int(np.argmax(r['pred_score'])) for r in results])
    gt = np.array([int(r['gt_label']) for r in results])
    return float((pred == gt).mean()), len(results)


def _state(path):
    return torch.load(path, map_location='cpu', weights_only=False)['state_dict']


def test_train_one_epoch_then_test(python, tmp_path, synthetic_small):
    # The tiny config is MMAction2's stock ST-GCN config + the SF-Head override.
    proc = _train(python, TINY_SF, tmp_path, synthetic_small, 'train_cfg.max_epochs=1')
    log = proc.stdout + proc.stderr
    for key in ('loss_cls:', 'loss_con:', 'loss_red:'):
        assert key in log
    ckpt = tmp_path / 'epoch_1.pth'
    assert ckpt.is_file()
    # The checkpoint carries SF-Head's parameters next to the backbone's.
    assert any(k.startswith('plugins.0.heads.') for k in _state(ckpt))
    dump = tmp_path / 'pred.pkl'
    proc = run([python, osp.join(TOOLS, 'test.py'), TINY_SF, str(ckpt), '--work-dir',
                str(tmp_path / 'test'), '--dump', str(dump), '--cfg-options',
                *data_options(synthetic_small)])
    acc, n = _accuracy_of_dump(dump)
    assert n == 8 * 8  # every validation sample once
    printed = float(re.search(r'acc/top1: ([0-9.]+)', proc.stdout + proc.stderr).group(1))
    assert printed == pytest.approx(acc, abs=1e-4)


def test_missing_checkpoint_is_named(python, tmp_path, synthetic_small):
    missing = tmp_path / 'nope.pth'
    with pytest.raises(AssertionError, match='nope.pth'):
        run([python, osp.join(TOOLS, 'test.py'), TINY, str(missing), '--cfg-options',
             *data_options(synthetic_small)])


def test_resume_gives_the_same_weights(python, tmp_path, synthetic_small):
    full, part = tmp_path / 'full', tmp_path / 'part'
    epochs = 'train_cfg.max_epochs=3'
    _train(python, TINY_SF, full, synthetic_small, epochs)
    # The same run, killed once its epoch-1 checkpoint is complete, then resumed (`--resume`
    # without a path picks the latest checkpoint of the work dir).
    cmd = [python, osp.join(TOOLS, 'train.py'), TINY_SF, '--work-dir', str(part),
           '--cfg-options', *data_options(synthetic_small), epochs]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    marker = part / 'last_checkpoint'  # written after the checkpoint itself
    deadline = time.time() + 300
    while not (marker.exists() and marker.read_text().strip().endswith('epoch_1.pth')):
        assert proc.poll() is None, 'training ended before it could be interrupted'
        assert time.time() < deadline, 'no epoch-1 checkpoint within 300 s'
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (part / 'epoch_3.pth').exists()
    _train(python, TINY_SF, part, synthetic_small, epochs, '--resume')
    a, b = _state(full / 'epoch_3.pth'), _state(part / 'epoch_3.pth')
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    # and the weights did move after epoch 1
    first = _state(part / 'epoch_1.pth')
    assert any(not torch.equal(first[k], a[k]) for k in a if a[k].is_floating_point())


@pytest.mark.slow
def test_dist_train_and_test_on_cpu(python, tmp_path, synthetic_small):
    env = {'PYTHON': python}
    run(['bash', osp.join(TOOLS, 'dist_train.sh'), TINY_SF, '2', '--work-dir', str(tmp_path),
         '--cfg-options', *data_options(synthetic_small), 'train_cfg.max_epochs=1'], env=env)
    ckpt = tmp_path / 'epoch_1.pth'
    assert ckpt.is_file()
    # the distributed test writes a score file (DumpScores, gathered from both ranks), the
    # single-process one MMAction2's pickle: the same samples, the same scores
    dist_dump, single_dump = tmp_path / 'dist.json', tmp_path / 'single.pkl'
    run(['bash', osp.join(TOOLS, 'dist_test.sh'), TINY_SF, str(ckpt), '2', '--work-dir',
         str(tmp_path / 'dt'), '--dump', str(dist_dump), '--cfg-options',
         *data_options(synthetic_small)], env=env)
    run([python, osp.join(TOOLS, 'test.py'), TINY_SF, str(ckpt), '--work-dir',
         str(tmp_path / 'st'), '--dump', str(single_dump), '--cfg-options',
         *data_options(synthetic_small)])
    dist, single = load_results(str(dist_dump)), load_results(str(single_dump))
    assert len(dist.ids) == len(set(dist.ids)) == 64  # every sample once, padding dropped
    order = {i: k for k, i in enumerate(single.ids)}
    rows = [order[i] for i in dist.ids]
    assert np.allclose(dist.scores, single.scores[rows], atol=1e-6)
    assert np.array_equal(dist.labels, single.labels[rows])


@pytest.mark.slow
def test_mim_train_from_a_regular_install(python, tmp_path, synthetic_small):
    mim = osp.join(osp.dirname(python), 'mim')
    if not osp.exists(mim):
        pytest.skip('mim is not installed next to this interpreter (run through `make test`)')
    probe = run([python, '-c', 'import sfhead_mm, os; print(sfhead_mm.__file__)'],
                cwd=str(tmp_path))
    installed = probe.stdout.strip()
    if installed.startswith(REPO + osp.sep) and 'site-packages' not in installed:
        pytest.skip('sfhead_mm is not installed as a regular package (`make install` does it)')
    assert osp.isfile(osp.join(osp.dirname(installed), '.mim', 'tools', 'train.py'))
    # Run from elsewhere so that nothing resolves against the source checkout.
    run([mim, 'train', 'sfhead_mm', TINY_SF, '--work-dir', str(tmp_path / 'wd'),
         '--cfg-options', *data_options(synthetic_small), 'train_cfg.max_epochs=1'],
        cwd=str(tmp_path))
    assert (tmp_path / 'wd' / 'epoch_1.pth').is_file()


class _Payload:
    """Pickles as a call of os.system (never executed by the tests)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os
        return (os.system, (f'touch {self.marker}', ))


def _crafted_checkpoints(tmp_path, good):
    """A real checkpoint with a payload in its meta, and a plain pickle renamed .pth."""
    marker = tmp_path / 'payload_ran'
    ckpt = torch.load(good, map_location='cpu', weights_only=False)  # our own file: trusted
    ckpt['meta']['note'] = _Payload(marker)
    in_meta = tmp_path / 'crafted.pth'
    torch.save(ckpt, in_meta)
    plain = tmp_path / 'plain.pth'
    plain.write_bytes(pickle.dumps({'state_dict': _Payload(marker)}))
    return marker, [in_meta, plain]


def test_crafted_checkpoints_are_refused_by_every_tool(python, tmp_path, synthetic_small):
    _train(python, TINY, tmp_path / 'run', synthetic_small, 'train_cfg.max_epochs=1',
           'train_dataloader.dataset.dataset.indices=32', 'val_dataloader.dataset.indices=8')
    marker, crafted = _crafted_checkpoints(tmp_path, tmp_path / 'run' / 'epoch_1.pth')
    for path in crafted:
        commands = {
            'test.py': [osp.join(TOOLS, 'test.py'), TINY, str(path), '--cfg-options',
                        *data_options(synthetic_small)],
            'train.py --resume': [osp.join(TOOLS, 'train.py'), TINY, '--work-dir',
                                  str(tmp_path / 'resume'), '--resume', str(path),
                                  '--cfg-options', *data_options(synthetic_small)],
            'deploy.py': [osp.join(TOOLS, 'deploy.py'), TINY, str(path),
                          str(tmp_path / 'deploy.pth'), '--cfg-options',
                          *data_options(synthetic_small)],
        }
        for name, cmd in commands.items():
            proc = subprocess.run([python, *cmd], cwd=REPO, capture_output=True, text=True,
                                  timeout=600)
            assert proc.returncode == 2, (name, proc.returncode, proc.stderr[-2000:])
            errors = [line for line in proc.stderr.splitlines() if line.startswith('error:')]
            assert len(errors) == 1 and str(path) in errors[0], (name, proc.stderr[-2000:])
            assert 'system' in errors[0] and 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1' in errors[0]
            assert 'Traceback' not in proc.stderr, (name, proc.stderr[-2000:])
    assert not marker.exists()
