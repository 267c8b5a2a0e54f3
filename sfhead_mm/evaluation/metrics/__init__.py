"""Metrics registered in ``mmaction.registry.METRICS``; group definitions in ``groups/*.json``."""
from .ambiguous_group import AmbiguousGroupMetric

__all__ = ['AmbiguousGroupMetric']
