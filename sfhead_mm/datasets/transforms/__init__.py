"""Skeleton transforms that read the layout registry."""
