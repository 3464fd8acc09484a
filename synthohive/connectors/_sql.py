"""SQL databases through SQLAlchemy 2.x (CONN-01, CONN-04).

One code path serves PostgreSQL (psycopg2), MySQL/MariaDB (pymysql), SQLite, Snowflake
(snowflake-sqlalchemy) and BigQuery (sqlalchemy-bigquery); drivers load on first use only.
"""

from __future__ import annotations

import io
import logging
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote_plus

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import sqlalchemy as sa

from synthohive.connectors._frames import (
    arrow_to_pandas,
    arrow_type,
    check_frame,
    check_if_exists,
)
from synthohive.connectors._identifiers import validate_identifier, validate_qualified_name
from synthohive.connectors._types import (
    is_nullable,
    pandas_dtype,
    sql_type,
    to_pandas,
    to_python,
)
from synthohive.connectors.base import Connector
from synthohive.exceptions import ConnectorError, SynthoHiveError

__all__ = ["SQLConnector"]

logger = logging.getLogger(__name__)
# Dialects whose CREATE/RENAME TABLE commit at once: a multi-table write cannot roll back.
_DDL_COMMITS_AT_ONCE = frozenset({"mysql", "mariadb"})

#: Prefix of the temporary tables a write fills before renaming them; hidden from list_tables.
STAGE_PREFIX = "shtmp_"

#: PostgreSQL reads: CSV spooled in memory up to this size (then on disk), parsed in blocks.
_SPOOL_BYTES = 256 * 2**20
_BLOCK_BYTES = 16 * 2**20

#: Dialects whose ``ALTER TABLE … RENAME TO`` target must carry the schema.
_QUALIFIED_RENAME = ("mysql", "mariadb", "snowflake")


class SQLConnector(Connector):
    """Tables of one schema of a SQL database, read and written with SQLAlchemy 2.x.

    Reads are typed (see :mod:`synthohive.connectors._types` and ``doc/connectors.md`` for the
    SQL → pandas type table) and streamed in chunks with a server-side cursor
    (``stream_results``). Writes fill a temporary table inside one transaction, then drop the
    replaced table and rename the new one, so a failure never leaves a half-written table
    behind; PostgreSQL (psycopg2) loads rows with ``COPY … FROM STDIN`` from an in-memory CSV
    buffer, the other databases with batched ``executemany`` inserts. Every schema, table and
    column name is checked against the identifier allowlist before it reaches SQL; values
    always travel as bound parameters (or through ``COPY``).

    Parameters
    ----------
    url_or_engine : str, sqlalchemy.URL or sqlalchemy.Engine
        Database URL such as ``"postgresql+psycopg2://user:pw@host:5432/db"``,
        ``"mysql+pymysql://user:pw@host:3306/db"``, ``"sqlite:///file.db"``,
        ``"snowflake://user:pw@account/db/schema"`` or ``"bigquery://project/dataset"``, or an
        existing engine (which the connector never disposes of).
    schema : str, optional
        Schema (PostgreSQL, Snowflake), database (MySQL) or dataset (BigQuery) holding the
        tables; the connection's default when None.
    chunksize : int, default=50_000
        Rows per fetched chunk when reading and per batch when writing.
    engine_options : dict, optional
        Keyword arguments for :func:`sqlalchemy.create_engine` (ignored for an engine).

    Raises
    ------
    ConnectorError
        If the URL cannot be parsed (the message never repeats it: it may hold a password).
    InvalidIdentifierError
        If ``schema`` is not on the identifier allowlist.

    Notes
    -----
    Passwords never appear in messages, logs or ``repr``: the URL is always rendered with the
    password hidden, and driver messages are scrubbed of it.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "demo.db")
    >>> with SQLConnector(f"sqlite:///{path}") as con:
    ...     con.write_table("users", pd.DataFrame({"id": [1, 2], "name": ["a", None]}))
    ...     con.read_table("users").dtypes.astype(str).to_dict()
    {'id': 'int64', 'name': 'string'}
    """

    def __init__(
        self,
        url_or_engine: str | sa.URL | sa.Engine,
        schema: str | None = None,
        *,
        chunksize: int = 50_000,
        engine_options: dict[str, Any] | None = None,
    ) -> None:
        if schema is not None:
            validate_identifier(schema, "schema")
        if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
            raise ConnectorError(f"chunksize must be a positive integer, got {chunksize!r}.")
        self.schema = schema
        self.chunksize = chunksize
        self.engine_options = dict(engine_options or {})
        if isinstance(url_or_engine, sa.Engine):
            self._engine: sa.Engine | None = url_or_engine
            self._owns_engine = False
            self._url = url_or_engine.url
        else:
            self._engine = None
            self._owns_engine = True
            self._url = _parse_url(url_or_engine)

    def __repr__(self) -> str:
        return f"SQLConnector({self.safe_url!r}, schema={self.schema!r})"

    def __enter__(self) -> SQLConnector:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def url(self) -> sa.URL:
        """The database URL (its ``str`` and ``repr`` hide the password)."""
        return self._url

    @property
    def safe_url(self) -> str:
        """The URL as text with the password replaced by ``***``."""
        return self._url.render_as_string(hide_password=True)

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine, created (and its driver imported) on first use."""
        if self._engine is None:
            try:
                self._engine = sa.create_engine(self._url, **self.engine_options)
            except (ImportError, sa.exc.NoSuchModuleError) as exc:
                raise ConnectorError(self._redact(
                    f"Cannot load the database driver for {self.safe_url}: {exc}. Install it, "
                    "e.g. pip install 'synthohive[sql]'."
                )) from exc
            except Exception as exc:
                # Dialects may fail in their own ways (BigQuery: missing cloud credentials).
                raise ConnectorError(self._redact(
                    f"Cannot create an engine for {self.safe_url}: {type(exc).__name__}: {exc}"
                )) from exc
        return self._engine

    def close(self) -> None:
        """Release pooled connections of an engine this connector created."""
        if self._engine is not None and self._owns_engine:
            self._engine.dispose()
            self._engine = None

    # -- reading -------------------------------------------------------------------------

    def list_tables(self) -> list[str]:
        """Return the table names of the schema, sorted (temporary write tables excluded)."""
        with self._transaction("list the tables") as conn:
            return self._table_names(conn)

    def read_table(self, name: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """Read one table into a typed DataFrame.

        Parameters
        ----------
        name : str
            Table name, or ``"schema.table"`` for a table of another schema than the
            connector's; each part must be on the identifier allowlist.
        columns : iterable of str, optional
            Columns to read, in this order; all of them when None.

        Returns
        -------
        DataFrame
            The rows, typed by the SQL → pandas type table.

        Raises
        ------
        ConnectorError
            If the database cannot be reached, the table or a column does not exist (the
            message lists what does), or a column type is not supported.
        InvalidIdentifierError
            If a name is not on the identifier allowlist.
        """
        return pd.concat(list(self.iter_table(name, columns)), ignore_index=True)

    def iter_table(
        self, name: str, columns: Iterable[str] | None = None
    ) -> Iterator[pd.DataFrame]:
        """Stream one table as typed DataFrames.

        Chunks hold ``chunksize`` rows, except on PostgreSQL (psycopg2), whose fast path
        yields one chunk per 16 MiB block of CSV text.

        Parameters
        ----------
        name : str
            Table name, or ``"schema.table"``.
        columns : iterable of str, optional
            Columns to read; all of them when None.

        Returns
        -------
        iterator of DataFrame
            Consecutive chunks with the same dtypes; one empty frame for an empty table.

        Raises
        ------
        InvalidIdentifierError
            At once, if a name is not on the identifier allowlist.
        ConnectorError
            While iterating, as :meth:`read_table`.
        """
        schema, table = self._qualified(name)
        wanted = None if columns is None else [validate_identifier(c, "column") for c in columns]
        return self._iter_table(name, schema, table, wanted)

    def _iter_table(self, name: str, schema: str | None, table: str,
                    wanted: list[str] | None) -> Iterator[pd.DataFrame]:
        with self._transaction(f"read table {name!r}") as conn:
            selected = self._select_columns(name, self._reflect(conn, table, schema), wanted)
            dtypes = {c.name: pandas_dtype(name, c.name, c.type, c.nullable) for c in selected}
            statement = sa.select(*selected)
            chunks = (self._copy_out(conn, statement, dtypes) if _is_psycopg2(conn)
                      else self._fetch(conn, name, statement, dtypes))
            empty = True
            for chunk in chunks:
                empty = False
                yield chunk
            if empty:
                yield _frame(name, [], dtypes)

    # -- writing -------------------------------------------------------------------------

    def write_table(self, name: str, df: pd.DataFrame, if_exists: str = "fail") -> None:
        """Write one table in one transaction; a failure leaves no half-written table.

        ``"fail"`` and ``"replace"`` fill a temporary table, then (replace) drop the old table
        and rename the temporary one; ``"append"`` inserts into the existing table (created
        when missing). On failure the transaction is rolled back and the temporary table
        dropped, so the old content stays as it was.

        Parameters
        ----------
        name : str
            Table name, or ``"schema.table"`` to write into another schema than the
            connector's (it must exist); each part must be on the identifier allowlist.
        df : DataFrame
            Rows to write; column names must be on the identifier allowlist.
        if_exists : {"fail", "replace", "append"}, default="fail"
            What to do when the table already exists.

        Raises
        ------
        ConnectorError
            If the table exists with ``if_exists="fail"``, the columns do not match the table
            appended to, a dtype cannot be stored, or the database rejects the write.
        InvalidIdentifierError
            If the table or a column name is not on the identifier allowlist.
        """
        self.write_tables({name: df}, if_exists=if_exists)

    def write_tables(self, tables: Mapping[str, pd.DataFrame], if_exists: str = "fail") -> None:
        """Write several tables (parents first) in one transaction: all of them or none.

        Every name and frame is checked before anything is written. On databases whose DDL
        is transactional (PostgreSQL, SQLite, …) a failure on any table rolls back the
        tables written before it; on others (MySQL, MariaDB) each table is still
        all-or-nothing, and the error names the tables written before the failure.

        Parameters
        ----------
        tables : mapping of str to DataFrame
            Tables to write, in order.
        if_exists : {"fail", "replace", "append"}, default="fail"
            As in :meth:`write_table`.

        Raises
        ------
        ConnectorError, InvalidIdentifierError
            As :meth:`write_table`, for the first table that fails.
        """
        check_if_exists(if_exists)
        if not tables:
            return
        kinds = {}
        for name, df in tables.items():
            self._qualified(name)
            kinds[name] = check_frame(name, df)
            if not kinds[name]:
                raise ConnectorError(
                    f"Table {name!r}: a DataFrame without columns cannot be written."
                )
        stages: list[tuple[sa.Table, str | None]] = []
        done = False
        names = list(tables)
        action = f"write table {names[0]!r}" if len(names) == 1 else f"write tables {names}"
        completed: list[str] = []
        try:
            with self._transaction(action) as conn:
                for name, df in tables.items():
                    self._write_in(conn, name, df, if_exists, kinds[name], stages)
                    completed.append(name)
            done = True
        except BaseException as exc:
            dialect = self.engine.dialect.name
            if completed and dialect in _DDL_COMMITS_AT_ONCE:
                exc.add_note(
                    f"{dialect} commits each table definition at once: tables {completed} "
                    "were written before the failure (remove them, or write again with "
                    "if_exists='replace')."
                )
            raise
        finally:
            if not done:
                for stage, schema in stages:
                    self._drop_leftover(stage.name, schema)
        for name, df in tables.items():
            logger.info("Wrote %d rows to table %s of %s", len(df), name, self.safe_url)

    def _write_in(self, conn: sa.Connection, name: str, df: pd.DataFrame, if_exists: str,
                  kinds: dict[str, str], stages: list[tuple[sa.Table, str | None]]) -> None:
        """Write one table inside an open transaction; record its staging table."""
        schema, table = self._qualified(name)
        exists = sa.inspect(conn).has_table(table, schema=schema)
        if exists and if_exists == "fail":
            raise ConnectorError(
                f"Table {table!r} already exists in {self._where(schema)}; pass "
                'if_exists="replace" or "append", or choose another name.'
            )
        if exists and if_exists == "append":
            self._insert(conn, self._appendable(conn, table, schema, df), df, kinds)
            return
        stage = self._new_table(f"{STAGE_PREFIX}{uuid.uuid4().hex[:16]}", df, kinds, schema)
        stages.append((stage, schema))
        stage.create(conn)
        self._insert(conn, stage, df, kinds)
        if exists:
            sa.Table(table, sa.MetaData(), schema=schema).drop(conn)
        self._rename(conn, stage, table)

    # -- internals -----------------------------------------------------------------------

    @contextmanager
    def _transaction(self, action: str) -> Iterator[sa.Connection]:
        """Yield a connection in a transaction; database errors become ConnectorError."""
        engine = self.engine
        # Drivers and pyarrow also raise builtin errors for values they cannot send.
        errors = (sa.exc.SQLAlchemyError, engine.dialect.loaded_dbapi.Error, pa.ArrowException,
                  ValueError, TypeError, OverflowError)
        connected = False
        try:
            with engine.begin() as conn:
                connected = True
                yield conn
        except SynthoHiveError:
            raise
        except errors as exc:
            cause = str(getattr(exc, "orig", None) or exc).strip()
            if connected:
                message = f"Cannot {action} in {self.safe_url}: {cause}"
            else:
                message = (
                    f"Cannot connect to {self.safe_url}: {cause}. Check that the server is "
                    "running and reachable and that the user name and password are right."
                )
            raise ConnectorError(self._redact(message)) from exc

    def _redact(self, text: str) -> str:
        password = self._url.password
        if password:
            for form in {str(password), quote_plus(str(password))}:
                text = text.replace(form, "***")
        return text

    def _qualified(self, name: object) -> tuple[str | None, str]:
        """Return the schema and table of ``"table"`` or ``"schema.table"``, both checked.

        A bare name lives in the connector's schema.
        """
        parts = validate_qualified_name(name, ("schema", "table"))
        return (parts[0] if len(parts) == 2 else self.schema), parts[-1]

    def _where(self, schema: str | None = None) -> str:
        schema = self.schema if schema is None else schema
        return f"schema {schema!r} of {self.safe_url}" if schema else self.safe_url

    def _table_names(self, conn: sa.Connection, schema: str | None = None) -> list[str]:
        names = sa.inspect(conn).get_table_names(schema=self.schema if schema is None else schema)
        return sorted(n for n in names if not n.startswith(STAGE_PREFIX))

    def _reflect(self, conn: sa.Connection, name: str, schema: str | None) -> sa.Table:
        try:
            return sa.Table(name, sa.MetaData(), schema=schema, autoload_with=conn)
        except sa.exc.NoSuchTableError:
            raise ConnectorError(
                f"Table {name!r} does not exist in {self._where(schema)}; available tables: "
                f"{self._table_names(conn, schema)}."
            ) from None

    @staticmethod
    def _select_columns(
        name: str, table: sa.Table, wanted: list[str] | None
    ) -> list[sa.Column[Any]]:
        if wanted is None:
            return [table.c[validate_identifier(c.name, "column")] for c in table.columns]
        missing = [c for c in wanted if c not in table.c]
        if missing:
            raise ConnectorError(
                f"Table {name!r} has no column(s) {missing}; its columns are "
                f"{list(table.c.keys())}."
            )
        return [table.c[c] for c in wanted]

    def _new_table(self, name: str, df: pd.DataFrame, kinds: dict[str, str],
                   schema: str | None = None) -> sa.Table:
        columns = [
            sa.Column(c, sql_type(kinds[c], df[c].dtype), nullable=is_nullable(df[c].dtype))
            for c in df.columns
        ]
        return sa.Table(name, sa.MetaData(), *columns,
                        schema=self.schema if schema is None else schema)

    def _appendable(self, conn: sa.Connection, name: str, schema: str | None,
                    df: pd.DataFrame) -> sa.Table:
        table = self._reflect(conn, name, schema)
        if set(table.c.keys()) != set(df.columns):
            raise ConnectorError(
                f"Cannot append to table {name!r}: it has columns {list(table.c.keys())}, the "
                f"new rows have {list(df.columns)}; use the same columns or "
                'if_exists="replace".'
            )
        return table

    def _insert(
        self, conn: sa.Connection, table: sa.Table, df: pd.DataFrame, kinds: dict[str, str]
    ) -> None:
        if df.empty:
            return
        if _is_psycopg2(conn):
            self._copy(conn, table, df, kinds)
            return
        names = list(df.columns)
        arrays = [to_python(df[c], kinds[c]) for c in names]
        statement = sa.insert(table)
        for start in range(0, len(df), self.chunksize):
            batch = zip(*(a[start:start + self.chunksize] for a in arrays), strict=True)
            conn.execute(statement, [dict(zip(names, row, strict=True)) for row in batch])

    def _fetch(
        self, conn: sa.Connection, name: str, statement: sa.Select[Any], dtypes: dict[str, str]
    ) -> Iterator[pd.DataFrame]:
        """Fetch ``chunksize`` rows at a time from a server-side cursor (generic path)."""
        result = conn.execution_options(
            stream_results=True, yield_per=self.chunksize
        ).execute(statement)
        for rows in result.partitions():
            yield _frame(name, rows, dtypes)

    def _copy_out(
        self, conn: sa.Connection, statement: sa.Select[Any], dtypes: dict[str, str]
    ) -> Iterator[pd.DataFrame]:
        """PostgreSQL fast path: ``COPY (SELECT …) TO STDOUT`` spooled, then parsed in blocks.

        The CSV text goes to a temporary file that stays in memory up to
        :data:`_SPOOL_BYTES`; pyarrow parses it block by block, so memory stays bounded by
        one block of rows plus the spool. Time-zone-aware columns are written in UTC.
        """
        conn.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
        query = statement.compile(dialect=conn.dialect)
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
            cursor = conn.connection.dbapi_connection.cursor()
            try:
                cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", spool)
            finally:
                cursor.close()
            if spool.tell() == 0:
                return
            spool.seek(0)
            reader = pa_csv.open_csv(
                spool,
                read_options=pa_csv.ReadOptions(column_names=list(dtypes),
                                                block_size=_BLOCK_BYTES),
                parse_options=pa_csv.ParseOptions(newlines_in_values=True),
                convert_options=pa_csv.ConvertOptions(
                    column_types={c: arrow_type(d) for c, d in dtypes.items()},
                    null_values=[""], strings_can_be_null=True,
                    quoted_strings_can_be_null=False, true_values=["t"], false_values=["f"],
                ),
            )
            for batch in reader:
                yield arrow_to_pandas(batch, dtypes)

    def _copy(
        self, conn: sa.Connection, table: sa.Table, df: pd.DataFrame, kinds: dict[str, str]
    ) -> None:
        """PostgreSQL fast path: ``COPY … FROM STDIN`` fed with pyarrow-written CSV batches."""
        preparer = conn.dialect.identifier_preparer
        columns = ", ".join(preparer.quote(c) for c in df.columns)
        statement = f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN WITH (FORMAT csv)"
        categories = [c for c, kind in kinds.items() if kind == "category"]
        arrow = pa.Table.from_pandas(
            df.astype(dict.fromkeys(categories, "string")), preserve_index=False
        )
        options = pa_csv.WriteOptions(include_header=False)
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            for batch in arrow.to_batches(max_chunksize=self.chunksize):
                buffer = io.BytesIO()
                pa_csv.write_csv(batch, buffer, options)
                buffer.seek(0)
                cursor.copy_expert(statement, buffer)
        finally:
            cursor.close()

    def _rename(self, conn: sa.Connection, stage: sa.Table, name: str) -> None:
        conn.execute(sa.text(rename_statement(conn.dialect, stage, name)))

    def _drop_leftover(self, stage: str, schema: str | None) -> None:
        """Drop a temporary table left by a failed write on a database without DDL rollback."""
        try:
            with self.engine.begin() as conn:
                if sa.inspect(conn).has_table(stage, schema=schema):
                    sa.Table(stage, sa.MetaData(), schema=schema).drop(conn)
        except sa.exc.SQLAlchemyError as exc:
            logger.warning(
                "Could not drop the temporary table %s after a failed write: %s",
                stage, self._redact(str(exc)),
            )


def _is_psycopg2(conn: sa.Connection) -> bool:
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg2"


def rename_statement(dialect: sa.Dialect, table: sa.Table, name: str) -> str:
    """Return ``ALTER TABLE <table> RENAME TO <name>`` for ``dialect``, names quoted.

    Parameters
    ----------
    dialect : Dialect
        The database dialect.
    table : Table
        The table to rename (with its schema).
    name : str
        The new name (already on the allowlist); it stays in the table's schema.

    Returns
    -------
    str
        The statement.
    """
    preparer = dialect.identifier_preparer
    if dialect.name in _QUALIFIED_RENAME:
        target = preparer.format_table(sa.Table(name, sa.MetaData(), schema=table.schema))
    else:
        target = preparer.quote(name)
    return f"ALTER TABLE {preparer.format_table(table)} RENAME TO {target}"


def _parse_url(url: object) -> sa.URL:
    if isinstance(url, sa.URL):
        return url
    if not isinstance(url, str):
        raise ConnectorError(
            f"Expected a database URL string, sqlalchemy.URL or Engine, got {type(url).__name__}."
        )
    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        # The text is not repeated (nor chained): it may hold a password. A non-numeric
        # port raises a plain ValueError.
        raise ConnectorError(
            "Cannot parse the database URL (is the port a number?); expected "
            "dialect+driver://user:password@host:port/database, e.g. "
            "postgresql+psycopg2://postgres@127.0.0.1:5432/test."
        ) from None
    if "@" in (parsed.host or ""):
        raise ConnectorError(
            "The database URL has more than one '@': a user name or password holding '@' must "
            "be percent-encoded ('@' as %40, e.g. with urllib.parse.quote_plus(password))."
        )
    return parsed


def _frame(table: str, rows: list[Any], dtypes: dict[str, str]) -> pd.DataFrame:
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(dtypes)
    data = {}
    for (column, dtype), values in zip(dtypes.items(), columns, strict=True):
        array = np.empty(len(values), dtype=object)
        array[:] = values
        data[column] = to_pandas(table, column, array, dtype)
    return pd.DataFrame(data, columns=list(dtypes))
