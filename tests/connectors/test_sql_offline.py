"""Snowflake and BigQuery through the same code path, offline: URL, dialect, SQL, types."""

import datetime as dt
import subprocess
import sys
from decimal import Decimal

import numpy as np
import pytest
import sqlalchemy as sa

from synthohive.connectors import SQLConnector
from synthohive.connectors._frames import check_frame
from synthohive.connectors._sql import rename_statement
from synthohive.connectors._types import pandas_dtype, to_pandas
from synthohive.exceptions import ConnectorError
from tests.connectors.contract import sample_frame


def people_table(con):
    df = sample_frame().rename(columns={"c_string": "Order"})
    return con._new_table("people", df, check_frame("people", df))


def compiled(statement, dialect):
    return str(statement.compile(dialect=dialect))


def test_snowflake_url_dialect_and_compiled_sql():
    con = SQLConnector("snowflake://analyst:pw-123@my_account/sales_db/public", schema="synth")
    assert "pw-123" not in repr(con)
    assert con.url.database == "sales_db/public"
    dialect = con.engine.dialect
    assert dialect.name == "snowflake"
    table = people_table(con)
    ddl = compiled(sa.schema.CreateTable(table), dialect)
    for fragment in ["CREATE TABLE synth.people", "id BIGINT NOT NULL", "c_nint BIGINT,",
                     "c_bool BOOLEAN NOT NULL", '"Order" TEXT', "c_ts datetime"]:
        assert fragment in ddl
    assert '"Order"' in compiled(sa.select(*table.c), dialect)
    assert "VALUES (%(id)s, %(c_int64)s" in compiled(sa.insert(table), dialect)
    assert rename_statement(dialect, table, "done") == \
        "ALTER TABLE synth.people RENAME TO synth.done"
    con.close()


def test_bigquery_dialect_and_compiled_sql():
    con = SQLConnector("bigquery://my-project/analytics", schema="analytics")
    dialect = sa.make_url("bigquery://my-project/analytics").get_dialect()()
    assert dialect.name == "bigquery"
    table = people_table(con)
    ddl = compiled(sa.schema.CreateTable(table), dialect)
    for fragment in ["`analytics`.`people`", "`id` INT64 NOT NULL", "`c_float64` FLOAT64",
                     "`c_nbool` BOOL", "`Order` STRING", "`c_ts` DATETIME"]:
        assert fragment in ddl
    assert "VALUES (:id, :c_int64" in compiled(sa.insert(table), dialect)
    assert rename_statement(dialect, table, "done") == \
        "ALTER TABLE `analytics`.`people` RENAME TO `done`"


def test_bigquery_without_credentials_is_a_connector_error():
    con = SQLConnector("bigquery://my-project/analytics")
    with pytest.raises(ConnectorError, match="Cannot create an engine for bigquery"):
        con.list_tables()


def _types(dialect_name):
    """The name -> type table each dialect's reflection uses."""
    if dialect_name == "bigquery":
        from sqlalchemy_bigquery._types import _type_map

        return _type_map
    return sa.make_url(f"{dialect_name}://x/y").get_dialect()().ischema_names


@pytest.mark.parametrize(("name", "args", "nullable", "expected"), [
    ("NUMBER", (38, 0), True, "Int64"),
    ("NUMBER", (10, 2), False, "float64"),
    ("FLOAT", (), True, "float64"),
    ("BOOLEAN", (), False, "bool"),
    ("VARCHAR", (), True, "string"),
    ("DATE", (), True, "datetime64[ns]"),
    ("TIMESTAMP_NTZ", (), True, "datetime64[ns]"),
    ("TIMESTAMP_TZ", (), True, "datetime64[ns, UTC]"),
    ("TIMESTAMP_LTZ", (), True, "datetime64[ns, UTC]"),
])
def test_snowflake_type_table(name, args, nullable, expected):
    sql = _types("snowflake")[name](*args)
    assert pandas_dtype("t", "c", sql, nullable) == expected


@pytest.mark.parametrize(("name", "nullable", "expected"), [
    ("INT64", True, "Int64"), ("INT64", False, "int64"), ("FLOAT64", True, "float64"),
    ("NUMERIC", True, "float64"), ("BIGNUMERIC", True, "float64"), ("BOOL", True, "boolean"),
    ("STRING", True, "string"), ("DATE", True, "datetime64[ns]"),
    ("DATETIME", True, "datetime64[ns]"), ("TIMESTAMP", True, "datetime64[ns]"),
])
def test_bigquery_type_table(name, nullable, expected):
    assert pandas_dtype("t", "c", _types("bigquery")[name](), nullable) == expected


@pytest.mark.parametrize(("dialect", "name"), [
    ("snowflake", "VARIANT"), ("snowflake", "GEOGRAPHY"), ("bigquery", "BYTES"),
    ("bigquery", "TIME"),
])
def test_unsupported_warehouse_types(dialect, name):
    with pytest.raises(ConnectorError, match=r"Table 't', column 'c'.*not supported"):
        pandas_dtype("t", "c", _types(dialect)[name](), True)


def test_driver_values_convert_by_the_table():
    decimals = np.array([Decimal("12.50"), None], dtype=object)
    assert to_pandas("t", "c", decimals, "float64").tolist()[0] == 12.5
    whole = to_pandas("t", "c", np.array([Decimal("7"), None], dtype=object), "Int64")
    assert str(whole.dtype) == "Int64"
    aware = np.array([dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))],
                     dtype=object)
    naive = to_pandas("t", "c", aware, "datetime64[ns]")
    assert str(naive[0]) == "2024-01-01 10:00:00"
    with pytest.raises(ConnectorError, match=r"column 'c'.*Int64"):
        to_pandas("t", "c", np.array([2**70], dtype=object), "Int64")


def test_importing_the_package_loads_no_driver():
    code = (
        "import sys, synthohive, synthohive.connectors\n"
        "from synthohive.connectors import SQLConnector, CSVConnector, ParquetConnector\n"
        "SQLConnector('postgresql+psycopg2://u:p@h/db', schema='s')\n"
        "heavy = ['psycopg2', 'pymysql', 'snowflake', 'sqlalchemy_bigquery', 'google.cloud',"
        " 'pyspark', 'deltalake', 'delta']\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
