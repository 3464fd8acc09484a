"""SparkConnector on a local Hive metastore: contract, dtypes, save_to_hive, capped reads, Delta."""

import uuid

import numpy as np
import pandas as pd
import pytest

from synthohive.connectors._delta import DeltaConnector
from synthohive.connectors._spark import SparkConnector, delta_on_classpath
from synthohive.exceptions import ConnectorError, InvalidIdentifierError
from synthohive.schema import Schema
from tests.connectors.contract import ConnectorContract, sample_frame, sorted_by_id

pytestmark = pytest.mark.spark

INJECTIONS = ["x; DROP DATABASE default", "a`b", "db -- c", "x' OR '1'='1", "db.t", ""]
# table arguments take "database.table": each part must be an allowed identifier
QUALIFIED_INJECTIONS = ["db.t; DROP DATABASE default", "db.t.u", ".t", "db.", "db.`t`",
                        "db .t", "db.t -- c", "`db`.t"]


def _database():
    return f"t_{uuid.uuid4().hex[:10]}"


class TestSparkContract(ConnectorContract):
    qualified_names = True

    @pytest.fixture
    def connector(self, spark):
        database = _database()
        spark.sql(f"CREATE DATABASE {database}")
        yield SparkConnector(spark, database=database)
        spark.sql(f"DROP DATABASE {database} CASCADE")


def test_tables_written_by_others_follow_the_dtype_table(spark):
    database = _database()
    spark.sql(f"CREATE DATABASE {database}")
    spark.sql(
        f"CREATE TABLE {database}.raw (a TINYINT, b INT, c BIGINT, d DOUBLE, e DECIMAL(10, 2), "
        "f BOOLEAN, g STRING, h DATE, i TIMESTAMP_NTZ, j FLOAT) USING parquet"
    )
    spark.sql(
        f"INSERT INTO {database}.raw VALUES (1, 2, 3, 0.5, 1.25, true, 'x', DATE'2020-01-02', "
        "TIMESTAMP_NTZ'2020-01-02 03:04:05', 1.5), "
        "(2, NULL, 4, NULL, NULL, NULL, NULL, NULL, NULL, NULL)"
    )
    back = SparkConnector(spark, database=database).read_table("raw")
    assert back.dtypes.astype(str).to_dict() == {
        "a": "int8", "b": "Int32", "c": "int64", "d": "float64", "e": "float64",
        "f": "boolean", "g": "object", "h": "datetime64[ns]", "i": "datetime64[ns]",
        "j": "float32",
    }
    first = back.sort_values("a").iloc[0]
    assert first["h"] == pd.Timestamp("2020-01-02")
    assert first["i"] == pd.Timestamp("2020-01-02 03:04:05")
    assert first["e"] == 1.25


def test_save_to_hive_modes_and_injections(spark):
    conn = SparkConnector(spark)
    database = _database()
    customers = pd.DataFrame({"id": np.arange(3), "name": ["a", "b", "c"]})
    before = {d.name for d in spark.catalog.listDatabases()}
    for bad in INJECTIONS:
        with pytest.raises(InvalidIdentifierError):
            conn.save_to_hive({"customers": customers}, bad)
    for bad in [*(i for i in INJECTIONS if i != "db.t"), *QUALIFIED_INJECTIONS]:
        with pytest.raises(InvalidIdentifierError):
            conn.save_to_hive({bad: customers}, database)
        with pytest.raises(InvalidIdentifierError):
            conn.save_to_hive({"customers": customers.rename(columns={"name": bad})}, database)
    assert {d.name for d in spark.catalog.listDatabases()} == before

    conn.save_to_hive({"customers": customers}, database)
    reader = SparkConnector(spark, database=database)
    pd.testing.assert_frame_equal(sorted_by_id(reader.read_table("customers")), customers)
    with pytest.raises(ConnectorError, match="customers"):
        conn.save_to_hive({"customers": customers}, database, mode="error")
    conn.save_to_hive({"customers": customers}, database, mode="append")
    assert len(reader.read_table("customers")) == 6
    conn.save_to_hive({"customers": customers.head(1)}, database, mode="overwrite")
    assert reader.list_tables() == ["customers"]
    pd.testing.assert_frame_equal(reader.read_table("customers"), customers.head(1))


def test_capped_read_keeps_whole_parent_groups_and_joinable_keys(spark):
    database = _database()
    conn = SparkConnector(spark, database=database)
    rng = np.random.default_rng(0)
    parents = pd.DataFrame({"pid": np.arange(50), "size": rng.integers(0, 6, 50)})
    children = pd.DataFrame({"cid": np.arange(parents["size"].sum()),
                             "pid": np.repeat(parents["pid"], parents["size"]).to_numpy()})
    conn.save_to_hive({"parent": parents, "child": children}, database)
    schema = Schema.from_dict({"tables": {
        "parent": {"primary_key": "pid"},
        "child": {"primary_key": "cid",
                  "foreign_keys": [{"column": "pid", "references": "parent.pid"}]}}})
    read = conn.read_tables(["child", "parent"], max_rows=20, schema=schema, random_state=3)
    assert list(read) == ["child", "parent"]
    assert len(read["parent"]) == 20
    assert 0 < len(read["child"]) <= 20
    assert read["child"]["pid"].isin(read["parent"]["pid"]).all()
    kept = read["child"]["pid"].value_counts()
    assert (kept == parents.set_index("pid")["size"].loc[kept.index]).all()
    again = conn.read_tables(["child", "parent"], max_rows=20, schema=schema, random_state=3)
    pd.testing.assert_frame_equal(sorted_by_id_col(again["child"], "cid"),
                                  sorted_by_id_col(read["child"], "cid"))


def sorted_by_id_col(frame, column):
    return frame.sort_values(column).reset_index(drop=True)


def test_delta_through_spark_without_jars(spark, tmp_path):
    assert not delta_on_classpath(spark)
    conn = SparkConnector(spark)
    lake = DeltaConnector(tmp_path)
    df = sample_frame(6)
    lake.write_table("people", df)
    lake.write_table("people", df.head(2), if_exists="replace")
    # plain spark.read.parquet(folder) would return the 8 rows of both versions
    assert spark.read.parquet(str(tmp_path / "people")).count() == 8
    latest = conn.read_delta(tmp_path / "people")
    assert latest.count() == 2
    assert conn.read_delta(tmp_path / "people", version=0).count() == 6

    # a Spark DataFrame is written by the executors and committed with delta-rs
    conn.write_delta(conn.to_spark(df).repartition(3), tmp_path / "spark_people")
    conn.write_delta(conn.to_spark(df.head(1)), tmp_path / "spark_people", mode="append")
    back = lake.read_table("spark_people")
    pd.testing.assert_frame_equal(sorted_by_id(back), sorted_by_id(pd.concat([df, df.head(1)])))
    with pytest.raises(ConnectorError, match="exists"):
        conn.write_delta(df, tmp_path / "spark_people")
    conn.write_delta(df.head(3), tmp_path / "spark_people", mode="overwrite")
    assert conn.read_delta(tmp_path / "spark_people").count() == 3
    with pytest.raises(ConnectorError, match=r"spark\.jars.*delta-spark_2\.13"):
        conn.write_delta(conn.to_spark(df), "s3://bucket/people")


def test_delta_features_that_need_the_jars(spark, tmp_path):
    """A table with deletion vectors is refused without the jars, saying how to add them."""
    import deltalake
    import pyarrow as pa

    deltalake.write_deltalake(str(tmp_path / "dv"), pa.table({"a": [1, 2]}),
                              configuration={"delta.enableDeletionVectors": "true"})
    with pytest.raises(ConnectorError, match=r"deletionVectors.*spark\.jars.*delta-spark_2\.13"
                                             r".*delta-storage.*DeltaSparkSessionExtension"):
        SparkConnector(spark).read_delta(tmp_path / "dv")


def test_database_qualified_table_names(spark):
    """``database.table`` reads and writes in that database, whatever the connector's."""
    database = _database()
    conn = SparkConnector(spark)  # the current database
    customers = pd.DataFrame({"id": np.arange(3), "name": ["a", "b", "c"]})
    conn.save_to_hive({f"{database}.customers": customers}, "default")
    conn.write_table(f"{database}.orders", customers.rename(columns={"name": "note"}))
    inside = SparkConnector(spark, database=database)
    assert inside.list_tables() == ["customers", "orders"]
    pd.testing.assert_frame_equal(sorted_by_id(conn.read_table(f"{database}.customers")),
                                  customers)
    both = conn.read_tables([f"{database}.customers", f"{database}.orders"])
    assert list(both) == [f"{database}.customers", f"{database}.orders"]
    conn.write_table(f"{database}.customers", customers.head(1), if_exists="replace")
    assert len(inside.read_table("customers")) == 1
    with pytest.raises(ConnectorError, match=f"'nosuch' does not exist in database '{database}'"):
        conn.read_table(f"{database}.nosuch")
    for bad in QUALIFIED_INJECTIONS:
        with pytest.raises(InvalidIdentifierError):
            conn.read_table(bad)
        with pytest.raises(InvalidIdentifierError):
            conn.write_table(bad, customers)
    assert inside.list_tables() == ["customers", "orders"]
    spark.sql(f"DROP DATABASE {database} CASCADE")
