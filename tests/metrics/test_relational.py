import numpy as np
import pandas as pd
import pytest

from synthohive.exceptions import DataValidationError
from synthohive.metrics import (
    children_per_parent,
    missing_parent_rate,
    orphan_rate,
    relational_distances,
)
from synthohive.schema import Schema

SCHEMA = Schema.from_dict(
    {
        "tables": {
            "customers": {"primary_key": "id"},
            "orders": {
                "primary_key": "order_id",
                "foreign_keys": [{"column": "customer_id", "references": "customers.id"}],
            },
        }
    }
)


def test_key_metrics_hand_computed():
    assert orphan_rate(pd.Series([1, 2, 3, None]), pd.Series([1, 2])) == pytest.approx(1 / 3)
    assert orphan_rate(pd.Series([None]), pd.Series([1])) == 0.0
    assert missing_parent_rate(pd.Series([1, None, 2, None])) == 0.5
    counts = children_per_parent(pd.Series([1, 1, 3, 9, None]), pd.Series([1, 2, 3]))
    assert counts.tolist() == [2, 0, 1]


def _tables(children, age, amount):
    customers = pd.DataFrame({"id": np.arange(len(children)), "age": age})
    keys = np.repeat(customers["id"].to_numpy(), children)
    orders = pd.DataFrame(
        {"order_id": np.arange(len(keys)), "customer_id": keys, "amount": amount(keys)}
    )
    return {"customers": customers, "orders": orders}


def test_relational_distances():
    children = np.array([0, 1, 2, 3, 2, 1, 0, 3])
    age = np.arange(8, dtype=float)
    real = _tables(children, age, lambda k: k * 10.0)
    same = relational_distances(real, real, SCHEMA)
    row = same.iloc[0]
    assert row.foreign_key == "orders.customer_id -> customers.id"
    assert (row.orphan_rate, row.missing_parent_rate, row.cardinality_ks) == (0.0, 0.0, 0.0)
    assert row.attribute_correlation_delta == 0.0
    assert row.score == 1.0

    synthetic = _tables(np.full(8, 1.5).astype(int), age, lambda k: -k * 10.0)
    synthetic["orders"].loc[0, "customer_id"] = 99  # an orphan
    synthetic["orders"].loc[1, "customer_id"] = None  # a missing parent
    row = relational_distances(real, synthetic, SCHEMA).iloc[0]
    assert row.orphan_rate == pytest.approx(1 / 7)
    assert row.missing_parent_rate == pytest.approx(1 / 8)
    assert row.real_missing_parent_rate == 0.0
    # real counts {0,0,1,1,2,2,3,3}; synthetic {0,0,1,1,1,1,1,1}: KS at 1 -> |0.5 - 1.0|
    assert row.cardinality_ks == 0.5
    assert row.attribute_correlation_delta == pytest.approx(1.0, abs=0.01)
    expected = 1 - np.mean([1 / 7, 1 / 8, 0.5, row.attribute_correlation_delta])
    assert row.score == pytest.approx(expected)


def test_relational_distances_missing_table():
    real = _tables(np.array([1, 2]), np.array([1.0, 2.0]), lambda k: k * 1.0)
    with pytest.raises(DataValidationError, match="orders.customer_id"):
        relational_distances(real, {"customers": real["customers"]}, SCHEMA)
