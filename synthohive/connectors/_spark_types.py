"""Arrow is the bridge between pandas, Spark and Delta: the dtype tables and write modes.

Every table the Spark and Delta connectors read reaches pandas through Arrow
(``DataFrame.toArrow()`` in Spark, ``DeltaTable.to_pyarrow_table()`` in delta-rs) and is
converted column by column with the table below, so the same stored type always gives the
same pandas dtype, whichever connector read it.

============================================  ==========================================
Spark SQL type (Arrow type)                   pandas dtype
============================================  ==========================================
``TINYINT``/``SMALLINT``/``INT``/``BIGINT``   ``int8``/``int16``/``int32``/``int64``;
(``int8`` … ``int64``)                        ``Int8`` … ``Int64`` when the column holds
                                              nulls
``FLOAT``/``DOUBLE``                          ``float32``/``float64``
``BOOLEAN``                                   ``bool``; ``boolean`` when it holds nulls
``STRING``/``VARCHAR``/``CHAR``               ``object`` (``str``, ``None`` for nulls)
``TIMESTAMP_NTZ`` (``timestamp``)             ``datetime64[ns]``
``TIMESTAMP`` (``timestamp`` with a zone)     ``datetime64[ns]``: the wall-clock time in
                                              the zone Arrow carries (Spark's session
                                              time zone, UTC for Delta), zone dropped
``DATE`` (``date32``)                         ``datetime64[ns]`` at midnight
``DECIMAL(p, s)``                             ``float64``
``BINARY``                                    ``object`` (``bytes``)
``ARRAY``/``MAP``/``STRUCT``                  ``object`` (lists, dicts)
============================================  ==========================================

Tables written by SynthoHive carry each column's pandas dtype as column metadata
(:data:`DTYPE_KEY`, kept by Spark's catalog and by the Delta log), so ``Int64``,
``boolean``, ``string``, ``category`` and ``int64``/``bool`` columns come back exactly as
written, nulls or not, even when the table is empty. Zoned datetimes come back naive.

Writing goes the other way: ``intN``/``IntN`` → ``intN`` (``uint8``/``16``/``32`` widen to
the next signed type, ``uint64`` → ``int64`` when the values fit), ``float16`` →
``float32``, ``bool``/``boolean`` → ``bool``, ``object``/``string``/``category`` of
strings → ``string``, naive ``datetime64`` → ``TIMESTAMP_NTZ`` in microseconds (the
resolution of Spark and Delta: nanoseconds are truncated) and zoned ``datetime64`` →
``TIMESTAMP`` in UTC. Columns of other Python objects (``timedelta``, mixed types) raise
:class:`~synthohive.exceptions.ConnectorError` naming the column.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import pyarrow as pa

from synthohive.exceptions import ConnectorError

#: Column metadata key holding the pandas dtype a column was written from.
DTYPE_KEY = "synthohive.dtype"

#: Accepted write modes: the connector vocabulary (``if_exists``) and Spark's (``mode``).
_MODES = {
    "fail": "error",
    "error": "error",
    "errorifexists": "error",
    "replace": "overwrite",
    "overwrite": "overwrite",
    "append": "append",
}

_NULLABLE_INTEGERS = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(),
    pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
}

_WIDER_SIGNED = {"uint8": pa.int16(), "uint16": pa.int32(), "uint32": pa.int64(),
                 "uint64": pa.int64()}


def resolve_mode(if_exists: str | None, mode: str | None = None) -> str:
    """Return the Spark/Delta write mode (``error``, ``overwrite`` or ``append``).

    Parameters
    ----------
    if_exists : {"fail", "replace", "append"} or None
        The :class:`~synthohive.connectors.Connector` vocabulary.
    mode : {"error", "overwrite", "append"}, optional
        Spark's vocabulary; when given it wins over ``if_exists``.

    Returns
    -------
    str
        ``"error"``, ``"overwrite"`` or ``"append"``.

    Raises
    ------
    ConnectorError
        If the value is none of the above.
    """
    value = mode if mode is not None else if_exists
    resolved = _MODES.get(str(value).lower()) if value is not None else "error"
    if resolved is None:
        raise ConnectorError(
            f"Unknown write mode (if_exists/mode) {value!r}; use 'fail' ('error'), "
            "'replace' ('overwrite') or 'append'."
        )
    return resolved


def arrow_to_pandas(table: pa.Table, dtypes: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Convert an Arrow table to pandas with the dtypes of the module's table.

    Parameters
    ----------
    table : pyarrow.Table
        Rows read from Spark or Delta.
    dtypes : mapping of str to str, optional
        pandas dtype written per column; read from the Arrow field metadata when None.

    Returns
    -------
    DataFrame
        One column per Arrow column, with a fresh ``RangeIndex``.
    """
    if dtypes is None:
        dtypes = stored_dtypes(table.schema)
    columns = {}
    for i, name in enumerate(table.column_names):
        series = _column_to_pandas(table.column(i))
        stored = dtypes.get(name)
        if stored and not stored.startswith("datetime") and str(series.dtype) != stored:
            series = series.astype(stored)
        columns[name] = series
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))


def stored_dtypes(schema: pa.Schema) -> dict[str, str]:
    """Return the pandas dtypes SynthoHive stored in the fields of ``schema``."""
    key = DTYPE_KEY.encode()
    return {field.name: field.metadata[key].decode() for field in schema
            if field.metadata and key in field.metadata}


def _column_to_pandas(column: pa.ChunkedArray) -> pd.Series:
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        if column.null_count:
            nullable = _NULLABLE_INTEGERS.get(kind, pd.BooleanDtype())
            return column.to_pandas(types_mapper={kind: nullable}.get)
        return column.to_pandas()
    if pa.types.is_timestamp(kind):
        values = column.to_pandas(coerce_temporal_nanoseconds=True)
        if kind.tz is not None:
            values = values.dt.tz_localize(None)
        return values.astype("datetime64[ns]")
    if pa.types.is_date(kind):
        return column.cast(pa.timestamp("ms")).to_pandas(coerce_temporal_nanoseconds=True)
    if pa.types.is_decimal(kind):
        return column.cast(pa.float64()).to_pandas()
    if pa.types.is_floating(kind):
        return column.to_pandas().astype("float32" if kind.bit_width <= 32 else "float64")
    return column.to_pandas().astype(object)


def pandas_to_arrow(df: pd.DataFrame, table: str) -> pa.Table:
    """Convert a pandas table to Arrow with the write rules of the module docstring.

    Parameters
    ----------
    df : DataFrame
        Rows to write; the index is not written.
    table : str
        Table name, used in error messages.

    Returns
    -------
    pyarrow.Table
        The rows, typed for Spark and Delta.

    Raises
    ------
    ConnectorError
        If a column holds values Spark and Delta cannot store.
    """
    arrays = [_column_to_arrow(table, str(name), df[name]) for name in df.columns]
    fields = [pa.field(str(name), array.type, metadata={DTYPE_KEY: str(df[name].dtype)})
              for name, array in zip(df.columns, arrays, strict=True)]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _column_to_arrow(table: str, name: str, series: pd.Series) -> pa.Array:
    dtype = series.dtype
    try:
        if isinstance(dtype, pd.CategoricalDtype):
            return _column_to_arrow(table, name, series.astype(dtype.categories.dtype))
        if pd.api.types.is_datetime64_any_dtype(dtype):
            zone = "UTC" if getattr(dtype, "tz", None) is not None else None
            values = series.dt.tz_convert("UTC") if zone else series
            return pa.array(values, from_pandas=True).cast(
                pa.timestamp("us", tz=zone), safe=False
            )
        if pd.api.types.is_bool_dtype(dtype):
            return pa.array(series, type=pa.bool_(), from_pandas=True)
        if pd.api.types.is_integer_dtype(dtype):
            values = pa.array(series, from_pandas=True)
            wider = _WIDER_SIGNED.get(str(dtype).lower())
            return values if wider is None else values.cast(wider)
        if pd.api.types.is_float_dtype(dtype):
            values = pa.array(series, from_pandas=True)
            return values.cast(pa.float32()) if values.type == pa.float16() else values
        if pd.api.types.is_string_dtype(dtype):
            values = pa.array(series, from_pandas=True)
            return values.cast(pa.string()) if pa.types.is_null(values.type) else values
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
        raise ConnectorError(
            f"Column {table}.{name} (dtype {dtype}) cannot be written to Spark/Delta: {exc}. "
            "Convert it to numbers, strings or datetimes first."
        ) from exc
    raise ConnectorError(
        f"Column {table}.{name} has dtype {dtype}, which Spark/Delta tables do not store; "
        "convert it to numbers, strings or datetimes first."
    )
