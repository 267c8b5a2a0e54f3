"""exit_on_user_error: one line and exit code 2; in a distributed run a diverged loss (raised on
every rank at one iteration) lets no rank exit before every rank has printed its line."""
import os.path as osp
import time

import torch.multiprocessing as mp

from sfhead_mm.engine.hooks import DivergedLossError
from sfhead_mm.engine.runner_setup import exit_on_user_error
from tests.conftest import free_port

DELAY = 1.0  # how much later than rank 0 rank 1 reaches its error


def _rank(rank, port, error, out_dir):
    """One rank of a gloo group running a tool's ``main`` that fails with ``error``, rank 1
    ``DELAY`` seconds after rank 0. Writes ``<exit code> <when rank 1 reached its error> <when
    this rank left>`` and what it printed."""
    import io
    import sys

    import torch.distributed as dist
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank,
                            world_size=2)
    printed = sys.stderr = io.StringIO()
    reached = float('nan')

    def main(argv=None):
        nonlocal reached
        if rank == 1:
            time.sleep(DELAY)
            reached = time.monotonic()
        raise error(f'stopped on rank {rank}')

    try:
        code = exit_on_user_error(main)()
    except SystemExit as exc:
        code = exc.code
    left = time.monotonic()
    with open(osp.join(out_dir, str(rank)), 'w') as f:
        f.write(f'{code} {reached} {left}\n{printed.getvalue()}')
    dist.destroy_process_group()


def _run(tmp_path, errors):
    mp.start_processes(_rank, nprocs=2, join=True, start_method='fork',
                       args=(free_port(), errors, str(tmp_path)))
    out = []
    for rank in (0, 1):
        head, printed = (tmp_path / str(rank)).read_text().split('\n', 1)
        code, reached, left = head.split()
        out.append((int(code), float(reached), float(left), printed))
    return out


def test_a_diverged_run_exits_on_no_rank_before_every_rank_has_said_why(tmp_path):
    rank0, rank1 = _run(tmp_path, DivergedLossError)
    (code0, _, left0, printed0), (code1, reached1, _, printed1) = rank0, rank1
    assert (code0, code1) == (2, 2)
    assert printed0 == 'error: stopped on rank 0\n' and printed1 == 'error: stopped on rank 1\n'
    # Rank 0 failed DELAY seconds earlier, yet left only after rank 1 had printed.
    assert left0 >= reached1, (left0, reached1)


def test_an_error_of_one_rank_alone_does_not_wait_for_the_others(tmp_path):
    """Any other error may be one rank's alone (a file missing on one node): rank 0 leaves at
    once, without waiting for rank 1 (which here fails later the same way)."""
    (code0, _, left0, printed0), (code1, reached1, _, _) = _run(tmp_path, FileNotFoundError)
    assert (code0, code1) == (2, 2) and printed0 == 'error: stopped on rank 0\n'
    assert left0 < reached1, (left0, reached1)
