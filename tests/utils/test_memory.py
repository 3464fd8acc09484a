import pytest

from synthohive.exceptions import DataValidationError
from synthohive.utils import _memory


def test_available_memory_is_known_here():
    assert _memory.available_memory() > 0


def test_allocation_beyond_half_the_memory_is_refused(monkeypatch):
    monkeypatch.setattr(_memory, "available_memory", lambda: 4 * 2**30)
    _memory.check_allocation(2 * 2**30, "two GiB", "use less")
    with pytest.raises(DataValidationError, match=r"the matrix needs about 3\.0 GiB.*use less"):
        _memory.check_allocation(3 * 2**30, "the matrix", "use less")


def test_unknown_memory_never_refuses(monkeypatch):
    monkeypatch.setattr(_memory, "available_memory", lambda: None)
    _memory.check_allocation(1e30, "anything", "")
