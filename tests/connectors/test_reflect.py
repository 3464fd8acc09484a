"""Schema.from_database: primary and foreign keys reflected with SQLAlchemy's inspector."""

import pytest
import sqlalchemy as sa

from synthohive.connectors import SQLConnector
from synthohive.exceptions import ConnectorError, InvalidIdentifierError, SchemaValidationError
from synthohive.schema import Schema

EXPECTED = {
    "customers": {"primary_key": "customer_id", "foreign_keys": []},
    "orders": {"primary_key": "order_id", "foreign_keys": [
        {"column": "customer_id", "references": "customers.customer_id"}]},
    "items": {"primary_key": "item_id", "foreign_keys": [
        {"column": "order_id", "references": "orders.order_id"},
        {"column": "customer_id", "references": "customers.customer_id"}]},
}


def create_shop(engine, schema=None):
    metadata = sa.MetaData(schema=schema)
    prefix = f"{schema}." if schema else ""
    sa.Table("customers", metadata, sa.Column("customer_id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(50)))
    sa.Table("orders", metadata, sa.Column("order_id", sa.Integer, primary_key=True),
             sa.Column("customer_id", sa.Integer, sa.ForeignKey(f"{prefix}customers.customer_id")))
    sa.Table("items", metadata, sa.Column("item_id", sa.Integer, primary_key=True),
             sa.Column("order_id", sa.Integer, sa.ForeignKey(f"{prefix}orders.order_id")),
             sa.Column("customer_id", sa.Integer, sa.ForeignKey(f"{prefix}customers.customer_id")))
    sa.Table("pairs", metadata, sa.Column("a", sa.Integer, primary_key=True),
             sa.Column("b", sa.Integer, primary_key=True))
    metadata.create_all(engine)


def assert_shop(schema):
    assert schema.to_dict()["tables"] == EXPECTED
    assert schema.topological_order() == ["customers", "orders", "items"]


def test_sqlite_reflection_from_url_engine_and_connector(sqlite_url):
    engine = sa.create_engine(sqlite_url)
    create_shop(engine)
    tables = ["customers", "orders", "items"]
    assert_shop(Schema.from_database(sqlite_url, tables=tables))
    assert_shop(Schema.from_database(engine, tables=tables))
    with engine.connect() as conn:
        assert_shop(Schema.from_database(conn, tables=tables))
    with SQLConnector(engine) as con:
        assert_shop(Schema.from_database(con, tables=tables))
    engine.dispose()


def test_foreign_keys_to_tables_left_out_are_skipped(sqlite_url):
    engine = sa.create_engine(sqlite_url)
    create_shop(engine)
    schema = Schema.from_database(engine, tables=["orders", "items"])
    assert schema.to_dict()["tables"]["items"]["foreign_keys"] == [
        {"column": "order_id", "references": "orders.order_id"}]
    engine.dispose()


def test_composite_keys_and_missing_tables_are_reported(sqlite_url):
    engine = sa.create_engine(sqlite_url)
    create_shop(engine)
    with pytest.raises(SchemaValidationError, match="composite primary key"):
        Schema.from_database(engine)
    with pytest.raises(ConnectorError, match=r"\['nope'\].*available tables"):
        Schema.from_database(engine, tables=["customers", "nope"])
    with pytest.raises(InvalidIdentifierError):
        Schema.from_database(engine, tables=["customers; DROP TABLE orders"])
    with pytest.raises(InvalidIdentifierError):
        Schema.from_database(engine, schema="main; --")
    engine.dispose()


@pytest.mark.database
def test_postgresql_reflection(pg_engine, pg_schema):
    create_shop(pg_engine, pg_schema)
    con = SQLConnector(pg_engine, schema=pg_schema)
    assert_shop(Schema.from_database(con, tables=["customers", "orders", "items"]))


@pytest.mark.database
def test_mysql_reflection(mysql_engine, mysql_schema):
    create_shop(mysql_engine, mysql_schema)
    assert_shop(Schema.from_database(mysql_engine, schema=mysql_schema,
                                     tables=["customers", "orders", "items"]))
