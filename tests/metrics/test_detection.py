"""detection_score: about 0.5 for two halves of one table, near 1 for a different one;
child tables scored on one row per family."""

import numpy as np
import pandas as pd
import pytest

from synthohive.exceptions import DataValidationError
from synthohive.metrics import QualityReport, detection_score, evaluate
from synthohive.metrics._detection import judged_parents, one_per_family
from synthohive.schema import Schema


def _table(seed: int, n: int = 1200, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    segment = rng.choice(["a", "b", "c"], n)
    return pd.DataFrame({
        "segment": pd.array(segment, dtype="string"),
        "amount": rng.lognormal(2, 0.5, n) + shift,
        "day": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D"),
        "count": pd.array(np.where(rng.random(n) < 0.1, pd.NA, rng.integers(0, 9, n)),
                          dtype="Int64"),
        "name": [f"person {i}" for i in rng.permutation(n)],  # id-like: unique text
    })


def test_two_halves_of_one_table_read_about_one_half():
    table = _table(0)
    score = detection_score(table.iloc[::2], table.iloc[1::2])
    assert 0.4 < score < 0.6


def test_a_different_table_is_recognised_and_same_seed_same_score():
    real, other = _table(0), _table(1, shift=30.0)
    assert detection_score(real, other) > 0.9
    assert detection_score(real, other, random_state=3) == detection_score(real, other,
                                                                           random_state=3)


def test_bad_input():
    with pytest.raises(DataValidationError, match="different columns"):
        detection_score(_table(0), _table(0).drop(columns=["day"]))
    with pytest.raises(DataValidationError, match="at least 2 rows"):
        detection_score(_table(0).iloc[:1], _table(0))
    with pytest.raises(DataValidationError, match="two DataFrames"):
        detection_score(_table(0), {"a": 1})


def test_report_detection_per_table_with_children_joined_with_parents():
    rng = np.random.default_rng(0)
    customers = pd.DataFrame({"customer_id": np.arange(200), "vip": np.arange(200) % 2 == 0})
    orders = pd.DataFrame({"order_id": np.arange(1000), "customer_id": np.arange(1000) % 200})
    vip = customers["vip"].to_numpy()[orders["customer_id"]]
    noise = rng.uniform(0.9, 1.1, 1000)
    orders["amount"] = np.where(vip, 100.0, 10.0) * noise
    real = {"customers": customers, "orders": orders}
    # The same amounts, but on the other kind of customer: only the join shows it.
    broken = {"customers": customers,
              "orders": orders.assign(amount=np.where(vip, 10.0, 100.0) * noise)}
    schema = {"tables": {
        "customers": {"primary_key": "customer_id"},
        "orders": {"primary_key": "order_id", "foreign_keys": [
            {"column": "customer_id", "references": "customers.customer_id"}]}}}
    report = evaluate(real, broken, schema=schema)
    scores = report.detection.set_index("table")["detection"]
    assert report.detection.columns.tolist() == ["table", "rows", "detection"]
    assert scores["customers"] < 0.6
    assert scores["orders"] > 0.8
    assert evaluate(real, broken).detection.set_index("table")["detection"]["orders"] < 0.65
    again = QualityReport.from_json(report.to_json())
    pd.testing.assert_frame_equal(again.detection, report.detection, check_dtype=False)
    single = evaluate(_table(0), _table(0))
    assert single.detection["table"].isna().all()
    assert single.detection["rows"].item() == 1200


def _families(seed: int, start: int) -> dict[str, pd.DataFrame]:
    """300 parents with distinctive attributes, 4 children each (ids from ``start``)."""
    rng = np.random.default_rng(seed)
    parents = pd.DataFrame({"parent_id": start + np.arange(300),
                            "size": rng.lognormal(3, 0.4, 300).round(2),
                            "weight": rng.normal(70, 10, 300).round(2),
                            "kind": rng.choice(["x", "y", "z"], 300)})
    children = pd.DataFrame({"child_id": start + np.arange(1200),
                             "parent_id": start + np.repeat(np.arange(300), 4),
                             "score": rng.normal(0, 1, 1200)})
    return {"parents": parents, "children": children}


def test_children_of_new_parents_from_the_same_population_read_about_one_half():
    # What a perfect generator produces: new parents of the same distribution. Row-level
    # folds would memorise each parent's repeated tuple; folds grouped by parent do not.
    schema = {"tables": {
        "parents": {"primary_key": "parent_id"},
        "children": {"primary_key": "child_id", "foreign_keys": [
            {"column": "parent_id", "references": "parents.parent_id"}]}}}
    real, other = _families(0, 0), _families(1, 10_000)
    scores = evaluate(real, other, schema=schema).detection.set_index("table")["detection"]
    assert 0.4 < scores["children"] < 0.6
    joined = [t["children"].merge(t["parents"], on="parent_id")[["score", "size", "weight", "kind"]]
              for t in (real, other)]
    assert detection_score(*joined) > 0.8  # the artefact one row per family removes
    # Two random halves of one real child table (same parents on both sides) too.
    halves = [{**real, "children": real["children"].iloc[i::2]} for i in (0, 1)]
    halves_scores = evaluate(halves[0], halves[1], schema=schema).detection
    assert 0.4 < halves_scores.set_index("table")["detection"]["children"] < 0.6


def test_one_per_family_draws_one_row_per_key_and_keeps_null_keys():
    frame = pd.DataFrame({"key": pd.array([1, 1, 2, None, 2, None, 3], dtype="Int64")})
    rows = one_per_family(frame, "key", random_state=0)
    kept = frame["key"].iloc[rows]
    assert sorted(kept.dropna().tolist()) == [1, 2, 3]
    assert kept.isna().sum() == 2
    assert (rows == one_per_family(frame, "key", random_state=0)).all()


def test_judged_parents_thin_the_most_families_and_leave_out_a_few_individuals():
    schema = Schema.from_dict({"tables": {
        "staff": {"primary_key": "staff_id"},
        "customers": {"primary_key": "customer_id"},
        "rentals": {"primary_key": "rental_id"},
        "payments": {"primary_key": "payment_id", "foreign_keys": [
            {"column": "staff_id", "references": "staff.staff_id"},
            {"column": "customer_id", "references": "customers.customer_id"},
            {"column": "rental_id", "references": "rentals.rental_id"}]}}})
    n = 600
    payments = pd.DataFrame({"payment_id": np.arange(n), "staff_id": np.arange(n) % 3,
                             "customer_id": np.arange(n) % 100, "rental_id": np.arange(n)})
    real = {"payments": payments}
    joined, family_key = judged_parents(real, "payments", schema)
    assert [fk.column for fk in joined] == ["customer_id", "rental_id"]  # 3 staff: left out
    assert family_key.column == "customer_id"  # one payment per rental: no family


def test_child_rows_all_identical_read_one_half():
    schema = {"tables": {
        "parents": {"primary_key": "parent_id"},
        "children": {"primary_key": "child_id", "foreign_keys": [
            {"column": "parent_id", "references": "parents.parent_id"}]}}}
    parents = pd.DataFrame({"parent_id": np.arange(30), "kind": "x"})
    children = pd.DataFrame({"child_id": np.arange(90), "parent_id": np.arange(90) % 30,
                             "flag": True})
    tables = {"parents": parents, "children": children}
    scores = evaluate(tables, tables, schema=schema).detection.set_index("table")["detection"]
    assert scores["children"] == 0.5


def test_a_tiny_child_table_is_scored():
    schema = {"tables": {
        "parents": {"primary_key": "parent_id"},
        "children": {"primary_key": "child_id", "foreign_keys": [
            {"column": "parent_id", "references": "parents.parent_id"}]}}}
    parents = pd.DataFrame({"parent_id": np.arange(3), "size": [1.0, 2.0, 3.0]})
    children = pd.DataFrame({"child_id": np.arange(3), "parent_id": [0, 1, 2],
                             "score": [0.1, 0.5, 0.9]})
    other = children.assign(score=[0.2, 0.6, 0.7])
    report = evaluate({"parents": parents, "children": children},
                      {"parents": parents, "children": other}, schema=schema)
    assert 0.0 <= report.detection.set_index("table")["detection"]["children"] <= 1.0
