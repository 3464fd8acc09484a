import numpy as np
import pandas as pd
import pytest

from synthohive.exceptions import DataValidationError
from synthohive.metrics import QualityReport, evaluate
from tests.privacy import _pii


@pytest.fixture(scope="module")
def split():
    people = _pii.customers(600).drop(columns=["customer_id"])
    return people.iloc[:300].reset_index(drop=True), people.iloc[300:].reset_index(drop=True)


def _fresh(frame, seed):
    """Harmless columns resampled independently, personal ones replaced: a private output."""
    rng = np.random.default_rng(seed)
    out = frame.apply(lambda c: c.sample(frac=1.0, random_state=int(rng.integers(1000)))
                      .reset_index(drop=True))
    for column in _pii.PERSONAL:
        if column in out:
            out[column] = [f"{column} {i}" for i in range(len(out))]
    return out


def test_a_copy_of_the_training_rows_is_caught(split):
    train, holdout = split
    report = evaluate(train, train.copy(), holdout=holdout)
    row = report.privacy.iloc[0]
    assert row["exact_copy_share"] == 1.0
    personal = [c for c in _pii.PERSONAL if c != "name"]  # a bare "name": not judged personal
    republished = set(train[personal].stack().astype(str))
    assert row["pii_reuse"] == len(republished)  # every distinct personal value
    assert row["dcr_share"] > 0.95
    assert row["nn_distance_ratio"] == 0.0


def test_a_private_output_scores_well_and_personal_columns_are_not_judged(split):
    train, holdout = split
    report = evaluate(train, _fresh(train, 0), holdout=holdout)
    row = report.privacy.iloc[0]
    assert row["pii_reuse"] == 0
    assert row["dcr_share"] == pytest.approx(0.5, abs=0.1)
    judged = set(report.details["column"])
    assert judged == {"country", "city", "segment", "age"}
    assert {"email", "phone", "name"}.isdisjoint(set(report.pairs["column_1"]))


def test_without_holdout_distance_metrics_are_missing(split):
    train, _ = split
    row = evaluate(train, _fresh(train, 1)).privacy.iloc[0]
    assert np.isnan(row["dcr_share"])
    assert np.isnan(row["nn_distance_ratio"])
    assert row["exact_copy_share"] < 0.2  # four harmless columns coincide by chance


def test_tables_get_one_privacy_row_each_and_reports_keep_it(tmp_path):
    tables = _pii.dataset(120, 300)
    fake = {name: _fresh(frame, 2) for name, frame in tables.items() if name == "customers"}
    fake["orders"] = tables["orders"].assign(ship_email="x@y.org")  # ship_name still leaks
    schema = _pii.SCHEMA
    report = evaluate(tables, fake, schema=schema, holdout={"customers": tables["customers"]})
    rows = report.privacy.set_index("table")
    assert list(rows.index) == ["customers", "orders"]
    assert rows.loc["orders", "pii_reuse"] == tables["orders"]["ship_name"].nunique()
    assert not np.isnan(rows.loc["customers", "dcr_share"])
    assert np.isnan(rows.loc["orders", "dcr_share"])
    back = QualityReport.from_json(report.to_json())
    pd.testing.assert_frame_equal(back.privacy, report.privacy, check_dtype=False)
    html = report.to_html(tmp_path / "report.html").read_text()
    assert "<h2>Privacy</h2>" in html


def test_holdout_must_match_the_input(split):
    train, holdout = split
    with pytest.raises(DataValidationError, match="holdout"):
        evaluate(train, train, holdout={"t": holdout})
    with pytest.raises(DataValidationError, match="holdout"):
        evaluate({"t": train}, {"t": train}, holdout=holdout)
