"""The conversion report written next to the output (``<output stem>.report.json``).

Nothing is dropped silently: every skipped file is listed with its reason (corrupt, with file
and line; excluded by the official missing-skeleton list; outside the chosen dataset), and the
expected samples that were not found in the inputs are counted and listed.
"""
import os.path as osp
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from sfhead_mm.utils.atomic_write import write_json
from .errors import ErrorRecord


def report_path_for(output: str) -> str:
    """``data/ntu60_3d.pkl`` -> ``data/ntu60_3d.report.json``."""
    stem, ext = osp.splitext(output)
    return (stem if ext == '.pkl' else output) + '.report.json'


@dataclass
class ConversionReport:
    """What a conversion did, for people and for scripts.

    Args:
        dataset (str): Dataset name (``ntu60``, ``nwucla``, ...).
        output (str): The pickle written (or not, when the run stopped).
        inputs (list[str]): Input folders / files given.
        settings (dict): Options that shaped the result.
    """

    dataset: str
    output: str
    inputs: List[str]
    settings: Dict[str, Any]
    status: str = 'running'
    counts: Dict[str, int] = field(default_factory=dict)
    splits: Dict[str, int] = field(default_factory=dict)
    errors: List[ErrorRecord] = field(default_factory=list)
    skipped: Dict[str, List[str]] = field(default_factory=dict)
    notes: Dict[str, List[str]] = field(default_factory=dict)
    extra: Dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.time)

    def skip(self, reason: str, names: List[str]) -> None:
        """List samples left out on purpose (``reason`` is a short key)."""
        if names:
            self.skipped.setdefault(reason, []).extend(names)

    def to_dict(self) -> dict:
        return dict(
            dataset=self.dataset, status=self.status, output=self.output, inputs=self.inputs,
            settings=self.settings, counts=self.counts, splits=self.splits,
            errors=[e.to_dict() for e in self.errors],
            skipped={k: dict(count=len(v), samples=sorted(v)) for k, v in self.skipped.items()},
            notes=self.notes, extra=self.extra,
            seconds=round(time.time() - self.started, 1))

    def write(self, path: Optional[str] = None) -> str:
        """Write the report atomically; returns its path."""
        path = path or report_path_for(self.output)
        write_json(path, self.to_dict())
        return path
