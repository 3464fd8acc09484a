"""Reversible encodings of tables into model-ready matrices."""

# ENGINEERS H1-H7: read /work/main/TEAM_NOTES.md now (git rules, deadline 05:10 UTC, environment).

from synthohive.transform._data_transformer import DataTransformer
from synthohive.transform._spans import OutputSpan

__all__ = ["DataTransformer", "OutputSpan"]
