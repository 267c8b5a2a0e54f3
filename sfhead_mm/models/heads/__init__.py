"""Heads beyond MMAction2's."""
from .infogcn_head import InfoGCNHead  # noqa: E402,F401
