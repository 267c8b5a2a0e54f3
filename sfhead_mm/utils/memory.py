"""Peak memory of a piece of work, for the benchmark scripts.

On CUDA: ``max_memory_allocated``. On CPU there is no allocator statistic, so the work runs in a
fresh process and the growth of its peak RSS is reported. Two details make that repeatable:
glibc keeps freed memory in its arenas (the peak of repeated runs scatters by tens of MB), so the
child takes large blocks straight from mmap (``MALLOC_MMAP_THRESHOLD_``); and ``getrusage``'s
``ru_maxrss`` survives fork + exec (a child of a large parent reports the parent's peak), so the
child reads its own high-water mark, ``VmHWM``.
"""
import json
import os
import subprocess
from typing import Sequence

import torch

CHILD_ENV = {'MALLOC_MMAP_THRESHOLD_': '65536'}


def _status_kb(field: str) -> int:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise RuntimeError(f'no {field} in /proc/self/status')


class PeakMemory:
    """``start()`` before the work, ``growth()`` after: peak bytes above the start.

    Args:
        device (torch.device): Where the work runs.
    """

    def __init__(self, device: torch.device):
        self.device = device
        self.base = 0

    def start(self) -> None:
        if self.device.type == 'cuda':
            torch.cuda.reset_peak_memory_stats()
            self.base = torch.cuda.memory_allocated()
        else:
            self.base = _status_kb('VmRSS') * 1024

    def growth(self) -> int:
        if self.device.type == 'cuda':
            return torch.cuda.max_memory_allocated() - self.base
        return _status_kb('VmHWM') * 1024 - self.base


def peak_in_child(cmd: Sequence[str]) -> int:
    """Run ``cmd`` (which prints ``{"peak_bytes": N}`` last) and return N."""
    env = dict(os.environ, **CHILD_ENV)
    out = subprocess.run(list(cmd), capture_output=True, text=True, check=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])['peak_bytes']
