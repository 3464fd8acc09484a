"""Where generated chunks go: memory, a Parquet/CSV file, or a connector.

File sinks write to a hidden temporary file next to the target with a pyarrow writer, one
chunk at a time, and rename it to ``<table>.<format>`` only when the table is complete; a
failure removes the temporary file, so a table that looks complete always is.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from synthohive.connectors.base import Connector
from synthohive.exceptions import DataValidationError

FORMATS = ("parquet", "csv")


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
        folder.mkdir(parents=True, exist_ok=True)
        self.target = folder / f"{table}.{file_format}"
        self.temporary = folder / f".{table}.{file_format}.{os.getpid()}.tmp"
        self.schema = arrow_schema(columns, dtypes)
        if file_format == "parquet":
            self.writer: Any = pq.ParquetWriter(self.temporary, self.schema)
        else:
            self.writer = pa_csv.CSVWriter(self.temporary, self.schema)

    def write(self, chunk: pd.DataFrame) -> None:
        """Append one chunk to the temporary file."""
        self.writer.write_table(
            pa.Table.from_pandas(chunk, schema=self.schema, preserve_index=False)
        )

    def close(self) -> Path:
        """Finish the file and rename it to its final name."""
        self.writer.close()
        os.replace(self.temporary, self.target)
        return self.target

    def abort(self) -> None:
        """Close and delete the temporary file."""
        self.writer.close()
        self.temporary.unlink(missing_ok=True)


class ConnectorSink(MemorySink):
    """Collects a table and writes it through a connector when complete.

    Parameters
    ----------
    connector : Connector
        Destination store.
    table : str
        Table name.
    if_exists : str
        Passed to :meth:`Connector.write_table`.
    columns, dtypes
        Layout of the table.
    """

    def __init__(self, connector: Connector, table: str, if_exists: str, columns: list[str],
                 dtypes: Mapping[str, str]) -> None:
        super().__init__(columns, dtypes)
        self.connector = connector
        self.table = table
        self.if_exists = if_exists

    def close(self) -> int:  # type: ignore[override]
        """Write the table; return its number of rows."""
        frame = super().close()
        self.connector.write_table(self.table, frame, if_exists=self.if_exists)
        return len(frame)


def check_output(output_path: Any, file_format: str, output: Any) -> None:
    """Validate the output arguments of ``sample``.

    Raises
    ------
    DataValidationError
        If the format is unknown, both destinations are given, or ``output`` is not a
        connector.
    """
    if file_format not in FORMATS:
        raise DataValidationError(f"format={file_format!r} is not supported; use one of {FORMATS}.")
    if output_path is not None and output is not None:
        raise DataValidationError("Pass either output_path= or output=, not both.")
    if output is not None and not isinstance(output, Connector):
        raise DataValidationError(
            f"output must be a synthohive.connectors Connector, got {type(output).__name__}."
        )
