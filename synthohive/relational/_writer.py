"""Where generated chunks go: memory or a Parquet/CSV file.

File sinks write to a hidden temporary file next to the target with a pyarrow writer, one
chunk at a time, and rename it to ``<table>.<format>`` only when the table is complete; a
failure removes the temporary file, so a table that looks complete always is. Tables for a
connector are collected in memory and written together at the end (see
``SamplingMixin._sample_local``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from synthohive.connectors.base import Connector
from synthohive.exceptions import ConnectorError, DataValidationError

FORMATS = ("parquet", "csv")
IF_EXISTS = ("fail", "replace", "append")


def empty_frame(columns: list[str], dtypes: Mapping[str, str]) -> pd.DataFrame:
    """Return an empty DataFrame with the given columns and dtypes."""
    return pd.DataFrame({c: pd.Series([], dtype=dtypes[c]) for c in columns})


def arrow_schema(columns: list[str], dtypes: Mapping[str, str]) -> pa.Schema:
    """Arrow schema of a table from its pandas dtypes (object columns are strings)."""
    schema = pa.Schema.from_pandas(empty_frame(columns, dtypes), preserve_index=False)
    for i, field in enumerate(schema):
        if pa.types.is_null(field.type):
            schema = schema.set(i, field.with_type(pa.string()))
    return schema


class MemorySink:
    """Collects the chunks of a table and concatenates them."""

    def __init__(self, columns: list[str], dtypes: Mapping[str, str]) -> None:
        self.columns = columns
        self.dtypes = dtypes
        self.chunks: list[pd.DataFrame] = []

    def write(self, chunk: pd.DataFrame) -> None:
        """Keep one chunk."""
        self.chunks.append(chunk)

    def close(self) -> pd.DataFrame:
        """Return the whole table."""
        chunks = [c for c in self.chunks if len(c)] or [empty_frame(self.columns, self.dtypes)]
        frame = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
        self.chunks = []
        return frame.reset_index(drop=True)

    def abort(self) -> None:
        """Drop the chunks."""
        self.chunks = []


class FileSink:
    """Streams the chunks of a table to ``<folder>/<table>.<format>`` via a temporary file.

    Parameters
    ----------
    folder : Path
        Output folder (created if needed).
    table : str
        Table name.
    file_format : {"parquet", "csv"}
        File format.
    columns, dtypes
        Layout of the table.
    """

    def __init__(self, folder: Path, table: str, file_format: str, columns: list[str],
                 dtypes: Mapping[str, str]) -> None:
        self.target = target_path(folder, table, file_format)
        self.temporary = folder / f".{table}.{file_format}.{os.getpid()}.tmp"
        self.schema = arrow_schema(columns, dtypes)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if file_format == "parquet":
                self.writer: Any = pq.ParquetWriter(self.temporary, self.schema)
            else:
                self.writer = pa_csv.CSVWriter(self.temporary, self.schema)
        except OSError as exc:
            raise ConnectorError(
                f"Cannot write table {table!r} under {folder}: {exc}; pass an output_path "
                "that is a writable folder."
            ) from exc

    def write(self, chunk: pd.DataFrame) -> None:
        """Append one chunk to the temporary file."""
        self.writer.write_table(
            pa.Table.from_pandas(chunk, schema=self.schema, preserve_index=False)
        )

    def close(self) -> Path:
        """Finish the file and rename it to its final name (the temporary file goes on error).

        Raises
        ------
        ConnectorError
            If the file cannot be finished or renamed; nothing is left behind.
        """
        try:
            self.writer.close()
            os.replace(self.temporary, self.target)
        except OSError as exc:
            self.temporary.unlink(missing_ok=True)
            raise ConnectorError(
                f"Could not finish {self.target}: {exc}; check the folder's permissions and "
                "free space, then sample again."
            ) from exc
        return self.target

    def abort(self) -> None:
        """Close and delete the temporary file."""
        try:
            self.writer.close()
        finally:
            self.temporary.unlink(missing_ok=True)


def target_path(folder: Path, table: str, file_format: str) -> Path:
    """Return the file a table is written to: ``<folder>/<table>.<format>``."""
    return folder / f"{table}.{file_format}"


def check_output(output_path: Any, file_format: str, output: Any, if_exists: str = "fail",
                 tables: Sequence[str] = ()) -> None:
    """Validate the output arguments of ``sample`` before anything is generated.

    Parameters
    ----------
    output_path : path-like or None
        Output folder.
    file_format : str
        File format with ``output_path``.
    output : Connector or None
        Output connector.
    if_exists : {"fail", "replace", "append"}
        What to do with existing output.
    tables : sequence of str
        Tables that will be written.

    Raises
    ------
    DataValidationError
        If the format or ``if_exists`` is unknown, both destinations are given,
        ``output`` is not a connector, ``output_path`` is a file, or a table's file
        exists already and ``if_exists`` is not ``"replace"``.
    """
    if file_format not in FORMATS:
        raise DataValidationError(f"format={file_format!r} is not supported; use one of {FORMATS}.")
    if if_exists not in IF_EXISTS:
        raise DataValidationError(
            f"if_exists={if_exists!r} is not supported; use one of {IF_EXISTS}."
        )
    if output_path is not None and output is not None:
        raise DataValidationError("Pass either output_path= or output=, not both.")
    if output_path is not None:
        _check_folder(Path(output_path), file_format, if_exists, tables)
    if output is not None and not isinstance(output, Connector):
        raise DataValidationError(
            f"output must be a synthohive.connectors Connector, got {type(output).__name__}."
        )


def _check_folder(folder: Path, file_format: str, if_exists: str, tables: Sequence[str]) -> None:
    """Refuse a file as output folder, and existing table files unless replacing them."""
    if folder.exists() and not folder.is_dir():
        raise DataValidationError(
            f"output_path {folder} is a file; pass a folder (it is created if needed), each "
            "table is written to <folder>/<table>.<format>."
        )
    if if_exists == "append":
        raise DataValidationError(
            "if_exists='append' is not supported with output_path (files are written whole); "
            "use 'fail' or 'replace', or output= a connector that appends."
        )
    existing = [str(target_path(folder, t, file_format)) for t in tables
                if target_path(folder, t, file_format).exists()]
    if existing and if_exists != "replace":
        raise DataValidationError(
            f"Output files exist already: {existing[:5]}; pass if_exists='replace' to "
            "overwrite them, or another output_path."
        )
