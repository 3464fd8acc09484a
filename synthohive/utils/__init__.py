"""Shared helpers: randomness, validation, lazy imports."""
