"""Shared fixtures: one lazily created local Spark session (with Hive) for the whole run.

Only tests that request ``spark`` start it (about 6 s), so the rest of the suite never
imports pyspark. Warehouse, Derby metastore and Derby logs live in a temporary folder.
"""

import os
import sys

import pytest


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession

    # Workers run this interpreter (with pyarrow) even when the venv is not activated: some
    # Python runners read the environment variable, not spark.pyspark.python.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    root = tmp_path_factory.mktemp("spark")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("synthohive-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.warehouse.dir", str(root / "warehouse"))
        .config("spark.driver.extraJavaOptions",
                f"-Dderby.system.home={root / 'derby'} -Dderby.stream.error.file="
                f"{root / 'derby.log'}")
        .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                f"jdbc:derby:;databaseName={root / 'metastore_db'};create=true")
        .enableHiveSupport()
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
