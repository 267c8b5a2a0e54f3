"""Evaluation of ambiguous (look-alike) actions: the group metric, its group definitions, and
the result-file helpers shared with ``tools/analysis/``."""
from . import functional, metrics  # noqa: F401
from .group_spec import builtin_files, load_class_names, resolve_groups
from .metrics import AmbiguousGroupMetric, DumpScores
from .result_files import ResultFile, load_results, save_scores

__all__ = ['AmbiguousGroupMetric', 'DumpScores', 'ResultFile', 'builtin_files',
           'load_class_names', 'load_results', 'resolve_groups', 'save_scores']
