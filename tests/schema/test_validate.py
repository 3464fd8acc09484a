import logging

import numpy as np
import pandas as pd
import pytest

from synthohive.datasets import dataset_path, read_dataset_dir
from synthohive.exceptions import DataValidationError, SchemaValidationError
from synthohive.schema import ForeignKey, Schema, TableSpec

SCHEMA = Schema.from_dict({"tables": {
    "customers": {"primary_key": "customer_id"},
    "orders": {"primary_key": "order_id", "foreign_keys": [
        {"column": "customer_id", "references": "customers.customer_id"}]},
    "items": {"primary_key": "item_id", "foreign_keys": [
        {"column": "order_id", "references": "orders.order_id"}]},
}})


def make_tables():
    return {
        "customers": pd.DataFrame({"customer_id": [1, 2, 3], "name": ["a", "b", "c"]}),
        "orders": pd.DataFrame({"order_id": [10, 11, 12, 13],
                                "customer_id": pd.array([1, 1, 3, None], dtype="Int64")}),
        "items": pd.DataFrame({"item_id": ["i1", "i2", "i3"], "order_id": [10, 12, 13]}),
    }


def problems_of(schema, tables, **kwargs):
    with pytest.raises(SchemaValidationError) as info:
        schema.validate(tables, **kwargs)
    return info.value.problems


def test_valid_tables_pass_and_nullable_foreign_keys_are_not_orphans():
    tables = make_tables()
    out = SCHEMA.validate(tables)
    assert list(out) == SCHEMA.table_names
    assert all(out[name] is tables[name] for name in tables)


def test_every_problem_is_listed_in_one_error():
    tables = make_tables()
    tables["customers"] = pd.DataFrame({"customer_id": [1, 1, None], "name": ["a", "b", "c"]})
    tables["orders"] = pd.DataFrame({"order_id": [10, 11], "customer_id": ["1", "2"]})
    tables["items"] = pd.DataFrame({"item_id": ["i1", "i2"], "order_id": [10, 99]})
    tables["extra"] = pd.DataFrame({"x": [1]})
    problems = problems_of(SCHEMA, tables)
    text = "\n".join(problems)
    assert len(problems) == 5
    assert "'customer_id' has 1 null value(s)" in text
    assert "'customer_id' has 1 duplicated value(s) (e.g. 1.0)" in text
    assert "orders.customer_id -> customers.customer_id: the column holds string" in text
    assert "1 row(s) of 'items' hold 1 value(s) missing from orders.order_id (e.g. 99)" in text
    assert "table 'extra' is not in the schema" in text


def test_message_lists_every_problem():
    tables = make_tables()
    del tables["items"]
    tables["orders"] = tables["orders"].drop(columns="customer_id")
    with pytest.raises(SchemaValidationError) as info:
        SCHEMA.validate(tables)
    message = str(info.value)
    assert "2 problem(s)" in message
    assert "table 'items' is in the schema but missing" in message
    assert "table 'orders': column 'customer_id' is declared in the schema but missing" in message


@pytest.mark.parametrize(("table", "frame", "expected"), [
    ("customers", pd.DataFrame({"customer_id": [1, 2, 2]}), "duplicated value(s) (e.g. 2)"),
    ("customers", pd.DataFrame({"customer_id": ["a", None, "b"]}), "1 null value(s)"),
    ("orders", pd.DataFrame({"order_id": [10], "customer_id": [pd.Timestamp("2024-01-01")]}),
     "holds datetime values"),
    ("orders", pd.DataFrame({"order_id": [10, 11], "customer_id": [1, 7]}),
     "1 row(s) of 'orders' hold 1 value(s) missing from customers.customer_id (e.g. 7)"),
    ("items", pd.DataFrame({"item_id": ["i1"]}), "column 'order_id' is declared"),
])
def test_each_problem_kind(table, frame, expected):
    tables = make_tables()
    tables[table] = frame
    problems = problems_of(SCHEMA, tables)
    assert any(expected in p for p in problems), problems


def test_int_and_float_keys_are_compatible():
    tables = make_tables()
    tables["orders"] = tables["orders"].astype({"customer_id": "float64"})
    SCHEMA.validate(tables)


def test_declared_column_settings_must_exist():
    schema = Schema.from_dict({"tables": {"t": {
        "primary_key": "id", "columns": {"note": {"role": "drop"}},
        "constraints": {"amount": {"min": 0}}}}})
    problems = problems_of(schema, {"t": pd.DataFrame({"id": [1]})})
    assert len(problems) == 2
    assert all("declared in the schema but missing" in p for p in problems)


def test_drop_orphans_cascades_and_logs_counts(caplog):
    tables = make_tables()
    tables["orders"] = pd.DataFrame({"order_id": [10, 11, 12, 13, 14],
                                     "customer_id": pd.array([1, 7, 7, None, 8], dtype="Int64")})
    tables["items"] = pd.DataFrame({"item_id": ["i1", "i2", "i3", "i4", "i5"],
                                    "order_id": [10, 11, 11, 12, 13]})
    with caplog.at_level(logging.WARNING, logger="synthohive"):
        out = SCHEMA.validate(tables, on_orphans="drop")
    assert out["customers"] is tables["customers"]
    assert out["orders"]["order_id"].tolist() == [10, 13]
    assert out["items"]["item_id"].tolist() == ["i1", "i5"]
    assert out["items"].index.equals(pd.RangeIndex(2))
    assert "Table 'orders': 3 of 5 row(s) dropped as orphans" in caplog.text
    assert "Table 'items': 3 of 5 row(s) dropped as orphans" in caplog.text
    assert len(tables["orders"]) == 5
    SCHEMA.validate(out)


def test_drop_orphans_still_raises_other_problems():
    tables = make_tables()
    tables["customers"] = pd.DataFrame({"customer_id": [1, 1, 3]})
    tables["orders"] = pd.DataFrame({"order_id": [10], "customer_id": [9]})
    problems = problems_of(SCHEMA, tables, on_orphans="drop")
    assert len(problems) == 1
    assert "duplicated" in problems[0]


def test_bad_arguments():
    with pytest.raises(DataValidationError, match="on_orphans"):
        SCHEMA.validate(make_tables(), on_orphans="ignore")
    with pytest.raises(DataValidationError, match="dict"):
        SCHEMA.validate([pd.DataFrame()])


@pytest.mark.parametrize(("spec", "expected"), [
    ({"t": {"primary_key": "id", "foreign_keys": [{"column": "boss", "references": "t.id"}]}},
     "self-reference, which is not supported yet"),
    ({"a": {"primary_key": "id", "foreign_keys": [{"column": "b_id", "references": "b.id"}]},
      "b": {"primary_key": "id", "foreign_keys": [{"column": "a_id", "references": "a.id"}]}},
     "the foreign keys form a cycle, which is not supported yet, between tables ['a', 'b']"),
    ({"a": {"primary_key": "id"},
      "b": {"primary_key": "id", "foreign_keys": [{"column": "a_code",
                                                   "references": "a.code"}]}},
     "which is not the primary key of 'a'"),
    ({"b": {"primary_key": "id", "foreign_keys": [{"column": "z_id", "references": "z.id"}]}},
     "references table 'z', which is not in the schema"),
    ({"a": {}, "b": {"primary_key": "id", "foreign_keys": [{"column": "a_id",
                                                            "references": "a.id"}]}},
     "which has no primary key"),
])
def test_unsupported_structures_are_explained(spec, expected):
    schema = Schema.from_dict({"tables": spec})
    with pytest.raises(SchemaValidationError) as info:
        schema.check_structure()
    assert any(expected in p for p in info.value.problems), info.value.problems
    tables = {name: pd.DataFrame({"id": [1], "boss": [1], "a_id": [1], "b_id": [1],
                                  "a_code": [1], "z_id": [1]}) for name in spec}
    assert any(expected in p for p in problems_of(schema, tables))


def test_composite_keys_are_explained():
    schema = Schema([TableSpec("a", ("x", "y")),
                     TableSpec("b", "id", (ForeignKey("b", ("x", "y"), "a", ("x", "y")),))])
    with pytest.raises(SchemaValidationError) as info:
        schema.check_structure()
    text = "\n".join(info.value.problems)
    assert "composite primary key ['x', 'y'] is not supported yet" in text
    assert "composite foreign keys are not supported yet" in text
    with pytest.raises(SchemaValidationError, match="composite primary key"):
        Schema.from_dict({"tables": {"a": {"primary_key": ["x", "y"]}}})


def test_supported_schema_passes_structure_check():
    assert SCHEMA.check_structure() is None


@pytest.mark.parametrize("name", ["chinook", "northwind", "sakila"])
def test_real_datasets_validate_without_orphans(name):
    tables, schema = read_dataset_dir(dataset_path(name), validate=False)
    out = schema.validate(tables, on_orphans="drop")
    assert all(out[t] is tables[t] for t in tables)
    if name == "sakila":
        assert int(tables["payment"]["rental_id"].isna().sum()) == 5


def test_orphans_found_in_a_real_dataset():
    tables, schema = read_dataset_dir(dataset_path("chinook"), validate=False)
    tables["track"] = tables["track"][tables["track"]["album_id"] != 1]
    problems = problems_of(schema, tables)
    assert len(problems) == 2
    assert any("invoice_line.track_id -> track.track_id" in p for p in problems)
    out = schema.validate(tables, on_orphans="drop")
    assert not np.isin(out["playlist_track"]["track_id"], [1, 6, 7]).any()
