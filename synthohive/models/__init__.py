"""Per-table generative models and their common interface."""

from synthohive.models._default import default_model
from synthohive.models.base import ConditionalGenerativeModel

__all__ = ["ConditionalGenerativeModel", "default_model"]
