import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from synthohive.exceptions import DataValidationError
from synthohive.metrics import (
    column_distances,
    column_metric,
    ks_statistic,
    null_rate_difference,
    tvd,
)


def test_ks_hand_computed():
    real = pd.Series([1.0, 2.0, 3.0, 4.0])
    synthetic = pd.Series([3.0, 4.0, 5.0, 6.0])
    assert ks_statistic(real, synthetic) == 0.5
    assert ks_statistic(real, real) == 0.0
    assert ks_statistic(real, pd.Series([10.0, 11.0])) == 1.0


@pytest.mark.parametrize("discrete", [False, True])
def test_ks_matches_scipy(discrete):
    rng = np.random.default_rng(3)
    if discrete:
        a, b = rng.integers(0, 7, 900), rng.integers(1, 8, 400)
    else:
        a, b = rng.normal(size=900), rng.normal(0.3, 1.2, size=400)
    expected = ks_2samp(a, b).statistic
    assert ks_statistic(pd.Series(a), pd.Series(b)) == pytest.approx(expected, abs=1e-12)


def test_ks_drops_nulls_and_handles_datetimes():
    real = pd.Series([1.0, np.nan, 2.0])
    assert ks_statistic(real, pd.Series([1.0, 2.0])) == 0.0
    days = pd.Series(pd.date_range("2020-01-01", periods=10, freq="D"))
    assert ks_statistic(days, days.iloc[:5]) == 0.5
    utc = days.dt.tz_localize("UTC")
    assert ks_statistic(utc, utc.iloc[:5]) == 0.5
    assert ks_statistic(days, days.astype("datetime64[s]")) == 0.0
    assert ks_statistic(pd.Series([np.nan]), pd.Series([1.0])) == 1.0
    assert ks_statistic(pd.Series([np.nan]), pd.Series([np.nan])) == 0.0


def test_ks_refuses_text():
    with pytest.raises(DataValidationError, match="neither numbers"):
        ks_statistic(pd.Series(["a", "b"], name="s"), pd.Series(["a"]))


def test_tvd_hand_computed_over_non_null_values():
    assert tvd(pd.Series(["a", "a", "b", "b"]), pd.Series(["a", "b", "b", "b"])) == 0.25
    # nulls are left out (their share is null_rate_difference's job)
    real = pd.Series(["a", "b", None, np.nan])
    synthetic = pd.Series(["a", "a", "a", "b", None])
    assert tvd(real, synthetic) == pytest.approx(0.25)
    assert tvd(pd.Series(["a", None]), pd.Series(["a"])) == 0.0
    assert tvd(pd.Series([None, None]), pd.Series(["a"])) == 1.0
    assert tvd(pd.Series([True, False]), pd.Series([True, True])) == 0.5
    assert tvd(pd.Series(["x"]), pd.Series(["y"])) == 1.0
    cat = pd.Series(pd.Categorical(["u", "v"]))
    assert tvd(cat, cat.astype(object)) == 0.0


def test_tvd_matches_sdmetrics_definition_on_shared_categories():
    rng = np.random.default_rng(4)
    real = pd.Series(rng.choice(list("abcd"), 500, p=[0.4, 0.3, 0.2, 0.1]))
    synthetic = pd.Series(rng.choice(list("abcd"), 300))
    p = real.value_counts(normalize=True)
    q = synthetic.value_counts(normalize=True).reindex(p.index, fill_value=0)
    assert tvd(real, synthetic) == pytest.approx(0.5 * (p - q).abs().sum())


def test_null_rate_difference():
    assert null_rate_difference(pd.Series([1.0, None]), pd.Series([1.0, 2.0, 3.0, None])) == 0.25
    assert null_rate_difference(pd.Series([], dtype=float), pd.Series([1.0])) == 0.0


def test_column_metric_rule():
    assert column_metric(pd.Series([0.5, 1.5])) == "KS"
    assert column_metric(pd.Series(range(11))) == "KS"
    assert column_metric(pd.Series(range(10))) == "TVD"
    assert column_metric(pd.Series(pd.array(range(20), dtype="Int64"))) == "KS"
    assert column_metric(pd.Series([True, False])) == "TVD"
    assert column_metric(pd.Series(["a"], dtype="string")) == "TVD"
    assert column_metric(pd.Series(pd.Categorical([1, 2]))) == "TVD"
    assert column_metric(pd.Series(pd.to_datetime(["2020-01-01"]))) == "KS"


def test_column_distances_table():
    real = pd.DataFrame(
        {"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "a", "b", "b"], "n": [1.0, None, 2.0, 3.0]}
    )
    synthetic = pd.DataFrame(
        {"n": [1.0, 2.0, 3.0, 4.0], "c": ["a", "b", "b", "b"], "x": [3.0, 4.0, 5.0, 6.0]}
    )
    out = column_distances(real, synthetic)
    assert list(out.columns) == ["column", "metric", "distance", "null_rate_difference"]
    assert out.column.tolist() == ["x", "c", "n"]
    assert out.metric.tolist() == ["KS", "TVD", "KS"]
    assert out.distance.tolist() == [0.5, 0.25, 0.25]
    assert out.null_rate_difference.tolist() == [0.0, 0.0, 0.25]
    with pytest.raises(DataValidationError, match=r"lacks columns \['x'\]"):
        column_distances(real, synthetic.drop(columns="x"))
