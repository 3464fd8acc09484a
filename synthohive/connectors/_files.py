"""CSV and Parquet connectors (CONN-03): one file per table, pure pandas/pyarrow, no Spark."""

from __future__ import annotations

import io
import json
import logging
import os
import uuid
from abc import abstractmethod
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from synthohive.connectors._frames import (
    arrow_to_pandas,
    arrow_type,
    check_frame,
    check_if_exists,
)
from synthohive.connectors._identifiers import validate_identifier
from synthohive.connectors.base import Connector
from synthohive.exceptions import ConnectorError

__all__ = ["CSVConnector", "ParquetConnector"]

logger = logging.getLogger(__name__)

_FILE_ERRORS = (OSError, ValueError, TypeError, pa.ArrowException)

#: Column types of a dataset-level ``dtypes.json`` (``{table: {column: type}}``), as shipped with
#: the bundled datasets, read when a table has no sidecar of its own.
_DATASET_TYPES = {"int": pa.int64(), "float": pa.float64(), "string": pa.string(),
                  "bool": pa.bool_(), "date": pa.timestamp("ns"),
                  "datetime": pa.timestamp("ns")}


class _FileConnector(Connector):
    """One file per table in a directory; writes go to a temporary name, then rename."""

    suffix = ""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.directory)!r})"

    def list_tables(self) -> list[str]:
        """Return the names of the tables (files with this connector's suffix), sorted."""
        if not self.directory.is_dir():
            return []
        stems = (p.name[: -len(self.suffix)] for p in self.directory.glob(f"*{self.suffix}"))
        return sorted(s for s in stems if _is_identifier(s))

    def path(self, name: str) -> Path:
        """Return the file of table ``name`` after checking the name against the allowlist."""
        return self.directory / f"{validate_identifier(name, 'table')}{self.suffix}"

    def read_table(self, name: str) -> pd.DataFrame:
        """Read table ``name``; see :class:`~synthohive.connectors.Connector`."""
        path = self.path(name)
        if not path.is_file():
            raise ConnectorError(
                f"Table {name!r} does not exist in {str(self.directory)!r} (no file "
                f"{path.name!r}); available tables: {self.list_tables()}."
            )
        try:
            return self._read(name, path)
        except _FILE_ERRORS as exc:
            raise ConnectorError(f"Cannot read table {name!r} from {str(path)!r}: {exc}") from exc

    def write_table(self, name: str, df: pd.DataFrame, if_exists: str = "fail") -> None:
        """Write table ``name`` atomically; see :class:`~synthohive.connectors.Connector`."""
        path = self.path(name)
        check_if_exists(if_exists)
        check_frame(name, df)
        if path.exists():
            if if_exists == "fail":
                raise ConnectorError(
                    f"Table {name!r} already exists at {str(path)!r}; pass "
                    'if_exists="replace" or "append", or choose another name.'
                )
            if if_exists == "append":
                df = _append(name, self.read_table(name), df)
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            self._write(name, path, df)
        except _FILE_ERRORS as exc:
            raise ConnectorError(f"Cannot write table {name!r} to {str(path)!r}: {exc}") from exc
        logger.info("Wrote %d rows to %s", len(df), path)

    @abstractmethod
    def _read(self, name: str, path: Path) -> pd.DataFrame:
        """Read the file of one table."""

    @abstractmethod
    def _write(self, name: str, path: Path, df: pd.DataFrame) -> None:
        """Write the file(s) of one table atomically."""


class CSVConnector(_FileConnector):
    """Tables as CSV files ``<directory>/<table>.csv`` with a dtype sidecar.

    Each table is written with pyarrow (strings quoted, missing values as unquoted empty
    fields, so an empty string and a missing value stay distinct) next to a sidecar
    ``<table>.dtypes.json`` holding the pandas dtype of every column; reading applies it, so a
    round trip restores the dtypes. A CSV without a sidecar uses the directory's
    ``dtypes.json`` (``{table: {column: "int"|"float"|"string"|"bool"|"date"|"datetime"}}``)
    when present, else pyarrow's type inference; columns read that way get a nullable dtype
    (``Int64``, ``boolean``) only when they hold missing values, and strings are ``string``.

    Parameters
    ----------
    directory : path-like
        Directory of the files; created on the first write.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> con = CSVConnector(tempfile.mkdtemp())
    >>> con.write_table("t", pd.DataFrame({"a": pd.array([1, None], dtype="Int64")}))
    >>> con.read_table("t").dtypes["a"]
    Int64Dtype()
    """

    suffix = ".csv"

    def sidecar(self, name: str) -> Path:
        """Return the dtype sidecar path of table ``name``."""
        return self.directory / f"{validate_identifier(name, 'table')}.dtypes.json"

    def _read(self, name: str, path: Path) -> pd.DataFrame:
        sidecar = self.sidecar(name)
        recorded: dict[str, str] = {}
        column_types: dict[str, pa.DataType] = {}
        if sidecar.is_file():
            recorded = json.loads(sidecar.read_text(encoding="utf-8"))["dtypes"]
            column_types = {c: arrow_type(d) for c, d in recorded.items()}
        else:
            dataset = self.directory / "dtypes.json"
            if dataset.is_file():
                declared = json.loads(dataset.read_text(encoding="utf-8")).get(name, {})
                column_types = {c: _DATASET_TYPES[t] for c, t in declared.items()
                                if t in _DATASET_TYPES}
        table = pa_csv.read_csv(
            path,
            convert_options=pa_csv.ConvertOptions(
                column_types=column_types, null_values=[""], strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        return arrow_to_pandas(table, recorded)

    def _write(self, name: str, path: Path, df: pd.DataFrame) -> None:
        categories = [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)]
        table = pa.Table.from_pandas(
            df.astype(dict.fromkeys(categories, "string")), preserve_index=False
        )
        buffer = io.BytesIO()
        pa_csv.write_csv(table, buffer)
        sidecar = {"format": "synthohive.csv-dtypes", "version": 1,
                   "dtypes": {c: str(t) for c, t in df.dtypes.items()}}
        with _Staged(self.sidecar(name)) as staged_sidecar, _Staged(path) as staged_data:
            staged_sidecar.write_text(json.dumps(sidecar, indent=1), encoding="utf-8")
            staged_data.write_bytes(buffer.getvalue())


class ParquetConnector(_FileConnector):
    """Tables as Parquet files ``<directory>/<table>.parquet`` (pandas dtypes are kept).

    Parameters
    ----------
    directory : path-like
        Directory of the files; created on the first write.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> con = ParquetConnector(tempfile.mkdtemp())
    >>> con.write_table("t", pd.DataFrame({"a": pd.array(["x", None], dtype="string")}))
    >>> con.list_tables()
    ['t']
    """

    suffix = ".parquet"

    def _read(self, name: str, path: Path) -> pd.DataFrame:
        return pd.read_parquet(path, engine="pyarrow")

    def _write(self, name: str, path: Path, df: pd.DataFrame) -> None:
        with _Staged(path) as staged:
            df.to_parquet(staged, engine="pyarrow", index=False)


class _Staged:
    """A temporary sibling of ``target`` renamed onto it on success, removed on failure."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")

    def __enter__(self) -> Path:
        return self.temporary

    def __exit__(self, exc_type: type[BaseException] | None, *_: Any) -> None:
        if exc_type is None:
            os.replace(self.temporary, self.target)
        else:
            self.temporary.unlink(missing_ok=True)


def _is_identifier(name: str) -> bool:
    try:
        validate_identifier(name, "table")
    except ValueError:
        return False
    return True


def _append(name: str, existing: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    if list(existing.columns) != list(new.columns):
        raise ConnectorError(
            f"Cannot append to table {name!r}: it has columns {list(existing.columns)}, the new "
            f"rows have {list(new.columns)}; use the same columns or if_exists='replace'."
        )
    try:
        new = new.astype(existing.dtypes.to_dict())
    except (TypeError, ValueError) as exc:
        raise ConnectorError(
            f"Cannot append to table {name!r}: the new rows do not fit its dtypes "
            f"{existing.dtypes.astype(str).to_dict()}: {exc}"
        ) from exc
    return pd.concat([existing, new], ignore_index=True)
