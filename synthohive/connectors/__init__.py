"""Read real tables from, and write synthetic tables to, external stores.

Implementations import their drivers lazily: ``import synthohive.connectors`` imports no
database driver, Spark or Delta library.
"""

from synthohive.connectors.base import Connector

__all__ = ["Connector"]
