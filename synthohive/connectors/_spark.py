"""Spark tables, Hive databases and Delta tables seen from a :class:`SparkConnector`.

Rows travel between Spark and pandas through Arrow (``toArrow`` / ``createDataFrame`` of
an Arrow table) with the dtype table of :mod:`synthohive.connectors._spark_types`. Every
database, table and column name passes the identifier allowlist before any SQL is built.
Nothing here downloads anything: Delta goes through ``format("delta")`` only when the
Delta classes are already on the session's classpath, and otherwise through delta-rs.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from synthohive.connectors._delta import _deltalake, write_delta_arrow
from synthohive.connectors._frames import check_frame
from synthohive.connectors._identifiers import (
    validate_identifier,
    validate_identifiers,
    validate_qualified_name,
)
from synthohive.connectors._spark_types import (
    DTYPE_KEY,
    arrow_to_pandas,
    pandas_to_arrow,
    resolve_mode,
)
from synthohive.connectors.base import Connector
from synthohive.exceptions import ConnectorError

logger = logging.getLogger(__name__)

_DELTA_SOURCE = "org.apache.spark.sql.delta.sources.DeltaDataSource"


def delta_jars_hint() -> str:
    """Say how to put the Delta jars on a session's classpath without a run-time download."""
    try:
        version = importlib.metadata.version("delta-spark")
    except importlib.metadata.PackageNotFoundError:
        version = "<delta version>"
    return (
        "Start the session with the Delta jars on its classpath: SparkSession.builder"
        f".config('spark.jars', '/path/to/delta-spark_2.13-{version}.jar,/path/to/"
        f"delta-storage-{version}.jar').config('spark.sql.extensions', "
        "'io.delta.sql.DeltaSparkSessionExtension').config('spark.sql.catalog.spark_catalog', "
        "'org.apache.spark.sql.delta.catalog.DeltaCatalog'), with the jars copied from your "
        "cluster or an internal Maven mirror (configure_spark_with_delta_pip downloads them at "
        "run time and is not used)"
    )


def _spark_errors() -> tuple[type[BaseException], ...]:
    from py4j.protocol import Py4JError  # noqa: PLC0415 (pyspark is optional)
    from pyspark.errors import PySparkException  # noqa: PLC0415

    return (PySparkException, Py4JError)


def spark_schema(schema: pa.Schema) -> Any:
    """Return the Spark ``StructType`` for an Arrow schema, keeping SynthoHive's dtypes.

    Naive timestamps become ``TIMESTAMP_NTZ``; the pandas dtype stored in each Arrow field
    travels as Spark column metadata.

    Parameters
    ----------
    schema : pyarrow.Schema
        Schema built by :func:`~synthohive.connectors._spark_types.pandas_to_arrow`.

    Returns
    -------
    pyspark.sql.types.StructType
        The Spark schema.
    """
    from pyspark.sql import types  # noqa: PLC0415
    from pyspark.sql.pandas.types import from_arrow_type  # noqa: PLC0415

    key = DTYPE_KEY.encode()
    return types.StructType([
        types.StructField(
            field.name, from_arrow_type(field.type, prefer_timestamp_ntz=True), True,
            {DTYPE_KEY: field.metadata[key].decode()}
            if field.metadata and key in field.metadata else {},
        )
        for field in schema
    ])


def spark_to_pandas(frame: Any) -> pd.DataFrame:
    """Collect a Spark DataFrame into pandas through Arrow, with SynthoHive's dtypes.

    Parameters
    ----------
    frame : pyspark.sql.DataFrame
        Rows to collect to the driver.

    Returns
    -------
    DataFrame
        The rows.
    """
    dtypes = {f.name: f.metadata[DTYPE_KEY] for f in frame.schema.fields
              if DTYPE_KEY in (f.metadata or {})}
    return arrow_to_pandas(frame.toArrow(), dtypes)


def delta_on_classpath(spark: Any) -> bool:
    """Tell whether the session can use ``format("delta")`` (Delta classes are loaded).

    Parameters
    ----------
    spark : SparkSession
        The session.

    Returns
    -------
    bool
        True when the Delta data source class is on the driver's classpath.
    """
    jvm = getattr(spark, "_jvm", None)
    if jvm is None:
        return False
    try:
        jvm.java.lang.Class.forName(_DELTA_SOURCE, False,
                                    jvm.java.lang.Thread.currentThread().getContextClassLoader())
    except _spark_errors():
        return False
    return True


class SparkConnector(Connector):
    """Read and write Spark catalog (Hive) tables, Hive databases and Delta tables.

    Parameters
    ----------
    spark : SparkSession
        The session (``enableHiveSupport()`` for a Hive metastore).
    database : str, optional
        Database of unqualified table names; the session's current database when None.

    Notes
    -----
    Reading collects to the driver as pandas (use ``max_rows`` for large tables). Writing
    ``if_exists="replace"`` writes a staging table and renames it, so a failed write leaves
    the old table in place. Dtypes follow :mod:`synthohive.connectors._spark_types`.

    Examples
    --------
    >>> conn = SparkConnector(spark)  # doctest: +SKIP
    >>> conn.save_to_hive({"customers": customers, "orders": orders}, "synthetic",
    ...                   mode="overwrite")  # doctest: +SKIP
    >>> conn.read_tables(["customers", "orders"], max_rows=10_000, schema=schema)  # doctest: +SKIP
    """

    def __init__(self, spark: Any, database: str | None = None) -> None:
        self.spark = spark
        self.database = database

    # -- names --------------------------------------------------------------------------

    def _database(self, database: str | None = None) -> str:
        name = database if database is not None else self.database
        if name is None:
            name = self.spark.catalog.currentDatabase()
        return validate_identifier(name, "database")

    def _split(self, name: object, database: str | None = None) -> tuple[str, str]:
        """Return the database and table of ``"table"`` or ``"database.table"``, both checked.

        A bare name lives in ``database``, else the connector's (or the current) database.
        """
        parts = validate_qualified_name(name, ("database", "table"))
        return (parts[0] if len(parts) == 2 else self._database(database)), parts[-1]

    def _qualified(self, name: str, database: str | None = None) -> str:
        database, table = self._split(name, database)
        return f"`{database}`.`{table}`"

    def _exists(self, name: str, database: str | None = None) -> bool:
        return bool(self.spark.catalog.tableExists(self._qualified(name, database)))

    # -- reading ------------------------------------------------------------------------

    def list_tables(self) -> list[str]:
        """Return the (non-temporary) tables of the connector's database.

        Returns
        -------
        list of str
            Sorted table names.
        """
        database = self._database()
        if not self.spark.catalog.databaseExists(database):
            return []
        return sorted(t.name for t in self.spark.catalog.listTables(database)
                      if not t.isTemporary)

    def read_table(self, name: str, max_rows: int | None = None,
                   random_state: int = 0) -> pd.DataFrame:
        """Read one catalog table into pandas.

        Parameters
        ----------
        name : str
            Table name, or ``"database.table"`` for a table of another database than the
            connector's; each part must be an allowed identifier.
        max_rows : int, optional
            Read at most this many rows, chosen by a seeded hash of each row.
        random_state : int, default=0
            Seed of that choice.

        Returns
        -------
        DataFrame
            The rows.

        Raises
        ------
        InvalidIdentifierError
            If the name is not an allowed identifier.
        ConnectorError
            If the table does not exist (the available tables are listed).
        """
        frame = self._table(name)
        if max_rows is not None:
            frame = _cap_rows(frame, max_rows, None, random_state)
        return spark_to_pandas(frame)

    def read_tables(self, names: Iterable[str] | None = None, max_rows: int | None = None,
                    schema: Any = None, random_state: int = 0) -> dict[str, pd.DataFrame]:
        """Read several tables; with ``max_rows``, keep whole parent groups and joinable FKs.

        With a ``schema`` and ``max_rows``, tables are read parents first: a child keeps only
        rows whose foreign keys point at kept parent rows (or are null), and when it still
        has more than ``max_rows`` rows it keeps whole groups of children of the same parent
        (chosen by a seeded hash of the parent key), so children-per-parent counts stay
        real. Without a schema each table is capped on its own (foreign keys may dangle).

        Parameters
        ----------
        names : iterable of str, optional
            Tables to read (``"table"`` or ``"database.table"``); all tables of the
            connector's database when None.
        max_rows : int, optional
            Upper bound on the rows read per table (a single group larger than it is kept
            whole).
        schema : Schema, optional
            Foreign keys between the tables.
        random_state : int, default=0
            Seed of the row and group choice.

        Returns
        -------
        dict of str to DataFrame
            The tables, by name, in the order of ``names``.
        """
        names = self.list_tables() if names is None else list(names)
        for name in names:
            self._split(name)
        order = names
        if schema is not None:
            order = [t for t in schema.topological_order() if t in names]
            order += [t for t in names if t not in order]
        if max_rows is not None and schema is None and len(names) > 1:
            logger.warning("read_tables(max_rows=%d) without schema= caps each table on its own;"
                           " foreign keys may point at rows that were not read.", max_rows)
        result: dict[str, pd.DataFrame] = {}
        for name in order:
            frame = self._table(name)
            if max_rows is not None:
                links = [] if schema is None else [
                    fk for fk in schema[name].foreign_keys if fk.parent_table in result
                ]
                for fk in links:
                    keys = result[fk.parent_table][[fk.parent_column]].rename(
                        columns={fk.parent_column: fk.column})
                    frame = _keep_joinable(frame, fk.column, self._keys_frame(keys))
                frame = _cap_rows(frame, max_rows, links[0].column if links else None,
                                  random_state)
            result[name] = spark_to_pandas(frame)
            logger.info("Read %d rows of Spark table %s", len(result[name]), name)
        return {name: result[name] for name in names}

    def _table(self, name: str) -> Any:
        database, table = self._split(name)
        qualified = f"`{database}`.`{table}`"
        if not self.spark.catalog.tableExists(qualified):
            available = sorted(t.name for t in self.spark.catalog.listTables(database)
                               if not t.isTemporary) \
                if self.spark.catalog.databaseExists(database) else []
            raise ConnectorError(
                f"Table {table!r} does not exist in database {database!r}; available "
                f"tables: {available}."
            )
        return self.spark.table(qualified)

    def _keys_frame(self, keys: pd.DataFrame) -> Any:
        data = pandas_to_arrow(keys.drop_duplicates(), "keys")
        return self.spark.createDataFrame(data, schema=spark_schema(data.schema))

    # -- writing ------------------------------------------------------------------------

    def to_spark(self, df: pd.DataFrame, name: str = "table") -> Any:
        """Turn a pandas table into a Spark DataFrame with checked names and SynthoHive dtypes.

        Parameters
        ----------
        df : DataFrame
            Rows.
        name : str, default="table"
            Table name for error messages.

        Returns
        -------
        pyspark.sql.DataFrame
            The rows on Spark.

        Raises
        ------
        InvalidIdentifierError
            If a column name is not an allowed identifier.
        ConnectorError
            If a column cannot be stored by Spark.
        """
        check_frame(name, df)
        data = pandas_to_arrow(df, name)
        return self.spark.createDataFrame(data, schema=spark_schema(data.schema))

    def write_table(self, name: str, df: pd.DataFrame | Any, if_exists: str = "fail") -> None:
        """Write one table to the connector's database.

        Parameters
        ----------
        name : str
            Table name, or ``"database.table"`` to write into another database.
        df : DataFrame or pyspark.sql.DataFrame
            Rows to write.
        if_exists : {"fail", "replace", "append"}, default="fail"
            Also accepts Spark's ``"error"`` and ``"overwrite"``.

        Raises
        ------
        InvalidIdentifierError
            If the table or a column name is not an allowed identifier.
        ConnectorError
            If the table exists and ``if_exists="fail"``, or the write fails.
        """
        self.save_to_hive({name: df}, self._database(), mode=resolve_mode(if_exists))

    def write_tables(self, tables: Mapping[str, pd.DataFrame | Any], if_exists: str = "fail",
                     *, mode: str | None = None) -> None:
        """Write several tables to the connector's database (see :meth:`save_to_hive`).

        Parameters
        ----------
        tables : mapping of str to DataFrame
            Tables to write, parents first.
        if_exists : {"fail", "replace", "append"}, default="fail"
            What to do with existing tables.
        mode : {"error", "overwrite", "append"}, optional
            Spark's name for ``if_exists``; wins when given.
        """
        self.save_to_hive(tables, self._database(), mode=resolve_mode(if_exists, mode))

    def save_to_hive(self, tables: Mapping[str, pd.DataFrame | Any], database: str,
                     mode: str = "error") -> None:
        """Write tables into a Hive database, creating the database when needed.

        Every name is checked and every pandas table converted before anything is written;
        with ``mode="error"`` nothing is written when one table already exists.

        Parameters
        ----------
        tables : mapping of str to (pandas or Spark) DataFrame
            Tables to write, parents first; a ``"database.table"`` name goes to that
            database instead.
        database : str
            Target database (created if missing, as is the database of a qualified name).
        mode : {"error", "overwrite", "append"}, default="error"
            What to do with existing tables. ``overwrite`` writes a staging table and swaps
            it in, so a failed write keeps the old table.

        Raises
        ------
        InvalidIdentifierError
            If the database, a table or a column name is not an allowed identifier.
        ConnectorError
            If ``mode="error"`` and tables exist (all are named), or a write fails.
        """
        database = validate_identifier(database, "database")
        resolved = resolve_mode(None, mode)
        targets = {name: self._split(name, database) for name in tables}
        frames = {name: self._as_spark(df, name) for name, df in tables.items()}
        databases = dict.fromkeys(db for db, _ in targets.values())
        present = {db for db in databases if self.spark.catalog.databaseExists(db)}
        existing = [n for n in frames if targets[n][0] in present and self._exists(n, database)]
        if resolved == "error" and existing:
            raise ConnectorError(
                f"Tables {existing} already exist in database {database!r}; nothing was "
                "written. Pass mode='overwrite' or mode='append'."
            )
        for db in databases:
            self._run_sql(f"CREATE DATABASE IF NOT EXISTS `{db}`", db)
        for name, frame in frames.items():
            if resolved == "append" and name in existing:
                self._save(frame.write.mode("append"), self._qualified(name, database), name)
            else:
                self._swap_in(frame, name, database)
            logger.info("Wrote Spark table %s.%s (mode=%s)", *targets[name], resolved)

    def _as_spark(self, df: pd.DataFrame | Any, name: str) -> Any:
        if isinstance(df, pd.DataFrame):
            return self.to_spark(df, name)
        validate_identifiers(df.columns, "column")
        return df

    def _swap_in(self, frame: Any, name: str, database: str) -> None:
        database, table = self._split(name, database)
        staging = f"{table}__synthohive_{uuid.uuid4().hex[:12]}"
        target = f"`{database}`.`{table}`"
        staged = f"`{database}`.`{staging}`"
        try:
            self._save(frame.write.mode("error"), staged, name)
            self._run_sql(f"DROP TABLE IF EXISTS {target}", name)
            self._run_sql(f"ALTER TABLE {staged} RENAME TO {target}", name)
        finally:
            self._run_sql(f"DROP TABLE IF EXISTS {staged}", name)

    def _save(self, writer: Any, qualified: str, name: str) -> None:
        try:
            writer.saveAsTable(qualified)
        except _spark_errors() as exc:
            raise ConnectorError(f"Writing Spark table {name!r} ({qualified}) failed: {exc}") \
                from exc

    def _run_sql(self, statement: str, name: str) -> None:
        try:
            self.spark.sql(statement)
        except _spark_errors() as exc:
            raise ConnectorError(f"Spark SQL for {name!r} failed ({statement}): {exc}") from exc

    # -- Delta --------------------------------------------------------------------------

    def write_delta(self, df: pd.DataFrame | Any, path: str | os.PathLike[str],
                    mode: str = "error") -> None:
        """Write one Delta table at ``path`` from a pandas or Spark DataFrame.

        With the Delta jars on the session's classpath this is ``format("delta")``.
        Without them a pandas table is written by delta-rs, and a Spark DataFrame is
        written by the executors as Parquet files inside the table folder that the driver
        then commits to the Delta log with delta-rs (rows never reach the driver; local
        or mounted paths only).

        Parameters
        ----------
        df : DataFrame or pyspark.sql.DataFrame
            Rows to write.
        path : str or path-like
            Table folder.
        mode : {"error", "overwrite", "append"}, default="error"
            What to do when a table exists there.

        Raises
        ------
        ConnectorError
            If the table exists and ``mode="error"``, the write fails, or ``path`` is a
            remote URI without the Delta jars (the message says how to add them).
        """
        resolved = resolve_mode(None, mode)
        if delta_on_classpath(self.spark):
            frame = self._as_spark(df, Path(path).name)
            writer = frame.write.format("delta").mode(resolved)
            if resolved == "overwrite":
                writer = writer.option("overwriteSchema", "true")
            try:
                writer.save(str(path))
            except _spark_errors() as exc:
                raise ConnectorError(f"Writing the Delta table at {path} failed: {exc}") \
                    from exc
            return
        if isinstance(df, pd.DataFrame):
            check_frame(Path(path).name, df)
            write_delta_arrow(str(path), pandas_to_arrow(df, Path(path).name), resolved)
            return
        self._commit_spark_files_to_delta(self._as_spark(df, Path(path).name), str(path),
                                          resolved)

    def read_delta(self, path: str | os.PathLike[str],
                   version: int | str | datetime | None = None) -> Any:
        """Read one Delta table (a version of it, for time travel) as a Spark DataFrame.

        Without the Delta jars, Spark reads exactly the Parquet files that the Delta log of
        that version lists (never the whole folder, which holds removed files too).

        Parameters
        ----------
        path : str or path-like
            Table folder.
        version : int, str or datetime, optional
            Version number or timestamp; the latest version when None.

        Returns
        -------
        pyspark.sql.DataFrame
            The rows, not collected.

        Raises
        ------
        ConnectorError
            If there is no table or version there, or the table uses Delta features that
            need the jars (deletion vectors, column mapping).
        """
        if delta_on_classpath(self.spark):
            reader = self.spark.read.format("delta")
            if isinstance(version, int):
                reader = reader.option("versionAsOf", version)
            elif version is not None:
                reader = reader.option("timestampAsOf", str(version))
            try:
                return reader.load(str(path))
            except _spark_errors() as exc:
                raise ConnectorError(f"Reading the Delta table at {path} failed: {exc}") \
                    from exc
        deltalake = _deltalake()
        try:
            table = deltalake.DeltaTable(str(path))
            if version is not None:
                table.load_as_version(version)
        except (deltalake.exceptions.DeltaError, ValueError) as exc:
            raise ConnectorError(
                f"Cannot open version {version!r} of the Delta table at {path}: {exc}."
            ) from exc
        features = set(table.protocol().reader_features or [])
        if features & {"deletionVectors", "columnMapping"}:
            raise ConnectorError(
                f"The Delta table at {path} uses {sorted(features)}, which only the Delta jars "
                f"read correctly. {delta_jars_hint()}."
            )
        arrow_schema = pa.schema(table.schema().to_arrow())
        schema = spark_schema(arrow_schema)
        files = table.file_uris()
        if not files:
            return self.spark.createDataFrame([], schema=schema)
        return self.spark.read.schema(schema).parquet(*files)

    def _commit_spark_files_to_delta(self, frame: Any, path: str, mode: str) -> None:
        if "://" in path and not path.startswith("file:"):
            raise ConnectorError(
                f"Writing a Spark DataFrame to the Delta table at {path} without the Delta jars "
                f"works on local or mounted paths only. {delta_jars_hint()}."
            )
        deltalake = _deltalake()
        root = Path(path.removeprefix("file:"))
        exists = deltalake.DeltaTable.is_deltatable(str(root))
        if exists and mode == "error":
            raise ConnectorError(
                f"The Delta table at {root} already exists; pass mode='overwrite' or 'append'."
            )
        from pyspark.sql.pandas.types import to_arrow_schema  # noqa: PLC0415

        schema = pa.schema([
            pa.field(f.name, t.type, metadata={DTYPE_KEY: f.metadata[DTYPE_KEY]}
                     if DTYPE_KEY in (f.metadata or {}) else None)
            for f, t in zip(frame.schema.fields, to_arrow_schema(frame.schema), strict=True)
        ])
        folder = f"synthohive-{uuid.uuid4().hex}"
        try:
            frame.write.mode("error").parquet((root / folder).as_uri())
            actions = _add_actions(root, folder)
            if exists:
                table = deltalake.DeltaTable(str(root))
            else:
                table = deltalake.DeltaTable.create(str(root), schema, mode="error")
            table.create_write_transaction(actions, mode="append" if mode == "append"
                                           else "overwrite", schema=schema)
        except (*_spark_errors(), deltalake.exceptions.DeltaError, OSError) as exc:
            shutil.rmtree(root / folder, ignore_errors=True)
            raise ConnectorError(f"Writing the Delta table at {root} failed: {exc}") from exc
        logger.info("Committed %d Parquet files to the Delta table %s (mode=%s)",
                    len(actions), root, mode)


def _add_actions(root: Path, folder: str) -> list[Any]:
    import pyarrow.parquet as pq  # noqa: PLC0415
    from deltalake.transaction import AddAction  # noqa: PLC0415

    actions = []
    for file in sorted((root / folder).glob("*.parquet")):
        rows = pq.read_metadata(file).num_rows
        actions.append(AddAction(
            path=f"{folder}/{file.name}", size=file.stat().st_size, partition_values={},
            modification_time=int(time.time() * 1000), data_change=True,
            stats=f'{{"numRecords": {rows}}}',
        ))
    return actions


def _keep_joinable(frame: Any, column: str, keys: Any) -> Any:
    """Keep rows whose ``column`` is null or found in ``keys`` (a one-column frame)."""
    from pyspark.sql import functions as F  # noqa: N812, PLC0415

    return frame.join(keys, on=column, how="left_semi").unionByName(
        frame.filter(F.col(column).isNull())
    )


def _cap_rows(frame: Any, max_rows: int, group: str | None, seed: int) -> Any:
    """Keep at most ``max_rows`` rows: single rows, or whole groups of ``group``."""
    from pyspark.sql import Window  # noqa: PLC0415
    from pyspark.sql import functions as F  # noqa: N812, PLC0415

    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows <= 0:
        raise ConnectorError(f"max_rows must be a positive integer, got {max_rows!r}.")
    if frame.count() <= max_rows:
        return frame
    if group is None:
        order = F.xxhash64(*[F.col(f"`{c}`") for c in frame.columns], F.lit(seed))
        return frame.orderBy(order).limit(max_rows)
    by_hash = Window.orderBy(F.xxhash64(F.col(group), F.lit(seed)), F.col(group)) \
        .rowsBetween(Window.unboundedPreceding, Window.currentRow)
    groups = frame.groupBy(group).count() \
        .withColumn("_running", F.sum("count").over(by_hash)) \
        .withColumn("_rank", F.row_number().over(Window.orderBy(
            F.xxhash64(F.col(group), F.lit(seed)), F.col(group)))) \
        .filter((F.col("_running") <= max_rows) | (F.col("_rank") == 1)) \
        .select(F.col(group).alias("_key"))
    return frame.join(groups, frame[group].eqNullSafe(groups["_key"]), "left_semi")
