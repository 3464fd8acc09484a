"""Read real tables from, and write synthetic tables to, external stores.

Implementations import their drivers lazily: ``import synthohive.connectors`` imports no
database driver, Spark or Delta library.
"""

from typing import Any

from synthohive.connectors._files import CSVConnector, ParquetConnector
from synthohive.connectors._sql import SQLConnector
from synthohive.connectors.base import Connector

__all__ = ["CSVConnector", "Connector", "DeltaConnector", "ParquetConnector", "SQLConnector",
           "SparkConnector"]

# Loaded on first access, so that importing this package never imports pyspark or deltalake.
_LAZY = {
    "DeltaConnector": "synthohive.connectors._delta",
    "SparkConnector": "synthohive.connectors._spark",
}


def __getattr__(name: str) -> Any:
    """Import the Spark and Delta connectors on first use."""
    if name in _LAZY:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
