"""Reversible encodings of tables into model-ready matrices."""

from synthohive.transform._data_transformer import DataTransformer
from synthohive.transform._spans import OutputSpan

__all__ = ["DataTransformer", "OutputSpan"]
