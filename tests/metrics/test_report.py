import base64
import json
import re

import numpy as np
import pandas as pd
import pytest

from synthohive.exceptions import DataValidationError
from synthohive.metrics import QualityReport, column_distances, evaluate
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


def _tables(seed, shift=0.0):
    rng = np.random.default_rng(seed)
    customers = pd.DataFrame(
        {
            "id": np.arange(60),
            "age": rng.normal(40 + shift, 10, 60),
            "segment": rng.choice(["a", "b", "c"], 60),
            "since": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 900, 60), unit="D"),
        }
    )
    keys = rng.choice(customers["id"], 300)
    orders = pd.DataFrame(
        {
            "order_id": np.arange(300),
            "customer_id": keys,
            "amount": rng.gamma(2.0, 20.0, 300),
            "paid": rng.random(300) < 0.8,
        }
    )
    return {"customers": customers, "orders": orders}


@pytest.fixture(scope="module")
def report():
    return evaluate(_tables(0), _tables(1, shift=5.0), schema=SCHEMA)


def test_single_table_scores():
    real = _tables(0)["orders"]
    same = evaluate(real, real)
    assert same.score == 1.0
    assert same.column_shapes_score == 1.0
    assert same.column_pair_score == 1.0
    assert same.relational_score is None
    other = evaluate(real, _tables(1)["orders"])
    expected = 1 - column_distances(real, _tables(1)["orders"]).distance.mean()
    assert other.column_shapes_score == pytest.approx(expected)
    assert other.details.table.isna().all()
    assert other.score == pytest.approx(
        np.mean([other.column_shapes_score, other.column_pair_score])
    )


def test_dict_of_tables_with_schema(report):
    # key columns are left out of column and pair metrics
    assert report.details[["table", "column"]].values.tolist() == [
        ["customers", "age"],
        ["customers", "segment"],
        ["customers", "since"],
        ["orders", "amount"],
        ["orders", "paid"],
    ]
    assert set(report.pairs.table) == {"customers", "orders"}
    assert report.relational.foreign_key.tolist() == ["orders.customer_id -> customers.id"]
    assert report.relational.orphan_rate.iloc[0] == 0.0
    parts = [report.column_shapes_score, report.column_pair_score, report.relational_score]
    assert report.score == pytest.approx(np.mean(parts))
    assert report.tables.table.tolist() == ["customers", "orders"]
    assert "customers.age" in report.summary() or "orders." in report.summary()


def test_json_round_trip(report, tmp_path):
    path = tmp_path / "quality_report.json"
    text = report.to_json(path)
    assert json.loads(path.read_text()) == json.loads(text)
    back = QualityReport.from_json(path)
    assert back.score == pytest.approx(report.score)
    assert back.column_pair_score == pytest.approx(report.column_pair_score)
    pd.testing.assert_frame_equal(back.details, report.details, check_dtype=False)
    pd.testing.assert_frame_equal(back.relational, report.relational, check_dtype=False)
    assert back.distributions == report.distributions
    with pytest.raises(DataValidationError, match="Not a quality report"):
        QualityReport.from_json("{}")


def test_html_report_has_plots_and_tables(report, tmp_path):
    path = report.to_html(tmp_path / "quality_report.html")
    page = path.read_text()
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    # one distribution plot per column, one heatmap figure per table with pairs
    assert len(images) == len(report.details) + 2
    assert all(base64.b64decode(image)[:8] == b"\x89PNG\r\n\x1a\n" for image in images)
    assert "Referential integrity" in page
    assert (
        "orders.customer_id -&gt; customers.id" in page
        or "orders.customer_id -> customers.id" in page
    )
    assert "<h2>Table customers</h2>" in page


def test_evaluate_bad_input():
    with pytest.raises(DataValidationError, match="two DataFrames"):
        evaluate(pd.DataFrame({"a": [1]}), {"a": pd.DataFrame()})
    with pytest.raises(DataValidationError, match=r"lack tables \['orders'\]"):
        evaluate(_tables(0), {"customers": _tables(0)["customers"]})


def test_pair_matrix(report):
    matrix = report.pair_matrix("real_nmi", table="customers")
    assert list(matrix.columns) == ["age", "segment", "since"]
    assert (matrix.to_numpy() == matrix.to_numpy().T).all()
    row = report.pairs[(report.pairs.table == "customers") & (report.pairs.column_1 == "age")]
    assert matrix.loc["segment", "age"] == row[row.column_2 == "segment"].real_nmi.iloc[0]
    assert matrix.loc["age", "age"] == 1.0
    assert report.pair_matrix("distance", table="orders").loc["paid", "paid"] == 0.0
    with pytest.raises(DataValidationError, match="pass table="):
        report.pair_matrix()
    with pytest.raises(DataValidationError, match="value must be one of"):
        report.pair_matrix("column_1", table="orders")
    single = evaluate(_tables(0)["orders"], _tables(1)["orders"])
    assert single.pair_matrix().shape == (4, 4)


def test_tables_given_as_arrays_read_as_frames(report):
    details = report.details
    lazy = QualityReport({c: details[c].to_numpy() for c in details.columns}, None)
    pd.testing.assert_frame_equal(lazy.details, details)
    assert lazy.pairs.empty
    assert list(lazy.pairs.columns) == list(report.pairs.columns)
    assert lazy.score == pytest.approx(report.column_shapes_score)
    lazy.privacy = report.privacy
    pd.testing.assert_frame_equal(lazy.privacy, report.privacy)


def test_report_pickled_with_plain_table_attributes_still_reads(report):
    old_style = QualityReport.__new__(QualityReport)
    old_style.__dict__.update(details=report.details, pairs=report.pairs)
    pd.testing.assert_frame_equal(old_style.details, report.details)
    pd.testing.assert_frame_equal(old_style.pairs, report.pairs)
