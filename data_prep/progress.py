"""A progress bar with rate and ETA that also behaves in log files.

On a terminal the bar is redrawn in place (at most every ``interval`` seconds); when stderr is a
file or a pipe (a cluster job's log) a plain line is printed every ``log_interval`` seconds
instead, so a 114,000-file run does not write 114,000 lines.

Not mmengine's ``ProgressBar`` / ``track_parallel_progress`` (``mmengine.utils`` does not import
torch, but adds 0.3-0.5 s of imports to a ~0.5 s start, redraws with ``\r`` into log files, and its
parallel helper has no per-file errors, ``--strict`` stop or resume cache, which the runner needs).
"""
import sys
import time
from typing import IO, Optional


def format_seconds(seconds: float) -> str:
    """``3725`` -> ``'1:02:05'``; ``'?'`` for an unknown duration."""
    if seconds is None or seconds != seconds or seconds == float('inf'):
        return '?'
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f'{hours}:{minutes:02d}:{secs:02d}' if hours else f'{minutes:02d}:{secs:02d}'


class Progress:
    """Count finished items and show done/total, rate, elapsed time and ETA.

    Args:
        total (int): Number of items expected.
        desc (str): Label printed before the bar.
        stream (IO, optional): Where to write; defaults to ``sys.stderr``.
        interval (float): Minimum seconds between redraws on a terminal.
        log_interval (float): Seconds between lines when the stream is not a terminal.
        enabled (bool): Print nothing when False (the counts are still kept).
    """

    def __init__(self, total: int, desc: str = '', stream: Optional[IO] = None,
                 interval: float = 0.2, log_interval: float = 30.0, enabled: bool = True):
        self.total = int(total)
        self.desc = desc
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and self.total > 0
        isatty = getattr(self.stream, 'isatty', None)
        self.tty = bool(isatty and isatty())
        self.interval = interval if self.tty else log_interval
        self.done = 0
        self.start = time.monotonic()
        self._last = float('-inf')
        self._closed = False

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def eta(self) -> float:
        """Seconds left at the mean rate so far (``inf`` before the first item)."""
        if self.done == 0:
            return float('inf')
        return self.elapsed / self.done * (self.total - self.done)

    def line(self) -> str:
        frac = self.done / self.total if self.total else 1.0
        width = 30
        filled = int(width * frac)
        rate = self.done / self.elapsed if self.elapsed > 0 else 0.0
        return (f'{self.desc} [{"#" * filled}{"." * (width - filled)}] '
                f'{self.done}/{self.total} {100 * frac:5.1f}% {rate:7.1f} files/s '
                f'elapsed {format_seconds(self.elapsed)} ETA {format_seconds(self.eta())}')

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and (now - self._last >= self.interval or self.done >= self.total):
            self._last = now
            self._write()

    def _write(self) -> None:
        if self.tty:
            self.stream.write('\r' + self.line())
        else:
            self.stream.write(self.line() + '\n')
        self.stream.flush()

    def close(self) -> None:
        """Draw the final state and end the line (once)."""
        if self._closed:
            return
        self._closed = True
        if self.enabled and self.tty:
            self._write()
            self.stream.write('\n')
            self.stream.flush()
