"""Delta Lake tables through ``deltalake`` (delta-rs): no JVM, no Spark, no download.

A :class:`DeltaConnector` is a folder holding one Delta table per synthetic table
(``<path>/<table>/_delta_log``). Every write is one Delta transaction, so a failed write
leaves the previous version intact, and every version stays readable (``version=``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from synthohive.connectors._frames import check_frame
from synthohive.connectors._identifiers import validate_identifier
from synthohive.connectors._spark_types import arrow_to_pandas, pandas_to_arrow, resolve_mode
from synthohive.connectors.base import Connector
from synthohive.exceptions import ConnectorError

logger = logging.getLogger(__name__)


def _deltalake() -> Any:
    try:
        import deltalake  # noqa: PLC0415 (heavy optional dependency, loaded on first use)
    except ImportError as exc:
        raise ConnectorError(
            "Delta tables need the 'deltalake' package; install it with "
            "pip install 'synthohive[spark]'."
        ) from exc
    return deltalake


def read_delta_arrow(uri: str, version: int | str | datetime | None = None,
                     storage_options: Mapping[str, str] | None = None) -> pa.Table:
    """Read the rows of one Delta table version (only the files its log lists).

    Parameters
    ----------
    uri : str
        Table folder or URI.
    version : int, str or datetime, optional
        Version number, or an ISO-8601 timestamp / datetime (the version current then);
        the latest version when None.
    storage_options : mapping of str to str, optional
        Passed to delta-rs (credentials for object stores).

    Returns
    -------
    pyarrow.Table
        The rows, with the column metadata written by SynthoHive.

    Raises
    ------
    ConnectorError
        If there is no Delta table at ``uri`` or the version does not exist.
    """
    deltalake = _deltalake()
    options = dict(storage_options or {})
    try:
        table = deltalake.DeltaTable(uri, storage_options=options)
        if version is not None:
            table.load_as_version(version)
        return table.to_pyarrow_table()
    except deltalake.exceptions.TableNotFoundError as exc:
        raise ConnectorError(f"No Delta table at {uri}: {exc}.") from exc
    except (deltalake.exceptions.DeltaError, ValueError) as exc:
        raise ConnectorError(
            f"Cannot read version {version!r} of the Delta table at {uri}: {exc}. Check the "
            "version with DeltaConnector.history()."
        ) from exc


def write_delta_arrow(uri: str, data: pa.Table, mode: str,
                      storage_options: Mapping[str, str] | None = None) -> None:
    """Write Arrow rows as one Delta transaction.

    Parameters
    ----------
    uri : str
        Table folder or URI.
    data : pyarrow.Table
        Rows, typed by :func:`~synthohive.connectors._spark_types.pandas_to_arrow`.
    mode : {"error", "overwrite", "append"}
        What to do when the table exists; ``overwrite`` also replaces the schema.
    storage_options : mapping of str to str, optional
        Passed to delta-rs.

    Raises
    ------
    ConnectorError
        If the table exists and ``mode="error"``, or the write fails.
    """
    deltalake = _deltalake()
    options = dict(storage_options or {})
    if mode == "error" and deltalake.DeltaTable.is_deltatable(uri, storage_options=options):
        raise ConnectorError(
            f"The Delta table at {uri} already exists; pass if_exists='replace' (mode="
            "'overwrite') or 'append'."
        )
    try:
        deltalake.write_deltalake(
            uri, data, mode=mode, storage_options=options,
            schema_mode="overwrite" if mode == "overwrite" else None,
        )
    except (deltalake.exceptions.DeltaError, pa.ArrowException) as exc:
        raise ConnectorError(
            f"Writing the Delta table at {uri} (mode={mode!r}) failed: {exc}. With "
            "mode='append' the columns and dtypes must match the table's."
        ) from exc
    logger.info("Wrote %d rows to the Delta table %s (mode=%s)", data.num_rows, uri, mode)


class DeltaConnector(Connector):
    """A folder of Delta tables, one per table name, read and written with delta-rs.

    Parameters
    ----------
    path : str or path-like
        Folder (or object-store URI such as ``s3://bucket/prefix``) holding the tables.
    storage_options : mapping of str to str, optional
        Passed to delta-rs (object-store credentials and settings).

    Notes
    -----
    Dtypes follow the table of :mod:`synthohive.connectors._spark_types`; tables written by
    SynthoHive keep their exact pandas dtypes (stored as column metadata).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> store = DeltaConnector(tempfile.mkdtemp())
    >>> store.write_table("t", pd.DataFrame({"x": [1, 2]}))
    >>> store.write_table("t", pd.DataFrame({"x": [3]}), if_exists="append")
    >>> len(store.read_table("t")), len(store.read_table("t", version=0))
    (3, 2)
    """

    def __init__(self, path: str | os.PathLike[str],
                 storage_options: Mapping[str, str] | None = None) -> None:
        self.path = path
        self.storage_options = storage_options

    def _uri(self, name: str) -> str:
        validate_identifier(name, "table")
        return f"{str(self.path).rstrip('/')}/{name}"

    def list_tables(self) -> list[str]:
        """Return the names of the Delta tables in the folder (local folders only).

        Returns
        -------
        list of str
            Sorted table names.

        Raises
        ------
        ConnectorError
            If ``path`` is an object-store URI (pass table names to :meth:`read_tables`).
        """
        if "://" in str(self.path):
            raise ConnectorError(
                f"Cannot list tables under {self.path}: listing needs a local folder; pass "
                "the table names to read_tables(names)."
            )
        root = Path(self.path)
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if (p / "_delta_log").is_dir())

    def read_table(self, name: str,
                   version: int | str | datetime | None = None) -> pd.DataFrame:
        """Read one table, at its latest version or at ``version``.

        Parameters
        ----------
        name : str
            Table name.
        version : int, str or datetime, optional
            Version number, or a timestamp (ISO-8601 string or datetime) for time travel.

        Returns
        -------
        DataFrame
            The rows of that version.

        Raises
        ------
        InvalidIdentifierError
            If ``name`` is not an allowed identifier.
        ConnectorError
            If the table or version does not exist.
        """
        uri = self._uri(name)
        deltalake = _deltalake()
        if not deltalake.DeltaTable.is_deltatable(uri, storage_options=self._options()):
            available = self.list_tables() if "://" not in str(self.path) else "unknown"
            raise ConnectorError(
                f"Delta table {name!r} does not exist under {self.path}; available tables: "
                f"{available}."
            )
        return arrow_to_pandas(read_delta_arrow(uri, version, self.storage_options))

    def write_table(self, name: str, df: pd.DataFrame, if_exists: str = "fail") -> None:
        """Write one table as one Delta transaction.

        Parameters
        ----------
        name : str
            Table name.
        df : DataFrame
            Rows to write.
        if_exists : {"fail", "replace", "append"}, default="fail"
            Also accepts Spark's ``"error"``, ``"overwrite"``.

        Raises
        ------
        InvalidIdentifierError
            If the table or a column name is not an allowed identifier.
        ConnectorError
            If the table exists and ``if_exists="fail"``, or the write fails.
        """
        uri = self._uri(name)
        mode = resolve_mode(if_exists)
        check_frame(name, df)
        write_delta_arrow(uri, pandas_to_arrow(df, name), mode, self.storage_options)

    def read_tables(self, names: Iterable[str] | None = None,
                    version: Mapping[str, int | str | datetime] | None = None,
                    ) -> dict[str, pd.DataFrame]:
        """Read several tables (all of them when ``names`` is None).

        Parameters
        ----------
        names : iterable of str, optional
            Tables to read.
        version : mapping of str to (int, str or datetime), optional
            Version to read per table; tables not listed are read at their latest version.

        Returns
        -------
        dict of str to DataFrame
            The tables, by name.
        """
        names = self.list_tables() if names is None else list(names)
        versions = dict(version or {})
        return {name: self.read_table(name, versions.get(name)) for name in names}

    def write_tables(self, tables: Mapping[str, pd.DataFrame], if_exists: str = "fail",
                     *, mode: str | None = None) -> None:
        """Write several tables, one Delta transaction each, parents first.

        All names are checked and, with ``mode="error"``, no table is written when one of
        them already exists.

        Parameters
        ----------
        tables : mapping of str to DataFrame
            Tables to write, in order.
        if_exists : {"fail", "replace", "append"}, default="fail"
            What to do with existing tables.
        mode : {"error", "overwrite", "append"}, optional
            Spark's name for ``if_exists``; wins when given.

        Raises
        ------
        ConnectorError
            If ``mode="error"`` and some tables exist (all are named), or a write fails.
        """
        resolved = resolve_mode(if_exists, mode)
        uris = {name: self._uri(name) for name in tables}
        if resolved == "error":
            deltalake = _deltalake()
            existing = [name for name, uri in uris.items()
                        if deltalake.DeltaTable.is_deltatable(uri, storage_options=self._options())]
            if existing:
                raise ConnectorError(
                    f"Delta tables {existing} already exist under {self.path}; nothing was "
                    "written. Pass mode='overwrite' or mode='append'."
                )
        for name, df in tables.items():
            self.write_table(name, df, if_exists=resolved)

    def history(self, name: str) -> pd.DataFrame:
        """Return the commit history of one table, newest first.

        Parameters
        ----------
        name : str
            Table name.

        Returns
        -------
        DataFrame
            One row per version (``version``, ``timestamp``, ``operation`` …).
        """
        uri = self._uri(name)
        deltalake = _deltalake()
        try:
            return pd.DataFrame(deltalake.DeltaTable(uri, storage_options=self._options())
                                .history())
        except deltalake.exceptions.DeltaError as exc:
            raise ConnectorError(f"No history for Delta table {name!r} at {uri}: {exc}.") from exc

    def _options(self) -> dict[str, str]:
        return dict(self.storage_options or {})
