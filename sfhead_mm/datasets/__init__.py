"""Datasets and transforms: the synthetic demo set, layout-aware skeleton transforms, data checks."""
from . import pose_dataset_errors, synthetic, transforms  # noqa: F401

pose_dataset_errors.install()
