"""Datasets and transforms: the synthetic demo set, layout-aware skeleton transforms."""
from . import synthetic, transforms  # noqa: F401
