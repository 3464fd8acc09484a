"""SynthoHive: learn a multi-table relational dataset and generate a synthetic copy."""

from synthohive import _logging, connectors, datasets, exceptions, metrics
from synthohive._version import __version__
from synthohive.cardinality import (
    CardinalityEstimator,
    EmpiricalCardinality,
    NegativeBinomialCardinality,
)
from synthohive.models.base import ConditionalGenerativeModel
from synthohive.models.copula import GaussianCopula
from synthohive.models.ctgan import CTGAN
from synthohive.models.tvae import TVAE
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
    "__version__",
    "connectors",
    "datasets",
    "exceptions",
    "metrics",
]

del _logging
