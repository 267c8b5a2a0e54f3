"""Errors found in input files: the formats' :class:`~sfhead_mm.formats.errors.FormatError`.

A converter that meets a corrupt file raises :class:`SampleError` (the same class); the runner
takes its ``.record`` (file, line, message, sample), skips the file, goes on with the others and
lists the record in the report (or stops at the first one in ``--strict`` mode).
"""
from sfhead_mm.formats.errors import ErrorRecord, FormatError, SampleError  # noqa: F401

__all__ = ['ErrorRecord', 'FormatError', 'SampleError']
