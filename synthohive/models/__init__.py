"""Per-table generative models and their common interface."""

from synthohive.models.base import ConditionalGenerativeModel

__all__ = ["ConditionalGenerativeModel"]
