import json

import numpy as np
import pandas as pd
import pytest

from synthohive.datasets import dataset_path
from synthohive.schema import Schema

_DTYPES = {"int": "int64", "float": "float64", "string": "object"}


def read_dataset(name):
    """Read the shipped dataset ``<name>`` with the dtypes of its dtypes.json."""
    folder = dataset_path(name)
    schema = Schema.from_json(folder / "schema.json")
    dtypes = json.loads((folder / "dtypes.json").read_text())
    tables = {}
    for table in schema.table_names:
        types = dtypes[table]
        frame = pd.read_csv(folder / f"{table}.csv", dtype={c: str for c, t in types.items()
                                                           if t == "string"},
                            keep_default_na=True)
        for column, kind in types.items():
            if kind in ("date", "datetime"):
                frame[column] = pd.to_datetime(frame[column])
            elif kind == "int" and frame[column].isna().any():
                frame[column] = frame[column].astype("Int64")
            else:
                frame[column] = frame[column].astype(_DTYPES[kind])
        tables[table] = frame
    return schema, tables


def subset(schema, tables, n_rows):
    """First rows of every table, keeping only rows whose foreign keys still join."""
    out = {}
    for name in schema.topological_order():
        frame = tables[name]
        keep = np.ones(len(frame), dtype=bool)
        for fk in schema[name].foreign_keys:
            values = frame[fk.column]
            keep &= (values.isna() | values.isin(out[fk.parent_table][fk.parent_column])).to_numpy()
        out[name] = frame[keep].head(n_rows).reset_index(drop=True)
    return out


@pytest.fixture(scope="session")
def chain():
    return make_chain()


@pytest.fixture(scope="session")
def star():
    return make_star()


def make_chain():
    """customers -> orders -> items, with childless customers and attribute links."""
    rng = np.random.default_rng(0)
    n = 300
    segment = rng.choice(["retail", "pro"], size=n, p=[0.7, 0.3])
    customers = pd.DataFrame({
        "customer_id": np.arange(1, n + 1),
        "segment": segment,
        "age": rng.integers(18, 80, size=n),
    })
    n_orders = rng.poisson(np.where(segment == "pro", 4.0, 1.0))
    owner = np.repeat(customers["customer_id"].to_numpy(), n_orders)
    pro = np.repeat(segment == "pro", n_orders)
    orders = pd.DataFrame({
        "order_id": np.arange(101, 101 + len(owner)),
        "customer_id": owner,
        "amount": np.round(np.where(pro, 500.0, 50.0) * rng.lognormal(0, 0.2, len(owner)), 2),
        "placed": pd.to_datetime("2024-01-01")
        + pd.to_timedelta(rng.integers(0, 365, len(owner)), unit="D"),
    })
    n_items = rng.integers(0, 4, size=len(orders))
    items = pd.DataFrame({
        "item_id": [f"it{i}" for i in range(int(n_items.sum()))],
        "order_id": np.repeat(orders["order_id"].to_numpy(), n_items),
        "qty": rng.integers(1, 5, size=int(n_items.sum())),
    })
    schema = Schema.from_dict({"tables": {
        "customers": {"primary_key": "customer_id"},
        "orders": {"primary_key": "order_id", "foreign_keys": [
            {"column": "customer_id", "references": "customers.customer_id"}]},
        "items": {"primary_key": "item_id", "foreign_keys": [
            {"column": "order_id", "references": "orders.order_id"}]},
    }})
    return schema, {"customers": customers, "orders": orders, "items": items}


def make_star():
    """stores, products -> sales (two parents, product_id nullable) -> returns."""
    rng = np.random.default_rng(1)
    n_stores, n_products = 400, 300
    stores = pd.DataFrame({
        "store_id": np.arange(1, n_stores + 1),
        "size": rng.choice(["small", "large"], size=n_stores, p=[0.6, 0.4]),
        "opened": rng.integers(1990, 2020, size=n_stores),
    })
    products = pd.DataFrame({
        "product_id": [f"P{i:04d}" for i in range(n_products)],
        "price": np.round(rng.lognormal(3, 0.8, size=n_products), 2),
        "note": [f"free text {i}" for i in range(n_products)],
    })
    per_store = rng.poisson(np.where(stores["size"] == "large", 12.0, 3.0))
    per_store[rng.random(n_stores) < 0.15] = 0
    store_of = np.repeat(stores["store_id"].to_numpy(), per_store)
    large = np.repeat((stores["size"] == "large").to_numpy(), per_store)
    n_sales = len(store_of)
    popularity = rng.pareto(1.5, size=n_products)
    popularity[: n_products // 5] = 0.0
    product_pos = rng.choice(n_products, size=n_sales, p=popularity / popularity.sum())
    product_id = products["product_id"].to_numpy()[product_pos].astype(object)
    product_id[rng.random(n_sales) < 0.1] = None
    sales = pd.DataFrame({
        "sale_id": np.arange(1, n_sales + 1),
        "store_id": store_of,
        "product_id": product_id,
        "qty": np.where(large, rng.integers(10, 20, n_sales), rng.integers(1, 5, n_sales)),
        "paid": np.round(products["price"].to_numpy()[product_pos]
                         * rng.uniform(0.9, 1.1, n_sales), 2),
    })
    returned = rng.random(n_sales) < 0.2
    returns = pd.DataFrame({
        "return_id": np.arange(1, int(returned.sum()) + 1),
        "sale_id": sales["sale_id"].to_numpy()[returned],
        "reason": rng.choice(["broken", "late", "other"], size=int(returned.sum())),
    })
    schema = Schema.from_dict({"tables": {
        "stores": {"primary_key": "store_id"},
        "products": {"primary_key": "product_id", "columns": {"note": {"role": "drop"}}},
        "sales": {"primary_key": "sale_id", "foreign_keys": [
            {"column": "store_id", "references": "stores.store_id"},
            {"column": "product_id", "references": "products.product_id"}]},
        "returns": {"primary_key": "return_id", "foreign_keys": [
            {"column": "sale_id", "references": "sales.sale_id"}]},
    }})
    tables = {"stores": stores, "products": products, "sales": sales, "returns": returns}
    return schema, tables
