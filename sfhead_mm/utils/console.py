"""Error lines on stderr that stay whole when several processes share the stream.

Every rank of a distributed run writes to the same pipe. ``print(line, file=sys.stderr)`` makes
two writes (the text, then the newline) when the stream is unbuffered (``PYTHONUNBUFFERED=1``,
set on the development machine), so another rank's line can land between them and two lines
come out as one. One write of the whole line is one ``write(2)``, atomic on a pipe up to
``PIPE_BUF`` (4096 bytes on Linux).
"""
import sys
from typing import Optional, TextIO


def print_error(message: object, file: Optional[TextIO] = None) -> None:
    """Write ``error: <message>`` (``message`` as ``str`` gives it: a text or an exception) and a
    newline to ``file`` (default stderr) in one write, then flush."""
    stream = sys.stderr if file is None else file
    stream.write(f'error: {message}\n')
    stream.flush()
