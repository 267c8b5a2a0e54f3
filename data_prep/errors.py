"""Errors found in input files, each pointing at a file and a line.

A converter that meets a corrupt file raises :class:`SampleError`; the runner turns it into an
:class:`ErrorRecord`, skips the file, goes on with the others and lists the record in the report
(or stops at the first one in ``--strict`` mode).
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


class SampleError(ValueError):
    """A corrupt or unusable input file (or one sample of it).

    Args:
        file (str): Path of the input file.
        message (str): What is wrong.
        line (int, optional): 1-based line number of the problem.
        sample (str, optional): The sample concerned, when a file holds several.
    """

    def __init__(self, file: str, message: str, line: Optional[int] = None,
                 sample: Optional[str] = None):
        self.record = ErrorRecord(file=file, line=line, message=message, sample=sample)
        super().__init__(str(self.record))
