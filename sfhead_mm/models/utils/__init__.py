"""Shared units of the backbones."""
