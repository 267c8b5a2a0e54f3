"""High-level APIs (inference)."""
