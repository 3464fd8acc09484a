import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import normalized_mutual_info_score

from synthohive.metrics import (
    contingency_tvd,
    correlation_delta,
    normalized_mutual_information,
    pair_distances,
)


def test_nmi_matches_sklearn():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 5, 3000)
    b = (a + rng.integers(0, 3, 3000)) % 6
    expected = normalized_mutual_info_score(a, b)
    assert normalized_mutual_information(pd.Series(a), pd.Series(b)) == pytest.approx(expected)
    assert (
        normalized_mutual_information(pd.Series([1, 1, 2, 2]), pd.Series(["x", "x", "y", "y"]))
        == 1.0
    )
    # constant against constant is 1, constant against varying is 0 (as sklearn)
    assert normalized_mutual_information(pd.Series([1, 1]), pd.Series([2, 2])) == 1.0
    assert normalized_mutual_information(pd.Series([1, 1]), pd.Series([2, 3])) == 0.0


def test_correlation_delta_hand_computed():
    x = pd.Series([1.0, 2.0, 3.0, 4.0])
    assert correlation_delta(x, x, x, x) == 0.0
    assert correlation_delta(x, x, x, -x) == pytest.approx(1.0)
    y = pd.Series([1.0, 3.0, 2.0, 4.0])  # r = 0.8
    assert correlation_delta(x, x, x, y) == pytest.approx(0.1)
    # rows with a null in either column are left out
    assert correlation_delta(x, x, pd.Series([1.0, 2.0, 3.0, np.nan]), x) == pytest.approx(0.0)


def test_contingency_tvd_hand_computed():
    a = pd.Series(["x", "x", "y", "y"])
    b = pd.Series([1, 2, 1, 2])
    assert contingency_tvd(a, b, a, b) == 0.0
    # synthetic joint: (x,1) x2, (y,2) x2 -> real cells all 1/4: TVD 0.5
    assert contingency_tvd(a, b, pd.Series(["x", "x", "y", "y"]), pd.Series([1, 1, 2, 2])) == 0.5


def test_pair_distances_rule_and_nmi():
    rng = np.random.default_rng(2)
    n = 4000
    x = rng.normal(size=n)
    real = pd.DataFrame({"x": x, "y": x + rng.normal(size=n), "c": np.where(x > 0, "pos", "neg")})
    independent = real.assign(y=rng.permutation(real["y"].to_numpy()))
    out = pair_distances(real, independent).set_index(["column_1", "column_2"])
    assert out.loc[("x", "y"), "metric"] == "correlation"
    assert out.loc[("x", "c"), "metric"] == "contingency"
    real_r = np.corrcoef(real["x"], real["y"])[0, 1]
    assert out.loc[("x", "y"), "real_correlation"] == pytest.approx(real_r)
    assert out.loc[("x", "y"), "distance"] == pytest.approx(
        abs(real_r - np.corrcoef(independent["x"], independent["y"])[0, 1]) / 2
    )
    assert out.loc[("x", "c"), "distance"] == 0.0
    assert out.loc[("x", "c"), "real_nmi"] > 0.3
    assert out.loc[("y", "c"), "synthetic_nmi"] < 0.01
    assert out.loc[("y", "c"), "nmi_difference"] > 0.05
    same = pair_distances(real, real)
    assert same["distance"].max() == 0.0
    assert same["nmi_difference"].max() == 0.0
