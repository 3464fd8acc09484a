"""Checks shared by every connector before a DataFrame is written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from synthohive.connectors._identifiers import validate_identifier
from synthohive.exceptions import ConnectorError

__all__ = ["IF_EXISTS", "arrow_to_pandas", "arrow_type", "check_frame", "check_if_exists",
           "column_kind"]

#: Accepted values of ``if_exists``.
IF_EXISTS = ("fail", "replace", "append")

#: pyarrow types read back as pandas nullable dtypes, so a missing value never changes a dtype.
_NULLABLE_DTYPES = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(),
                    pa.string(): pd.StringDtype()}


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


def arrow_type(dtype: Any) -> pa.DataType:
    """Return the pyarrow type a text column is parsed as to end up with pandas ``dtype``.

    Parameters
    ----------
    dtype : str or dtype
        The pandas dtype, e.g. ``"Int64"`` or ``"datetime64[ns, UTC]"``.

    Returns
    -------
    pyarrow.DataType
        ``int64``, ``float64``, ``bool``, ``timestamp[ns]`` (with ``tz="UTC"`` for
        time-zone-aware dtypes) or ``string``.
    """
    dtype = pd.api.types.pandas_dtype(dtype)
    if pd.api.types.is_bool_dtype(dtype):
        return pa.bool_()
    if pd.api.types.is_integer_dtype(dtype):
        return pa.int64()
    if pd.api.types.is_float_dtype(dtype):
        return pa.float64()
    if isinstance(dtype, pd.DatetimeTZDtype):
        return pa.timestamp("ns", tz="UTC")
    if pd.api.types.is_datetime64_dtype(dtype):
        return pa.timestamp("ns")
    return pa.string()


def arrow_to_pandas(data: pa.Table | pa.RecordBatch, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """Convert parsed Arrow data to pandas with the recorded dtypes.

    Parameters
    ----------
    data : pyarrow.Table or pyarrow.RecordBatch
        Columns parsed with :func:`arrow_type`.
    dtypes : mapping of str to str
        Pandas dtype per column. Columns not listed get a nullable dtype (``Int64``,
        ``boolean``) only when they hold missing values; strings become ``string``.

    Returns
    -------
    DataFrame
        The converted frame.
    """
    df = data.to_pandas(types_mapper=_NULLABLE_DTYPES.get)
    for column in df.columns:
        series = df[column]
        if column in dtypes:
            df[column] = _restore(series, dtypes[column])
        elif series.dtype in ("Int64", "boolean") and not series.hasnans:
            df[column] = series.astype(series.dtype.numpy_dtype)
    return df


def _restore(series: pd.Series, dtype: str) -> pd.Series:
    if dtype in ("object", "category"):
        return series.astype(object).where(series.notna(), None).astype(dtype)
    return series.astype(dtype)
