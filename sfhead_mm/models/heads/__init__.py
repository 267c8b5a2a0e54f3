"""Heads beyond MMAction2's."""
