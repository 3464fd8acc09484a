"""SQLConnector against SQLite, PostgreSQL and MariaDB (real services, no mocks)."""

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from synthohive.connectors import SQLConnector
from synthohive.exceptions import ConnectorError, InvalidIdentifierError
from tests.connectors.contract import ConnectorContract, sample_frame, sorted_by_id


class TestSQLiteContract(ConnectorContract):
    qualified_names = True

    @pytest.fixture
    def connector(self, sqlite_url):
        with SQLConnector(sqlite_url) as con:
            yield con


@pytest.mark.database
class TestPostgreSQLContract(ConnectorContract):
    qualified_names = True

    @pytest.fixture
    def connector(self, pg_engine, pg_schema):
        return SQLConnector(pg_engine, schema=pg_schema)


@pytest.mark.database
class TestMySQLContract(ConnectorContract):
    qualified_names = True

    @pytest.fixture
    def connector(self, mysql_engine, mysql_schema):
        return SQLConnector(mysql_engine, schema=mysql_schema)


# -- typed reads of tables created by the database itself ---------------------------------

PG_DDL = """
CREATE TABLE {s}.typed (
    id INTEGER PRIMARY KEY, n_int INTEGER, big BIGINT NOT NULL, small SMALLINT,
    price NUMERIC(10, 2), whole NUMERIC(12, 0), ratio DOUBLE PRECISION, flag BOOLEAN,
    flag_nn BOOLEAN NOT NULL, day DATE, at TIMESTAMP, at_tz TIMESTAMPTZ, code VARCHAR(8),
    note TEXT, uid UUID
)"""
PG_ROWS = """
INSERT INTO {s}.typed VALUES
 (1, 10, 9000000000, 1, 12.34, 123456789012, 0.5, TRUE, FALSE, '2020-02-29',
  '2021-03-04 05:06:07.123456', '2021-03-04 05:06:07+02', 'ab', 'x',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
 (2, NULL, -1, NULL, NULL, NULL, NULL, NULL, TRUE, NULL, NULL, NULL, NULL, '', NULL)"""
MYSQL_DDL = """
CREATE TABLE {s}.typed (
    id INTEGER PRIMARY KEY, n_int INTEGER, big BIGINT NOT NULL, small SMALLINT,
    price DECIMAL(10, 2), whole DECIMAL(12, 0), ratio DOUBLE, flag BOOLEAN,
    flag_nn BOOLEAN NOT NULL, day DATE, at DATETIME(6), code VARCHAR(8), note TEXT,
    kind ENUM('a', 'b')
)"""
MYSQL_ROWS = """
INSERT INTO {s}.typed VALUES
 (1, 10, 9000000000, 1, 12.34, 123456789012, 0.5, TRUE, FALSE, '2020-02-29',
  '2021-03-04 05:06:07.123456', 'ab', 'x', 'b'),
 (2, NULL, -1, NULL, NULL, NULL, NULL, NULL, TRUE, NULL, NULL, NULL, '', NULL)"""
COMMON_DTYPES = {
    "id": "int64", "n_int": "Int64", "big": "int64", "small": "Int64", "price": "float64",
    "whole": "Int64", "ratio": "float64", "flag": "boolean", "flag_nn": "bool",
    "day": "datetime64[ns]", "at": "datetime64[ns]", "code": "string", "note": "string",
}


def check_common_values(df):
    df = df.sort_values("id").reset_index(drop=True)
    assert df["n_int"].iloc[0] == 10
    assert df["n_int"].isna().iloc[1]
    assert df["big"].tolist() == [9000000000, -1]
    assert df["price"].iloc[0] == 12.34
    assert np.isnan(df["price"].iloc[1])
    assert df["whole"].iloc[0] == 123456789012
    assert df["flag"].tolist()[0] is True
    assert df["flag"].isna().iloc[1]
    assert df["flag_nn"].tolist() == [False, True]
    assert df["day"].iloc[0] == pd.Timestamp("2020-02-29")
    assert pd.isna(df["day"].iloc[1])
    assert df["at"].iloc[0] == pd.Timestamp("2021-03-04 05:06:07.123456")
    assert df["note"].tolist() == ["x", ""]
    assert df["code"].isna().tolist() == [False, True]
    return df


@pytest.mark.database
def test_postgresql_types_read_as_documented(pg_engine, pg_schema):
    with pg_engine.begin() as conn:
        conn.exec_driver_sql(PG_DDL.format(s=pg_schema))
        conn.exec_driver_sql(PG_ROWS.format(s=pg_schema))
    df = SQLConnector(pg_engine, schema=pg_schema).read_table("typed")
    expected = {**COMMON_DTYPES, "at_tz": "datetime64[ns, UTC]", "uid": "string"}
    assert df.dtypes.astype(str).to_dict() == expected
    df = check_common_values(df)
    assert df["at_tz"].iloc[0] == pd.Timestamp("2021-03-04 03:06:07", tz="UTC")
    assert df["uid"].iloc[0] == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"


@pytest.mark.database
def test_mysql_types_read_as_documented(mysql_engine, mysql_schema):
    with mysql_engine.begin() as conn:
        conn.exec_driver_sql(MYSQL_DDL.format(s=mysql_schema))
        conn.exec_driver_sql(MYSQL_ROWS.format(s=mysql_schema))
    df = SQLConnector(mysql_engine, schema=mysql_schema).read_table("typed")
    assert df.dtypes.astype(str).to_dict() == {**COMMON_DTYPES, "kind": "string"}
    df = check_common_values(df)
    assert df["kind"].tolist()[0] == "b"


def test_sqlite_reads_declared_types(sqlite_url):
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE t (id INTEGER NOT NULL, n INTEGER, r REAL, b BOOLEAN, d DATE, "
            "ts DATETIME, s VARCHAR(5), m NUMERIC(8, 3))")
        conn.exec_driver_sql(
            "INSERT INTO t VALUES (1, NULL, 1.5, 1, '2020-01-02', '2020-01-02 03:04:05.000006', "
            "'a', 1.25), (2, 7, NULL, NULL, NULL, NULL, NULL, NULL)")
    df = SQLConnector(engine).read_table("t")
    assert df.dtypes.astype(str).to_dict() == {
        "id": "int64", "n": "Int64", "r": "float64", "b": "boolean", "d": "datetime64[ns]",
        "ts": "datetime64[ns]", "s": "string", "m": "float64"}
    assert df["ts"].iloc[0] == pd.Timestamp("2020-01-02 03:04:05.000006")
    assert df["m"].iloc[0] == 1.25
    engine.dispose()


@pytest.mark.database
def test_unsupported_type_names_the_column_and_columns_reads_around_it(pg_engine, pg_schema):
    with pg_engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {pg_schema}.j (id INTEGER NOT NULL, doc JSONB)")
        conn.exec_driver_sql(f"INSERT INTO {pg_schema}.j VALUES (1, '{{\"a\": 1}}')")
    con = SQLConnector(pg_engine, schema=pg_schema)
    with pytest.raises(ConnectorError, match=r"'doc'.*not supported"):
        con.read_table("j")
    assert con.read_table("j", columns=["id"])["id"].tolist() == [1]
    with pytest.raises(ConnectorError, match=r"no column\(s\) \['nope'\]"):
        con.read_table("j", columns=["id", "nope"])


def test_chunked_reads_stream_the_same_rows(sqlite_url):
    con = SQLConnector(sqlite_url, chunksize=4)
    df = sample_frame(11)
    con.write_table("t", df)
    chunks = list(con.iter_table("t"))
    assert [len(c) for c in chunks] == [4, 4, 3]
    assert all((c.dtypes == df.dtypes).all() for c in chunks)
    pd.testing.assert_frame_equal(sorted_by_id(pd.concat(chunks, ignore_index=True)), df)
    con.close()


@pytest.mark.database
def test_postgresql_copy_writes_many_rows_in_batches(pg_engine, pg_schema):
    con = SQLConnector(pg_engine, schema=pg_schema, chunksize=1000)
    df = sample_frame(2500)
    con.write_table("many", df)
    pd.testing.assert_frame_equal(sorted_by_id(con.read_table("many")), df)


# -- failures roll back --------------------------------------------------------------------

def _tables(engine, schema):
    return sorted(sa.inspect(engine).get_table_names(schema=schema))


def _failing_append(con, engine, schema, qualified):
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {qualified} (id BIGINT PRIMARY KEY, v TEXT)")
        conn.exec_driver_sql(f"INSERT INTO {qualified} VALUES (1, 'old')")
    rows = pd.DataFrame({"id": [2, 3, 1], "v": ["a", "b", "dup"]})
    with pytest.raises(ConnectorError, match="write table 'keep'"):
        con.write_table("keep", rows, if_exists="append")
    assert con.read_table("keep")["v"].tolist() == ["old"]


def test_sqlite_failed_append_is_rolled_back(sqlite_url):
    engine = sa.create_engine(sqlite_url)
    _failing_append(SQLConnector(engine), engine, None, "keep")
    engine.dispose()


@pytest.mark.database
def test_postgresql_failed_append_and_replace_are_rolled_back(pg_engine, pg_schema):
    con = SQLConnector(pg_engine, schema=pg_schema)
    _failing_append(con, pg_engine, pg_schema, f"{pg_schema}.keep")
    bad = pd.DataFrame({"id": [5, 6], "v": pd.array(["fine", "nul\x00byte"], dtype="string")})
    with pytest.raises(ConnectorError, match="write table 'keep'"):
        con.write_table("keep", bad, if_exists="replace")
    assert con.read_table("keep")["v"].tolist() == ["old"]
    assert _tables(pg_engine, pg_schema) == ["keep"]


@pytest.mark.database
def test_mysql_failed_append_and_replace_leave_no_temporary_table(mysql_engine, mysql_schema):
    con = SQLConnector(mysql_engine, schema=mysql_schema, chunksize=2)
    _failing_append(con, mysql_engine, mysql_schema, f"{mysql_schema}.keep")
    bad = pd.DataFrame({"id": [5, 6, 7], "v": [0.5, 1.5, np.inf]})
    with pytest.raises(ConnectorError, match="write table 'keep'"):
        con.write_table("keep", bad, if_exists="replace")
    assert con.read_table("keep")["v"].tolist() == ["old"]
    assert _tables(mysql_engine, mysql_schema) == ["keep"]


def test_sqlite_failed_replace_keeps_the_old_table(sqlite_url):
    con = SQLConnector(sqlite_url, chunksize=2)
    con.write_table("t", pd.DataFrame({"id": [1]}))
    bad = pd.DataFrame({"id": np.array([1, 2, 2**63 + 5], dtype="uint64")})
    with pytest.raises(ConnectorError, match="write table 't'"):
        con.write_table("t", bad, if_exists="replace")
    assert con.read_table("t")["id"].tolist() == [1]
    assert con.list_tables() == ["t"]
    assert _tables(con.engine, None) == ["t"]
    con.close()


def test_frames_without_columns_and_bad_options_are_refused(sqlite_url):
    con = SQLConnector(sqlite_url)
    with pytest.raises(ConnectorError, match="without columns"):
        con.write_table("t", pd.DataFrame(index=[0, 1]))
    with pytest.raises(ConnectorError, match="chunksize"):
        SQLConnector(sqlite_url, chunksize=0)
    con.write_table("u", pd.DataFrame({"a": [1]}))
    with pytest.raises(ConnectorError, match="append"):
        con.write_table("u", pd.DataFrame({"b": [1]}), if_exists="append")
    con.close()


QUALIFIED_INJECTIONS = ["{s}.users; DROP TABLE users", "{s}.", ".users", "x.{s}.users",
                        '{s}."users"', "{s} .users", "{s}.users --", "{s}.`users`"]


def _qualified_names_round_trip(con, engine, schema):
    """``schema.table`` reads and writes (fail, append, replace) in ``schema``; bad parts raise."""
    frame = pd.DataFrame({"id": [1, 2], "name": ["a", None]})
    name = f"{schema}.users"
    con.write_table(name, frame)
    assert "users" in sa.inspect(engine).get_table_names(schema=schema)
    back = con.read_table(name)
    assert back["id"].tolist() == [1, 2]
    assert back["name"].isna().tolist() == [False, True]
    with pytest.raises(ConnectorError, match="already exists"):
        con.write_table(name, frame)
    con.write_table(name, frame.assign(id=[3, 4]), if_exists="append")
    assert sorted(con.read_table(name, columns=["id"])["id"]) == [1, 2, 3, 4]
    con.write_table(name, frame, if_exists="replace")
    assert pd.concat(list(con.iter_table(name)))["id"].tolist() == [1, 2]
    with pytest.raises(ConnectorError, match="does not exist"):
        con.read_table(f"{schema}.nosuch")
    for bad in QUALIFIED_INJECTIONS:
        bad = bad.format(s=schema)
        with pytest.raises(InvalidIdentifierError):
            con.read_table(bad)
        with pytest.raises(InvalidIdentifierError):
            con.write_table(bad, frame)
    assert sa.inspect(engine).get_table_names(schema=schema) == ["users"]


def test_sqlite_schema_qualified_names(sqlite_url):
    engine = sa.create_engine(sqlite_url)
    with SQLConnector(engine) as con:
        _qualified_names_round_trip(con, engine, "main")
        assert con.read_table("users")["id"].tolist() == [1, 2]
    engine.dispose()


@pytest.mark.database
def test_postgresql_schema_qualified_names(pg_engine, pg_schema):
    con = SQLConnector(pg_engine)  # the default schema is "public"
    _qualified_names_round_trip(con, pg_engine, pg_schema)
    assert "users" not in sa.inspect(pg_engine).get_table_names()
    assert len(SQLConnector(pg_engine, schema=pg_schema).read_table("users")) == 2


@pytest.mark.database
def test_mysql_database_qualified_names(mysql_engine, mysql_schema):
    con = SQLConnector(mysql_engine)  # the URL's database is "test"
    _qualified_names_round_trip(con, mysql_engine, mysql_schema)
    assert "users" not in sa.inspect(mysql_engine).get_table_names()
    assert len(SQLConnector(mysql_engine, schema=mysql_schema).read_table("users")) == 2


def _write_two_where_the_second_exists(connector):
    connector.write_table("second", pd.DataFrame({"stale": [1]}))
    with pytest.raises(ConnectorError, match="'second' already exists") as info:
        connector.write_tables({"first": pd.DataFrame({"a": [1, 2]}),
                                "second": pd.DataFrame({"b": [3]})})
    return info.value


def test_postgresql_multi_table_write_is_all_or_nothing(pg_engine, pg_schema):
    connector = SQLConnector(pg_engine, schema=pg_schema)
    _write_two_where_the_second_exists(connector)
    assert connector.list_tables() == ["second"]  # "first" rolled back with the failure


def test_mysql_multi_table_write_names_what_was_written(mysql_engine, mysql_schema):
    connector = SQLConnector(mysql_engine, schema=mysql_schema)
    error = _write_two_where_the_second_exists(connector)
    assert sorted(connector.list_tables()) == ["first", "second"]  # DDL commits at once
    assert any("['first'] were written before the failure" in note for note in error.__notes__)
