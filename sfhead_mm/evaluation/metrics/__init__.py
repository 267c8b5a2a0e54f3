"""Metrics registered in ``mmaction.registry.METRICS``; group definitions in ``groups/*.json``."""
from .ambiguous_group import AmbiguousGroupMetric
from .dump_scores import DumpScores

__all__ = ['AmbiguousGroupMetric', 'DumpScores']
