"""Errors of input files, each pointing at a file and, where there is one, a line.

Every parser of :mod:`sfhead_mm.formats` raises :class:`FormatError`. Its ``record`` holds the
parts (file, line, message, sample), so callers never take the message string apart: the
converters list the record in their report, inference prints ``str(err)``, one line.
"""
from dataclasses import asdict, dataclass
from typing import Optional


@dataclass(frozen=True)
class ErrorRecord:
    """One problem in one input file.

    Args:
        file (str): Path of the input file.
        line (int, optional): 1-based line number, when the problem has one.
        message (str): What is wrong, in words a user can act on.
        sample (str, optional): The sample (clip) concerned, when a file holds several.
    """

    file: str
    line: Optional[int]
    message: str
    sample: Optional[str] = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f'{self.file}:{self.line}'
        what = f'{self.sample}: ' if self.sample else ''
        return f'{where}: {what}{self.message}'

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> 'ErrorRecord':
        return cls(file=data['file'], line=data.get('line'), message=data['message'],
                   sample=data.get('sample'))


class FormatError(ValueError):
    """A corrupt or unusable input file (or one sample of it); ``str()`` is one line.

    Args:
        file (str): Path of the input file.
        message (str): What is wrong (one line).
        line (int, optional): 1-based line number of the problem.
        sample (str, optional): The sample concerned, when a file holds several.

    Attributes:
        record (ErrorRecord): The same, as data.
    """

    def __init__(self, file: str, message: str, line: Optional[int] = None,
                 sample: Optional[str] = None):
        message = ' '.join(str(message).split('\n'))
        self.record = ErrorRecord(file=str(file), line=line, message=message, sample=sample)
        super().__init__(str(self.record))

    @property
    def path(self) -> str:
        """The file (the name inference code has used)."""
        return self.record.file

    @property
    def line(self) -> Optional[int]:
        return self.record.line

    @property
    def message(self) -> str:
        return self.record.message

    def __reduce__(self):  # picklable across worker processes
        r = self.record
        return (type(self), (r.file, r.message, r.line, r.sample))


#: The name the converters have used.
SampleError = FormatError

__all__ = ['ErrorRecord', 'FormatError', 'SampleError']
