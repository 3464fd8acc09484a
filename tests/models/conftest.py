"""Fixtures of every model test: the iris table, one torch thread (see ctgan/conftest.py)."""

from tests.models.ctgan.conftest import _one_torch_thread, iris  # noqa: F401 (fixtures)
