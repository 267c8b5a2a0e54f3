"""Datasets and transforms: the synthetic demo set, layout-aware skeleton transforms, data checks.

Importing registers the transforms into MMAction2's ``TRANSFORMS`` and changes nothing else.
"""
from . import synthetic, transforms  # noqa: F401
