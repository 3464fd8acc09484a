"""Real multi-table datasets shipped with SynthoHive, and a reader for dataset folders.

Three datasets ship inside the package, each in ``data/<name>/`` with its ``LICENSE`` and a
``README.md`` naming its source and the changes made:

- ``chinook``: a digital music store (11 tables, 15,607 rows, MIT license);
- ``northwind``: Microsoft's Northwind Traders, PostgreSQL port (11 tables, 3,311 rows,
  Ms-PL);
- ``sakila``: MySQL's Sakila DVD rental (15 tables, 46,273 rows, BSD 3-clause).

Examples
--------
>>> from synthohive import datasets
>>> datasets.list_datasets()
['chinook', 'northwind', 'sakila']
>>> tables, schema = datasets.load("chinook")
>>> len(tables["track"]), schema.depth()
(3503, 3)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from synthohive.datasets._read import read_dataset_dir
from synthohive.exceptions import DataValidationError
from synthohive.schema import Schema

__all__ = ["dataset_path", "list_datasets", "load", "read_dataset_dir"]

_DATA = Path(__file__).resolve().parent / "data"


def list_datasets() -> list[str]:
    """Return the names of the datasets shipped with the package.

    Returns
    -------
    list of str
        Sorted dataset names, for :func:`load`.
    """
    if not _DATA.is_dir():
        return []
    return sorted(p.name for p in _DATA.iterdir() if (p / "schema.json").is_file())


def dataset_path(name: str) -> Path:
    """Return the folder of a shipped dataset (CSVs, ``schema.json``, ``dtypes.json``).

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`.

    Returns
    -------
    Path
        The dataset's folder inside the installed package, readable with
        :func:`read_dataset_dir`.

    Raises
    ------
    DataValidationError
        If ``name`` is not a shipped dataset; the message lists the available ones.
    """
    available = list_datasets()
    if not isinstance(name, str) or name not in available:
        raise DataValidationError(
            f"Unknown dataset {name!r}; available datasets: {available}. Use "
            "read_dataset_dir(path) for a folder of your own."
        )
    return _DATA / name


def load(name: str) -> tuple[dict[str, pd.DataFrame], Schema]:
    """Load a shipped dataset as typed DataFrames and its schema.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`.

    Returns
    -------
    tables : dict of str to DataFrame
        One DataFrame per table, typed as in :func:`read_dataset_dir`.
    schema : Schema
        The dataset's primary and foreign keys (already checked with
        :meth:`Schema.validate`; the shipped data has no orphans).

    Raises
    ------
    DataValidationError
        If ``name`` is not a shipped dataset; the message lists the available ones.
    """
    return read_dataset_dir(dataset_path(name))
