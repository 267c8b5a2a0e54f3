"""print_error: an error line is one write, so lines of processes sharing stderr stay whole."""
import os
import subprocess
import sys
import time

from sfhead_mm.utils.console import print_error
from tests.conftest import REPO


class _Recorder:
    """A stream that records each write and flush."""

    def __init__(self):
        self.calls = []

    def write(self, text):
        self.calls.append(text)
        return len(text)

    def flush(self):
        self.calls.append('<flush>')


def test_the_line_is_written_in_one_call_and_flushed(monkeypatch):
    stream = _Recorder()
    print_error('the file x.pkl is missing', file=stream)
    assert stream.calls == ['error: the file x.pkl is missing\n', '<flush>']
    monkeypatch.setattr(sys, 'stderr', _Recorder())
    print_error('on stderr')
    assert sys.stderr.calls == ['error: on stderr\n', '<flush>']


_WRITER = r'''
import sys, time
from sfhead_mm.utils.console import print_error
start, name = float(sys.argv[1]), sys.argv[2]
while time.time() < start:
    pass
for i in range(2000):
    print_error(name * 400)
'''


def test_two_unbuffered_processes_on_one_pipe_keep_every_line_whole():
    """The case of a distributed run's ranks under ``PYTHONUNBUFFERED=1``: two processes write
    2000 lines each to one pipe at the same moment; every line comes out whole (``print`` makes
    two writes there, and lines of the two processes merged in a run of this test)."""
    env = dict(os.environ, PYTHONUNBUFFERED='1', PYTHONPATH=REPO)
    start = str(time.time() + 1.0)
    read, write = os.pipe()
    procs = [subprocess.Popen([sys.executable, '-c', _WRITER, start, name], stderr=write,
                              env=env) for name in 'ab']
    os.close(write)
    with os.fdopen(read, 'rb') as pipe:
        lines = pipe.read().decode().splitlines()
    assert [p.wait() for p in procs] == [0, 0]
    assert sorted(set(lines)) == ['error: ' + 'a' * 400, 'error: ' + 'b' * 400], \
        [line[:60] for line in set(lines)][:5]
    assert len(lines) == 4000
