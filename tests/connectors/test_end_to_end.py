"""TEST-04: database → typed DataFrames → reflected schema → RelationalSynthesizer → database.

Tables with primary keys, foreign keys and typed columns are created by the test itself, read
back with exact dtypes, the schema is reflected, a tiny relational model is fitted from the
connector and its synthetic tables are written to another schema/database, read again and
checked for orphans.
"""

import datetime as dt

import numpy as np
import pytest
import sqlalchemy as sa

from synthohive.connectors import SQLConnector
from synthohive.models.base import ConditionalGenerativeModel
from synthohive.relational import RelationalSynthesizer
from synthohive.schema import Schema
from tests.relational._models import ShuffleCounts


class BootstrapRows(ConditionalGenerativeModel):
    """A tiny generative model: resamples training rows (the context is ignored)."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def _fit(self, X, context):
        self.rows_ = X.reset_index(drop=True)

    def _sample(self, n_samples, context, seed):
        picks = np.random.default_rng(seed).integers(0, len(self.rows_), size=n_samples)
        return self.rows_.iloc[picks].reset_index(drop=True)


DTYPES = {
    "customers": {"customer_id": "int64", "name": "string", "signup": "datetime64[ns]",
                  "vip": "boolean"},
    "orders": {"order_id": "int64", "customer_id": "int64", "amount": "float64",
               "placed": "datetime64[ns]", "quantity": "Int64", "note": "string"},
    "items": {"item_id": "int64", "order_id": "int64", "price": "float64"},
}
FOREIGN_KEYS = [("orders", "customer_id", "customers", "customer_id"),
                ("items", "order_id", "orders", "order_id")]


def create_source(engine, schema):
    metadata = sa.MetaData(schema=schema)
    customers = sa.Table(
        "customers", metadata, sa.Column("customer_id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False), sa.Column("signup", sa.Date),
        sa.Column("vip", sa.Boolean))
    orders = sa.Table(
        "orders", metadata, sa.Column("order_id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey(customers.c.customer_id),
                  nullable=False),
        sa.Column("amount", sa.Numeric(10, 2)), sa.Column("placed", sa.DateTime),
        sa.Column("quantity", sa.Integer), sa.Column("note", sa.Text))
    items = sa.Table(
        "items", metadata, sa.Column("item_id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.Integer, sa.ForeignKey(orders.c.order_id), nullable=False),
        sa.Column("price", sa.Float(53), nullable=False))
    metadata.create_all(engine)
    rng = np.random.default_rng(7)
    n_customers, n_orders, n_items = 12, 30, 60
    with engine.begin() as conn:
        conn.execute(customers.insert(), [
            {"customer_id": i + 1, "name": f"c{i % 5}",
             "signup": None if i % 4 == 0 else dt.date(2020, 1 + i % 9, 10 + i),
             "vip": None if i % 3 == 0 else bool(i % 2)} for i in range(n_customers)])
        conn.execute(orders.insert(), [
            {"order_id": i + 1, "customer_id": int(rng.integers(1, n_customers + 1)),
             "amount": round(float(rng.uniform(1, 500)), 2),
             "placed": dt.datetime(2021, 1 + i % 9, 1 + i % 9, 10 + i % 10, 30),
             "quantity": None if i % 5 == 0 else int(rng.integers(1, 9)),
             "note": None if i % 2 else ["ok", "late", ""][i % 3]} for i in range(n_orders)])
        conn.execute(items.insert(), [
            {"item_id": i + 1, "order_id": int(rng.integers(1, n_orders + 1)),
             "price": float(rng.uniform(0.5, 80))} for i in range(n_items)])


def run_end_to_end(engine, source_schema, target_schema):
    create_source(engine, source_schema)
    source = SQLConnector(engine, schema=source_schema)
    real = source.read_tables(["customers", "orders", "items"])
    for name, expected in DTYPES.items():
        assert real[name].dtypes.astype(str).to_dict() == expected

    schema = Schema.from_database(source)
    assert schema.topological_order() == ["customers", "orders", "items"]
    assert {(fk.child_table, fk.column, fk.parent_table, fk.parent_column)
            for fk in schema.foreign_keys} == set(FOREIGN_KEYS)
    assert {n: schema[n].primary_key for n in DTYPES} == {
        "customers": "customer_id", "orders": "order_id", "items": "item_id"}

    synth = RelationalSynthesizer(schema, model=BootstrapRows(), cardinality=ShuffleCounts(),
                                  random_state=0).fit(source)
    target = SQLConnector(engine, schema=target_schema)
    synth.sample(output=target)

    synthetic = target.read_tables()
    assert set(synthetic) == set(DTYPES)
    for name, expected in DTYPES.items():
        assert len(synthetic[name]) > 0
        assert synthetic[name].dtypes.astype(str).to_dict() == expected
        assert synthetic[name][schema[name].primary_key].is_unique
    for child, column, parent, key in FOREIGN_KEYS:
        orphans = ~synthetic[child][column].isin(synthetic[parent][key])
        assert int(orphans.sum()) == 0
    assert len(source.read_table("orders")) == 30  # the source is untouched


def test_sqlite_end_to_end(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'src.db'}")

    @sa.event.listens_for(engine, "connect")
    def attach(dbapi_connection, record):
        dbapi_connection.execute(f"ATTACH DATABASE '{tmp_path / 'out.db'}' AS synth")

    run_end_to_end(engine, None, "synth")
    engine.dispose()


@pytest.mark.database
def test_postgresql_end_to_end(pg_engine, pg_schemas):
    run_end_to_end(pg_engine, pg_schemas(), pg_schemas())


@pytest.mark.database
def test_mysql_end_to_end(mysql_engine, mysql_schemas):
    run_end_to_end(mysql_engine, mysql_schemas(), mysql_schemas())
