"""SynthoHive: learn a multi-table relational dataset and generate a synthetic copy.

Models built on torch are exported lazily (see ``_LAZY``): ``import synthohive`` and its
schema, transform, cardinality and metrics layers do not import torch; ``sh.CTGAN`` does,
on first access.
"""

from importlib import import_module
from typing import Any

from synthohive import _logging, connectors, datasets, exceptions, metrics, privacy
from synthohive._version import __version__
from synthohive.cardinality import (
    CardinalityEstimator,
    EmpiricalCardinality,
    NegativeBinomialCardinality,
)
from synthohive.models.base import ConditionalGenerativeModel
from synthohive.models.copula import GaussianCopula
from synthohive.models.trees import TreeSynthesizer
from synthohive.relational import RelationalSynthesizer
from synthohive.schema import Schema
from synthohive.transform import DataTransformer

__all__ = [
    "CTGAN",
    "CardinalityEstimator",
    "ConditionalGenerativeModel",
    "DataTransformer",
    "EmpiricalCardinality",
    "GaussianCopula",
    "NegativeBinomialCardinality",
    "RelationalSynthesizer",
    "Schema",
    "TVAE",
    "TreeSynthesizer",
    "__version__",
    "connectors",
    "datasets",
    "exceptions",
    "metrics",
    "privacy",
]

# Public name -> module that defines it, imported on first access (PEP 562).
_LAZY = {
    "CTGAN": "synthohive.models.ctgan",
    "TVAE": "synthohive.models.tvae",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'synthohive' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


del _logging
