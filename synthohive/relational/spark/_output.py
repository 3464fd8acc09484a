"""Destinations of the Spark sampler: validation, refusing existing outputs, writing.

Output paths may be local folders or URIs that the session's Hadoop file systems know
(``s3a://``, ``abfss://``, ``hdfs://``...); each table goes to ``<output_path>/<table>.parquet``
(a folder of part files) or to the Delta table ``<output_path>/<table>``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from synthohive.connectors._spark import SparkConnector, delta_jars_hint, delta_on_classpath
from synthohive.exceptions import ConnectorError, DataValidationError

FORMATS = ("parquet", "delta")


def table_uri(output_path: str | os.PathLike[str], name: str, file_format: str) -> str:
    """URI of one table's output: a ``file:`` URI for local folders."""
    leaf = f"{name}.parquet" if file_format == "parquet" else name
    if _is_remote(output_path):
        return f"{str(output_path).rstrip('/')}/{leaf}"
    return (Path(output_path).resolve() / leaf).as_uri()


def _is_remote(output_path: str | os.PathLike[str]) -> bool:
    text = str(output_path)
    return "://" in text and not text.startswith("file:")


def write_table(connector: SparkConnector, frame: Any, name: str, output_path: Any,
                file_format: str, database: str | None, mode: str) -> None:
    """Write one generated table (a Spark DataFrame) from the executors."""
    if database is not None:
        connector.save_to_hive({name: frame}, database, mode=mode)
    elif file_format == "delta":
        target = table_uri(output_path, name, file_format) if _is_remote(output_path) \
            else Path(output_path) / name
        connector.write_delta(frame, target, mode=mode)
    else:
        frame.write.mode(mode).parquet(table_uri(output_path, name, file_format))


def refuse_existing(connector: SparkConnector, tables: list[str], output_path: Any,
                    file_format: str, database: str | None) -> None:
    """Raise ``ConnectorError`` naming the tables whose output exists (``mode="error"``)."""
    if database is not None:
        existing = [t for t in tables if connector.spark.catalog.databaseExists(database)
                    and connector._exists(t, database)]
    elif output_path is not None:
        existing = [t for t in tables
                    if _path_exists(connector.spark, table_uri(output_path, t, file_format))]
    else:
        return
    if existing:
        raise ConnectorError(
            f"Outputs for tables {existing} already exist; nothing was generated. Pass "
            "mode='overwrite' or mode='append'."
        )


def _path_exists(spark: Any, uri: str) -> bool:
    """Ask the session's Hadoop file system whether ``uri`` exists (any scheme)."""
    jvm = spark._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return bool(path.getFileSystem(spark._jsc.hadoopConfiguration()).exists(path))


def check_outputs(spark: Any, output_path: Any, file_format: str, database: str | None,
                  output: Any) -> tuple[Any, str, str | None]:
    """Validate the destination; return it as ``(output_path, format, database)``.

    Delta tables on an object store need the Delta jars on the session's classpath (the
    delta-rs route commits files on local or mounted paths only); without them this
    raises ``ConnectorError`` saying how to add them, before anything is generated.
    """
    from synthohive.connectors._delta import DeltaConnector  # noqa: PLC0415

    given = [name for name, value in [("output_path", output_path), ("database", database),
                                      ("output", output)] if value is not None]
    if len(given) > 1:
        raise DataValidationError(f"Pass only one of output_path=, database=, output=; got "
                                  f"{given}.")
    if isinstance(output, SparkConnector):
        return None, file_format, output._database()
    if isinstance(output, DeltaConnector):
        output_path, file_format = output.path, "delta"
    elif output is not None:
        raise DataValidationError(
            f"output={type(output).__name__} cannot be written from Spark executors; pass a "
            "SparkConnector (Hive) or DeltaConnector, or output_path=."
        )
    if file_format not in FORMATS:
        raise DataValidationError(
            f"format={file_format!r} is not supported on Spark; use one of {FORMATS}, or "
            "database= for Hive tables."
        )
    if file_format == "delta" and _is_remote(output_path) and not delta_on_classpath(spark):
        raise ConnectorError(
            f"Writing Delta tables to {output_path} from Spark executors needs the Delta jars "
            f"on the session's classpath; nothing was generated. {delta_jars_hint()}."
        )
    return output_path, file_format, database


def check_partitions(n_partitions: Any, spark: Any) -> int:
    """Partitions of the root tables: ``n_partitions``, or the default parallelism."""
    if n_partitions is None:
        return int(spark.sparkContext.defaultParallelism)
    if isinstance(n_partitions, bool) or not isinstance(n_partitions, int) or n_partitions <= 0:
        raise DataValidationError(
            f"n_partitions must be a positive integer, got {n_partitions!r}."
        )
    return n_partitions
