"""Real multi-table datasets shipped with SynthoHive, and a reader for dataset folders.

``chinook`` (a digital music store: 11 tables, 15,607 rows, MIT license, see
``data/chinook/LICENSE`` and ``README.md``) ships inside the package.

Examples
--------
>>> from synthohive import datasets
>>> datasets.list_datasets()
['chinook']
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

__all__ = ["list_datasets", "load", "read_dataset_dir"]

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
    available = list_datasets()
    if not isinstance(name, str) or name not in available:
        raise DataValidationError(
            f"Unknown dataset {name!r}; available datasets: {available}. Use "
            "read_dataset_dir(path) for a folder of your own."
        )
    return read_dataset_dir(_DATA / name)
