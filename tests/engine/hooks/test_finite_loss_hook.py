"""FiniteLossHook: a run stops at the first iteration whose loss is nan or inf, and says where."""
import math
import os
import os.path as osp
import re
import subprocess
import types

import pytest
import torch
import torch.multiprocessing as mp
from mmengine.config import ConfigDict
from mmengine.logging import MMLogger

from sfhead_mm.engine.hooks import DivergedLossError, FiniteLossHook
from sfhead_mm.engine.hooks.finite_loss_hook import nonfinite_terms
from tests.conftest import REPO, TEST_CONFIGS, data_options, free_port, run

TINY = osp.join(TEST_CONFIGS, 'tiny_stgcn_synthetic.py')
TRAIN = osp.join(REPO, 'tools', 'train.py')


def fake_runner(**cfg):
    return types.SimpleNamespace(cfg=ConfigDict(cfg), iter=41, epoch=2, train_dataloader=[0] * 7,
                                 logger=MMLogger.get_instance('test_finite_loss_hook'))


def test_nonfinite_terms_are_the_nan_and_inf_entries():
    outputs = dict(loss=torch.tensor(float('nan')), loss_cls=torch.tensor(1.5),
                   loss_con=torch.tensor(float('inf')), top1_acc=torch.tensor(0.5), note='x')
    bad = nonfinite_terms(outputs)
    assert list(bad) == ['loss', 'loss_con']
    assert math.isnan(bad['loss']) and bad['loss_con'] == float('inf')
    assert nonfinite_terms(dict(loss=torch.tensor(2.0), loss_cls=3)) == {}
    assert nonfinite_terms(None) == {}


def test_the_hook_raises_naming_iteration_epoch_step_and_terms():
    runner = fake_runner()
    hook = FiniteLossHook()
    hook.after_train_iter(runner, 4, outputs=dict(loss=torch.tensor(0.7)))  # finite: nothing
    outputs = dict(loss=torch.tensor(float('inf')), loss_cls=torch.tensor(float('inf')),
                   loss_red=torch.tensor(0.1))
    with pytest.raises(DivergedLossError) as err:
        hook.after_train_iter(runner, 4, outputs=outputs)
    message = str(err.value)
    assert message.startswith('the training loss is inf at iteration 42 (epoch 3, step 5 of 7); '
                              'not finite: loss_cls=inf:'), message
    assert 'loss_red' not in message and 'optim_wrapper.optimizer.lr' in message
    # `check_loss = False` in the config: the run goes on
    FiniteLossHook().after_train_iter(fake_runner(check_loss=False), 4, outputs=outputs)


def test_a_diverging_run_stops_at_its_first_nan_iteration(python, tmp_path, synthetic_small):
    """A learning rate of 1e30 makes the loss nan within the first epoch: tools/train.py ends
    with exit code 2 and one line naming the iteration, the run's log has it too, and no
    checkpoint of nan weights is written. With check_loss=False the same run trains on."""
    work = tmp_path / 'stopped'
    cmd = [python, TRAIN, TINY, '--work-dir', str(work), '--seed', '0', '--cfg-options',
           *data_options(synthetic_small), 'optim_wrapper.optimizer.lr=1e30',
           'train_cfg.max_epochs=1']
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, OMP_NUM_THREADS='2'))
    assert proc.returncode == 2, proc.stderr[-3000:]
    last = proc.stderr.strip().splitlines()[-1]
    found = re.match(r'error: the training loss is (nan|inf) at iteration (\d+) \(epoch 1, '
                     r'step (\d+) of (\d+)\)', last)
    assert found, last
    assert found.group(2) == found.group(3) and int(found.group(3)) <= int(found.group(4))
    logs = list(work.glob('*/*.log'))
    assert len(logs) == 1 and last[len('error: '):] in logs[0].read_text()
    assert not list(work.glob('*.pth'))
    # the opt-out: the same run goes to its end over nan and writes its checkpoint
    work = tmp_path / 'on'
    run([python, TRAIN, TINY, '--work-dir', str(work), '--seed', '0', '--cfg-options',
         *data_options(synthetic_small), 'optim_wrapper.optimizer.lr=1e30',
         'train_cfg.max_epochs=1', 'check_loss=False'])
    assert (work / 'epoch_1.pth').is_file()


def _dist_worker(rank, world_size, port, losses, out_dir):
    """One rank of a gloo group: the hook sees this rank's loss of each iteration; the rank
    writes the error it stopped with (or 'went on') to ``out_dir/<rank>``."""
    import torch.distributed as dist
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank,
                            world_size=world_size)
    try:
        hook, runner, result = FiniteLossHook(), fake_runner(), 'went on'
        try:
            for i, per_rank in enumerate(losses):
                runner.iter = i
                hook.after_train_iter(runner, i, outputs=dict(loss=torch.tensor(per_rank[rank])))
        except DivergedLossError as err:
            result = f'{i}: {err}'
        with open(osp.join(out_dir, str(rank)), 'w') as f:
            f.write(result)
    finally:
        dist.destroy_process_group()


def test_in_a_distributed_run_every_rank_stops_when_one_rank_loss_is_nan(tmp_path):
    """Two gloo processes: at the second iteration only rank 1's loss is nan (a bad sample on
    that rank). Both ranks stop at that iteration, both naming rank 1; rank 0's error, the one
    in the work directory's log, says its own loss was finite. Finite losses: both go on."""
    nan = float('nan')
    mp.start_processes(_dist_worker, nprocs=2, join=True, start_method='fork',
                       args=(2, free_port(), [(0.5, 0.6), (0.4, nan), (nan, nan)],
                             str(tmp_path)))
    first, second = ((tmp_path / str(rank)).read_text() for rank in (0, 1))
    assert first.startswith('1: the training loss is not finite on rank 1 of 2 at iteration 2 '
                            '(epoch 3, step 2 of 7)'), first
    assert second.startswith('1: the training loss is nan on rank 1 of 2 at iteration 2 '), second
    mp.start_processes(_dist_worker, nprocs=2, join=True, start_method='fork',
                       args=(2, free_port(), [(0.5, 0.6), (0.4, 0.3)], str(tmp_path)))
    assert [(tmp_path / str(rank)).read_text() for rank in (0, 1)] == ['went on'] * 2


def test_a_diverging_distributed_run_stops_every_rank(python, tmp_path, synthetic_small):
    """tools/dist_train.sh with 2 CPU processes (gloo) at a learning rate of 1e30: both ranks
    stop at the same iteration with exit code 2 and the same line, which rank 0's log (the
    work directory's) has too; no checkpoint is written."""
    proc = subprocess.run(
        ['bash', osp.join(REPO, 'tools', 'dist_train.sh'), TINY, '2', '--work-dir',
         str(tmp_path), '--cfg-options', *data_options(synthetic_small),
         'optim_wrapper.optimizer.lr=1e30', 'train_cfg.max_epochs=1'],
        cwd=REPO, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHON=python, OMP_NUM_THREADS='1'))
    assert proc.returncode != 0
    lines = (proc.stdout + proc.stderr).splitlines()
    errors = [line for line in lines if line.startswith('error: the training loss')]
    # each rank's line whole: two lines merged into one would show here as a count of `error:`
    assert len(errors) == 2 and errors[0] == errors[1], \
        [(line.count('error: '), len(line)) for line in lines if 'error: the training' in line]
    assert re.match(r'error: the training loss is (nan|inf) on ranks 0, 1 of 2 at iteration \d+ ',
                    errors[0]), errors[0]
    assert 'exitcode  : 2' in proc.stderr
    logs = list(tmp_path.glob('*/*.log'))
    assert len(logs) == 1 and errors[0][len('error: '):] in logs[0].read_text()
    assert not list(tmp_path.glob('*.pth'))
