import logging

import numpy as np
import pandas as pd
import pytest

from synthohive.exceptions import DataValidationError
from synthohive.relational import RelationalSynthesizer
from synthohive.schema import Schema
from tests.relational._models import NearestContextModel, ShuffleCounts


def _denormalised():
    """customers -> orders whose ship_* columns copy the customer's address fields."""
    rng = np.random.default_rng(0)
    n = 200
    customers = pd.DataFrame({
        "customer_id": np.arange(1, n + 1),
        "country": rng.choice(["DE", "FR", "US", "BR"], size=n),
        "city": rng.choice([f"city{i}" for i in range(30)], size=n),
        "zip": [f"{i:05d}" for i in rng.permutation(n)],
        "region": pd.Series(rng.choice(["north", "south", None], size=n), dtype=object),
        "active": rng.random(n) < 0.95,
        "since": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D"),
    })
    per_customer = rng.poisson(4.0, size=n)
    owner = np.repeat(np.arange(n), per_customer)
    m = len(owner)
    other_city = rng.random(m) < 0.05
    ship_city = customers["city"].to_numpy()[owner].astype(object)
    ship_city[other_city] = rng.choice(["port1", "port2", None], size=int(other_city.sum()))
    courier = np.arange(m) % 7 == 0
    orders = pd.DataFrame({
        "order_id": np.arange(1, m + 1),
        "customer_id": customers["customer_id"].to_numpy()[owner],
        "ship_country": customers["country"].to_numpy()[owner],
        "ship_city": ship_city,
        "ship_region": customers["region"].to_numpy()[owner],
        "ship_zip": np.where(other_city, "99999", customers["zip"].to_numpy()[owner]),
        "ship_since": customers["since"].to_numpy()[owner],
        "active": rng.random(m) < 0.95,  # equal to the customer's by chance only
        "amount": np.round(rng.lognormal(3, 0.5, m), 2),
        "courier": np.where(courier, "yes", "no"),
    })
    schema = Schema.from_dict({"tables": {
        "customers": {"primary_key": "customer_id"},
        "orders": {"primary_key": "order_id", "foreign_keys": [
            {"column": "customer_id", "references": "customers.customer_id"}]},
    }})
    return schema, {"customers": customers, "orders": orders}


@pytest.fixture(scope="module")
def denormalised():
    return _denormalised()


def _synth(schema, **params):
    params = {"model": NearestContextModel(), "cardinality": ShuffleCounts(),
              "random_state": 0, **params}
    return RelationalSynthesizer(schema, **params)


def _joined(synthetic):
    return synthetic["orders"].merge(synthetic["customers"], on="customer_id",
                                     suffixes=("", "_parent"))


def test_copied_columns_are_detected_and_logged(denormalised, caplog):
    schema, tables = denormalised
    with caplog.at_level(logging.INFO, logger="synthohive.relational._inherit"):
        synth = _synth(schema).fit(tables)
    rules = {r.column: r for r in synth.plans_["orders"].inherited}
    assert set(rules) == {"ship_country", "ship_city", "ship_region", "ship_zip", "ship_since"}
    assert (rules["ship_country"].parent_table, rules["ship_country"].parent_column) == (
        "customers", "country")
    assert not rules["ship_country"].partial
    assert rules["ship_country"].copy_rate == 1.0
    assert rules["ship_city"].partial
    assert rules["ship_city"].copy_rate == pytest.approx(0.95, abs=0.02)
    plan = synth.plans_["orders"]
    assert not set(rules) & set(plan.model_columns + plan.id_like_columns)
    assert synth.models_["orders"].columns_ == list(plan.model_columns)
    patterns = synth.copy_patterns_["orders"]
    assert patterns["patterns"].shape == (2, 2)  # ship_city and ship_zip deviate together
    assert patterns["counts"].sum() == len(tables["orders"])
    assert "active" in plan.model_columns  # agreement by chance is not a copy
    messages = [r.getMessage() for r in caplog.records if "copies" in r.getMessage()]
    assert len(messages) == 5
    assert any("'ship_city' copies customers.city" in m for m in messages)


def test_generated_rows_copy_the_generated_parent(denormalised):
    schema, tables = denormalised
    synth = _synth(schema).fit(tables)
    synthetic = synth.sample(random_state=3)
    orders = synthetic["orders"]
    assert orders.dtypes.equals(tables["orders"].dtypes)
    joined = _joined(synthetic)
    assert (joined["ship_country"] == joined["country"]).all()
    assert (joined["ship_since"] == joined["since"]).all()
    both_null = joined["ship_region"].isna() & joined["region"].isna()
    assert (both_null | (joined["ship_region"] == joined["region"])).all()
    assert both_null.any()  # nulls are copied as nulls
    copied = joined["ship_city"] == joined["city"]
    assert copied.mean() == pytest.approx(0.95, abs=0.03)
    exceptions = joined.loc[~copied, "ship_city"]
    assert set(exceptions.dropna()) <= {"port1", "port2"}
    assert exceptions.isna().mean() == pytest.approx(1 / 3, abs=0.15)
    # the training copy patterns are kept: city and zip deviate on the same rows
    assert ((joined["ship_zip"] == joined["zip"]) == copied).all()
    deviating = joined.loc[~copied, "ship_zip"]
    assert deviating.nunique() == 1  # the training rows' one exception zip "99999" ...
    assert not deviating.isin(tables["orders"]["ship_zip"]).any()  # ... under its fake


def test_off_switch_learns_every_column(denormalised):
    schema, tables = denormalised
    synth = _synth(schema, inherit_threshold=None).fit(tables)
    plan = synth.plans_["orders"]
    assert plan.inherited == ()
    assert {"ship_country", "ship_city"} <= set(plan.model_columns)
    assert synth.models_["orders"].columns_ == list(plan.model_columns)
    assert synth.copy_patterns_ == {}
    assert synth.sample(random_state=1)["orders"].dtypes.equals(tables["orders"].dtypes)


@pytest.mark.parametrize("threshold", [0, 1.5, "high", True])
def test_bad_threshold(denormalised, threshold):
    schema, tables = denormalised
    with pytest.raises(DataValidationError, match="inherit_threshold"):
        _synth(schema, inherit_threshold=threshold).fit(tables)


def test_stricter_threshold_keeps_only_exact_copies(denormalised):
    schema, tables = denormalised
    synth = _synth(schema, inherit_threshold=0.99).fit(tables)
    assert {r.column for r in synth.plans_["orders"].inherited} == {
        "ship_country", "ship_region", "ship_since"}


def test_rules_survive_save_load_and_output_is_deterministic(denormalised, tmp_path):
    schema, tables = denormalised
    synth = _synth(schema).fit(tables)
    synth.save(tmp_path / "synth.shm")
    loaded = RelationalSynthesizer.load(tmp_path / "synth.shm")
    assert loaded.plans_ == synth.plans_
    assert loaded.inherit_threshold == 0.9
    a, b = synth.sample(random_state=4), loaded.sample(random_state=4)
    for name in tables:
        pd.testing.assert_frame_equal(a[name], b[name])
    pd.testing.assert_frame_equal(synth.sample(random_state=4)["orders"], a["orders"])


def test_nullable_foreign_key_rows_draw_their_value(denormalised):
    schema, tables = denormalised
    orders = tables["orders"].copy()
    orders["customer_id"] = orders["customer_id"].astype("Int64")
    orphaned = np.arange(len(orders)) % 10 == 0
    orders.loc[orphaned, "customer_id"] = pd.NA
    orders.loc[orphaned, "ship_country"] = "XX"
    synth = _synth(schema).fit({"customers": tables["customers"], "orders": orders})
    rule = {r.column: r for r in synth.plans_["orders"].inherited}["ship_country"]
    assert not rule.partial  # every row with a parent copies
    assert rule.copy_rate == pytest.approx(0.9, abs=0.01)
    fake = synth.sample(random_state=2)["orders"]
    unlinked = fake["customer_id"].isna()
    assert unlinked.mean() == pytest.approx(0.1, abs=0.02)
    assert (fake.loc[unlinked, "ship_country"] == "XX").all()
    assert (fake.loc[~unlinked, "ship_country"] != "XX").mean() > 0.9


def test_quality_report_and_gate_work_with_rules(denormalised):
    schema, tables = denormalised
    synth = _synth(schema).fit(tables)
    synth.sample(random_state=0, quality_threshold=0.5)
    judged = set(synth.last_quality_.details["column"])
    assert "amount" in judged
    assert "ship_city" not in judged  # copied, not learned
