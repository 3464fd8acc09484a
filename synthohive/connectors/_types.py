"""SQL ↔ pandas type tables used by :class:`~synthohive.connectors.SQLConnector`.

Reading (SQL column type → pandas dtype); "nullable" is the column's reflected nullability:

=============================================  =========================================
SQL type (any dialect)                         pandas dtype
=============================================  =========================================
SMALLINT, INTEGER, BIGINT, INT64 …             ``Int64`` if nullable, else ``int64``
NUMERIC / DECIMAL / NUMBER with scale 0        ``Int64`` if nullable, else ``int64``
NUMERIC / DECIMAL with scale > 0 or none       ``float64`` (nearest double; exact up to
                                               15 significant digits)
REAL, FLOAT, DOUBLE, FLOAT64                   ``float64`` (NULL → NaN)
BOOLEAN, MySQL ``TINYINT(1)``                  ``boolean`` if nullable, else ``bool``
DATE, TIMESTAMP, DATETIME, TIMESTAMP_NTZ       ``datetime64[ns]``
TIMESTAMP WITH TIME ZONE, TIMESTAMP_TZ/LTZ     ``datetime64[ns, UTC]``
CHAR, VARCHAR, TEXT, STRING, ENUM, UUID        ``string``
anything else (TIME, INTERVAL, JSON, ARRAY,    :class:`~synthohive.exceptions.ConnectorError`
BLOB/BYTEA, geometry, unknown)                 naming the column; read the other columns
                                               with ``columns=`` or cast it in a view
=============================================  =========================================

Writing (pandas dtype → SQL type): integers → ``BIGINT``; floats → ``DOUBLE PRECISION``;
``bool``/``boolean`` → ``BOOLEAN``; ``string``/``object`` strings/``category`` → ``TEXT``
(``LONGTEXT`` on MySQL); ``datetime64[ns]`` → ``TIMESTAMP`` (``DATETIME(6)`` on MySQL);
time-zone-aware datetimes → ``TIMESTAMP WITH TIME ZONE`` (in UTC; MySQL and SQLite read back
the naive UTC time). Columns of numpy ``int``/``bool``
dtype are created ``NOT NULL``, the others nullable, so a round trip gives back the same
dtypes. Databases keep microseconds at most: nanoseconds are truncated.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from synthohive.exceptions import ConnectorError

__all__ = ["is_nullable", "pandas_dtype", "sql_type", "to_pandas", "to_python"]

#: Snowflake's timestamp types do not derive from SQLAlchemy's DateTime.
_NAMED_DATETIMES = {"TIMESTAMP_NTZ": "datetime64[ns]", "TIMESTAMP_TZ": "datetime64[ns, UTC]",
                    "TIMESTAMP_LTZ": "datetime64[ns, UTC]"}


def pandas_dtype(table: str, column: str, sql: sa.types.TypeEngine, nullable: bool) -> str:
    """Return the pandas dtype that a SQL column reads into (see the module table).

    Parameters
    ----------
    table, column : str
        Names used in the error message.
    sql : TypeEngine
        The reflected column type.
    nullable : bool
        Whether the column accepts NULL.

    Returns
    -------
    str
        A pandas dtype name.

    Raises
    ------
    ConnectorError
        If the type has no pandas counterpart here.
    """
    if isinstance(sql, sa.Boolean) or (
        isinstance(sql, mysql.TINYINT) and getattr(sql, "display_width", None) == 1
    ):
        return "boolean" if nullable else "bool"
    if isinstance(sql, sa.Integer) or (
        isinstance(sql, sa.Numeric) and not isinstance(sql, sa.Float) and sql.scale == 0
    ):
        return "Int64" if nullable else "int64"
    if isinstance(sql, sa.Float | sa.Numeric):
        return "float64"
    if isinstance(sql, sa.DateTime):
        return "datetime64[ns, UTC]" if sql.timezone else "datetime64[ns]"
    if isinstance(sql, sa.Date):
        return "datetime64[ns]"
    if type(sql).__name__ in _NAMED_DATETIMES:
        return _NAMED_DATETIMES[type(sql).__name__]
    if isinstance(sql, sa.String | sa.Uuid) and not isinstance(sql, sa.JSON):
        return "string"
    raise ConnectorError(
        f"Table {table!r}, column {column!r}: SQL type {sql!r} is not supported; read the other "
        "columns with read_table(name, columns=[...]), or cast it to a number, text or "
        "timestamp in a view and read the view."
    )


def to_pandas(table: str, column: str, values: np.ndarray, dtype: str) -> Any:
    """Convert an object array of fetched values (``None`` for NULL) to ``dtype``.

    Parameters
    ----------
    table, column : str
        Names used in the error message.
    values : ndarray of object
        Values as the driver returned them.
    dtype : str
        Target dtype from :func:`pandas_dtype`.

    Returns
    -------
    array-like
        The converted values.

    Raises
    ------
    ConnectorError
        If a value does not fit (an integer beyond int64, a NULL in a ``NOT NULL`` column …).
    """
    try:
        if dtype in ("Int64", "int64", "boolean", "bool"):
            masked = pd.array(values, dtype="Int64" if dtype.lower() == "int64" else "boolean")
            return masked.astype(dtype)
        if dtype == "float64":
            return pd.Series(values, dtype=object).astype("float64").to_numpy()
        if dtype.startswith("datetime64"):
            converted = pd.to_datetime(pd.Series(values, dtype=object), utc=True)
            if not dtype.endswith("UTC]"):
                converted = converted.dt.tz_convert(None)
            return converted.astype(dtype).array
        return pd.array(values, dtype="string")
    except (TypeError, ValueError, OverflowError) as exc:
        raise ConnectorError(
            f"Table {table!r}, column {column!r}: cannot convert the values to {dtype}: {exc}"
        ) from exc


def sql_type(kind: str, dtype: Any) -> sa.types.TypeEngine:
    """Return the SQL type a column of storage ``kind`` is created with.

    Parameters
    ----------
    kind : {"integer", "float", "boolean", "string", "category", "datetime"}
        From :func:`~synthohive.connectors._frames.column_kind`.
    dtype : dtype
        The column's pandas dtype (for datetimes: naive or time-zone-aware).

    Returns
    -------
    TypeEngine
        The SQLAlchemy type, with dialect variants.
    """
    if kind == "integer":
        return sa.BigInteger()
    if kind == "float":
        return sa.Double()
    if kind == "boolean":
        return sa.Boolean(create_constraint=False)
    if kind == "datetime":
        aware = isinstance(dtype, pd.DatetimeTZDtype)
        return sa.DateTime(timezone=aware).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
    return sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def is_nullable(dtype: Any) -> bool:
    """Whether a column of this pandas dtype is created nullable (numpy int/bool are not)."""
    return not (isinstance(dtype, np.dtype) and dtype.kind in "biu")


def to_python(series: pd.Series, kind: str) -> np.ndarray:
    """Return the column as an object array of Python values, ``None`` for missing.

    Parameters
    ----------
    series : Series
        The column.
    kind : str
        Its storage kind.

    Returns
    -------
    ndarray of object
        Values every DB-API driver accepts as bound parameters.
    """
    if kind == "datetime":
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_convert("UTC")
        values = np.asarray(series.array.to_pydatetime(), dtype=object)
    else:
        values = series.astype(object).to_numpy()
    values[pd.isna(series).to_numpy()] = None
    return values
