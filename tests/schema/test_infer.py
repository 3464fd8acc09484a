import logging

import pandas as pd
import pytest

from synthohive.datasets import dataset_path, read_dataset_dir
from synthohive.exceptions import DataValidationError
from synthohive.schema import Schema


def fk_set(schema):
    return {(fk.child_table, fk.column, fk.parent_table, fk.parent_column)
            for fk in schema.foreign_keys}


# Declared schema.json foreign keys that name-based inference cannot see:
# chinook customer.support_rep_id -> employee, northwind orders.ship_via -> shippers.
@pytest.mark.parametrize(("name", "n_declared", "n_found"), [
    ("chinook", 10, 9), ("northwind", 10, 9), ("sakila", 20, 20)])
def test_infer_on_real_datasets(name, n_declared, n_found, caplog):
    tables, declared = read_dataset_dir(dataset_path(name), validate=False)
    with caplog.at_level(logging.INFO, logger="synthohive"):
        inferred = Schema.infer(tables)
    assert {t: inferred[t].primary_key for t in tables} == {
        t: declared[t].primary_key for t in tables}
    assert len(fk_set(declared)) == n_declared
    assert len(fk_set(inferred)) == n_found
    assert fk_set(inferred) <= fk_set(declared)
    guesses = [r for r in caplog.records if "guessed" in r.getMessage()]
    assert len(guesses) == len(tables) + n_found + 1
    assert "review schema.to_dict()" in caplog.text
    inferred.validate(tables)


def test_id_columns_self_references_and_cycles():
    tables = {
        "customers": pd.DataFrame({"id": [1, 2, 3], "referrer_id": [None, 1, 1],
                                   "customers_id": [1, 2, 3]}),
        "orders": pd.DataFrame({"order_id": [5, 6, 7], "customer_id": [1, 1, 2],
                                "invoice_id": ["a", "b", "c"]}),
        "invoices": pd.DataFrame({"invoice_id": ["a", "b", "c"], "order_id": [5, 6, 7]}),
        "notes": pd.DataFrame({"text": ["x", "x"]}),
    }
    schema = Schema.infer(tables)
    assert schema["customers"].primary_key == "id"
    assert schema["notes"].primary_key is None
    assert fk_set(schema) == {("orders", "customer_id", "customers", "id"),
                              ("orders", "invoice_id", "invoices", "invoice_id")}
    schema.check_structure()


def test_containment_threshold_and_kinds():
    tables = {
        "shops": pd.DataFrame({"shop_id": list(range(100))}),
        "sales": pd.DataFrame({"sale_id": list(range(100)), "shop_id": [*range(99), 500]}),
        "visits": pd.DataFrame({"visit_id": [1, 2], "shop_id": ["0", "1"]}),
    }
    assert Schema.infer(tables).foreign_keys == []
    lenient = Schema.infer(tables, min_containment=0.95)
    assert fk_set(lenient) == {("sales", "shop_id", "shops", "shop_id")}


def test_non_unique_or_null_columns_are_not_primary_keys():
    tables = {"a": pd.DataFrame({"a_id": [1, 1], "other_id": [None, 2], 0: [1, 2]}),
              "b": pd.DataFrame({"id": [1.5, 2.0]})}
    schema = Schema.infer(tables)
    assert schema["a"].primary_key is None
    assert schema["b"].primary_key is None


@pytest.mark.parametrize(("tables", "kwargs"), [
    ({}, {}), ([pd.DataFrame()], {}), ({"a": pd.DataFrame({"id": [1]})}, {"min_containment": 0}),
])
def test_bad_input(tables, kwargs):
    with pytest.raises(DataValidationError):
        Schema.infer(tables, **kwargs)
