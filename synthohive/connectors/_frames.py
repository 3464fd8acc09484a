"""Checks shared by every connector before a DataFrame is written."""

from __future__ import annotations

import pandas as pd

from synthohive.connectors._identifiers import validate_identifier
from synthohive.exceptions import ConnectorError

__all__ = ["IF_EXISTS", "check_frame", "check_if_exists", "column_kind"]

#: Accepted values of ``if_exists``.
IF_EXISTS = ("fail", "replace", "append")


def check_if_exists(if_exists: object) -> str:
    """Return ``if_exists`` if it is one of :data:`IF_EXISTS`, else raise ConnectorError."""
    if if_exists not in IF_EXISTS:
        raise ConnectorError(f"if_exists={if_exists!r} is not supported; use one of {IF_EXISTS}.")
    return str(if_exists)


def column_kind(table: str, column: str, series: pd.Series) -> str:
    """Classify a column for storage.

    Parameters
    ----------
    table, column : str
        Names used in the error message.
    series : Series
        The column.

    Returns
    -------
    {"integer", "float", "boolean", "string", "datetime", "category"}
        How the column is stored. ``object`` columns must hold only strings (and missing
        values); ``datetime`` covers naive and time-zone-aware timestamps.

    Raises
    ------
    ConnectorError
        If the dtype cannot be stored (timedelta, complex, period, interval, mixed objects …).
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_string_dtype(dtype) and pd.api.types.infer_dtype(
        series, skipna=True
    ) in ("string", "empty"):
        return "string"
    raise ConnectorError(
        f"Table {table!r}, column {column!r}: dtype {dtype} "
        f"({pd.api.types.infer_dtype(series, skipna=True)} values) cannot be stored; convert it "
        "to an integer, float, boolean, string or datetime64 column first."
    )


def check_frame(table: str, df: object) -> dict[str, str]:
    """Check a DataFrame about to be written and classify its columns.

    Parameters
    ----------
    table : str
        Table name (already validated), for error messages.
    df : object
        Should be a DataFrame with unique, allowlisted string column names.

    Returns
    -------
    dict of str to str
        :func:`column_kind` of every column, in column order.

    Raises
    ------
    ConnectorError
        If ``df`` is not a DataFrame, has duplicate column names or an unsupported dtype.
    InvalidIdentifierError
        If a column name is not on the allowlist.
    """
    if not isinstance(df, pd.DataFrame):
        raise ConnectorError(
            f"Table {table!r}: expected a pandas DataFrame, got {type(df).__name__}."
        )
    for column in df.columns:
        validate_identifier(column, "column")
    duplicated = sorted(set(df.columns[df.columns.duplicated()]))
    if duplicated:
        raise ConnectorError(
            f"Table {table!r}: duplicate column names {duplicated}; rename them first."
        )
    return {column: column_kind(table, column, df[column]) for column in df.columns}
