"""GaussianCopula: marginals, dependence, context, dtypes, determinism and persistence."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp
from sklearn.base import clone

from synthohive import GaussianCopula
from synthohive.exceptions import DataValidationError
from synthohive.models.copula._marginals import MAX_KNOTS

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """3,000 rows: a skewed number tied to a category, a date, nullable columns."""
    rng = np.random.default_rng(0)
    n = 3000
    segment = rng.choice(np.array(["a", "b", "c"], dtype=object), n, p=[0.6, 0.3, 0.1])
    base = np.select([segment == "a", segment == "b"], [1.0, 3.0], 6.0)
    amount = np.round(np.exp(base + rng.normal(0, 0.3, n)), 2)
    quantity = (amount / 10).astype(np.int64) + rng.integers(0, 3, n)
    day = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    rating = pd.array(np.where(rng.random(n) < 0.2, pd.NA, rng.integers(1, 6, n)),
                      dtype="Int64")
    note = pd.array(np.where(rng.random(n) < 0.3, None, segment), dtype="string")
    return pd.DataFrame({
        "segment": segment, "amount": amount, "quantity": quantity, "day": day,
        "rating": rating, "note": note, "flag": amount > 30,
        "tier": pd.Categorical(np.where(amount > 100, "high", "low"),
                               categories=["low", "mid", "high"]),
    })


@pytest.fixture(scope="module")
def fitted(table) -> GaussianCopula:
    return GaussianCopula(random_state=0).fit(table)


def test_dtypes_columns_and_marginals(table, fitted):
    out = fitted.sample(len(table), random_state=1)
    assert list(out.columns) == list(table.columns)
    assert dict(out.dtypes) == dict(table.dtypes)
    assert list(out["tier"].cat.categories) == ["low", "mid", "high"]
    for column in ("amount", "quantity"):
        assert ks_2samp(out[column], table[column], method="asymp").statistic < 0.05, column
    days = out["day"].astype("int64")
    assert ks_2samp(days, table["day"].astype("int64"), method="asymp").statistic < 0.05
    assert out["day"].between(table["day"].min(), table["day"].max()).all()
    assert (out["day"] == out["day"].dt.normalize()).all()  # whole days, like the input
    shares = out["segment"].value_counts(normalize=True)
    expected = table["segment"].value_counts(normalize=True)
    assert np.abs(shares.reindex(expected.index) - expected).max() < 0.03
    for column in ("rating", "note"):
        assert abs(out[column].isna().mean() - table[column].isna().mean()) < 0.03
    assert set(out["amount"].round(2)) == set(out["amount"])  # two decimals, as learned


def test_dependence_between_columns_is_kept(table, fitted):
    out = fitted.sample(len(table), random_state=2)
    real = table["amount"].rank().corr(table["quantity"].rank())
    synthetic = out["amount"].rank().corr(out["quantity"].rank())
    assert real > 0.6
    assert abs(real - synthetic) < 0.1
    by_segment = out.groupby("segment")["amount"].median()
    assert by_segment["a"] < by_segment["b"] < by_segment["c"]


def test_context_shifts_the_conditional_distribution(table):
    context, X = table[["segment"]], table[["amount", "quantity", "rating"]]
    model = GaussianCopula(random_state=0).fit(X, context=context)
    asked = pd.DataFrame({"segment": ["a"] * 500 + ["c"] * 500 + ["never seen"] * 10})
    out = model.sample(context=asked, random_state=0)
    assert len(out) == len(asked)
    low, high = out["amount"][:500].median(), out["amount"][500:1000].median()
    assert low < table.loc[table.segment == "a", "amount"].quantile(0.9)
    assert high > table.loc[table.segment == "c", "amount"].quantile(0.1)
    assert out["amount"][1000:].notna().all()  # unseen context values are still served


def test_sample_is_seeded_and_fit_leaves_the_global_rng_alone(table):
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (checks the global RNG is untouched)
    one = GaussianCopula(random_state=4).fit(table)
    assert np.array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    two = GaussianCopula(random_state=4).fit(table)
    pd.testing.assert_frame_equal(one.sample(50), two.sample(50))
    pd.testing.assert_frame_equal(one.sample(50, random_state=3), two.sample(50, random_state=3))
    assert not one.sample(50).equals(two.sample(50, random_state=8))


_SCRIPT = """
import sys
import numpy as np
from sklearn.datasets import load_iris
from synthohive import GaussianCopula
np.random.seed(int(sys.argv[2]))
iris = load_iris(as_frame=True).frame
GaussianCopula(random_state=7).fit(iris).sample(200, random_state=3).to_csv(sys.argv[1])
"""


def test_same_seed_gives_byte_identical_csv_across_processes(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outs = [tmp_path / f"run{run}.csv" for run in range(2)]
    for run, out in enumerate(outs):
        subprocess.run([sys.executable, "-c", _SCRIPT, str(out), str(run * 13)], cwd=ROOT,
                       env=env, check=True, timeout=120)
    assert outs[0].read_bytes() == outs[1].read_bytes()


def test_save_load_and_joblib_round_trip(tmp_path, table, fitted):
    expected = fitted.sample(40, random_state=9)
    fitted.save(tmp_path / "copula.shm")
    loaded = GaussianCopula.load(tmp_path / "copula.shm")
    pd.testing.assert_frame_equal(loaded.sample(40, random_state=9), expected)
    joblib.dump(fitted, tmp_path / "copula.joblib")
    pd.testing.assert_frame_equal(
        joblib.load(tmp_path / "copula.joblib").sample(40, random_state=9), expected)
    context = table[["segment"]]
    conditional = GaussianCopula(random_state=1).fit(table[["amount"]], context=context)
    conditional.save(tmp_path / "conditional.shm")
    pd.testing.assert_frame_equal(
        GaussianCopula.load(tmp_path / "conditional.shm").sample(context=context[:20],
                                                                  random_state=0),
        conditional.sample(context=context[:20], random_state=0))


def test_large_tables_keep_a_bounded_quantile_sketch():
    values = pd.DataFrame({"x": np.random.default_rng(1).lognormal(size=50_000)})
    model = GaussianCopula(random_state=0).fit(values)
    assert model.marginals_[0].knots.shape == (MAX_KNOTS,)
    assert ks_2samp(model.sample(20_000)["x"], values["x"]).statistic < 0.02


def test_tiny_tables_and_constant_columns():
    one = pd.DataFrame({"a": [1.5], "b": ["x"]})
    assert GaussianCopula(random_state=0).fit(one).sample(3).eq(one.iloc[0]).all().all()
    constant = pd.DataFrame({"a": [2.0] * 5, "b": [1, 2, 3, 4, 5]})
    out = GaussianCopula(random_state=0).fit(constant).sample(10)
    assert (out["a"] == 2.0).all()
    assert out["b"].between(1, 5).all()


def test_sklearn_conventions_and_bad_input(table):
    model = GaussianCopula(discrete_int_threshold=3, random_state=5)
    assert clone(model).get_params() == model.get_params()
    assert not hasattr(model, "marginals_")
    with pytest.raises(DataValidationError, match="discrete_int_threshold"):
        GaussianCopula(discrete_int_threshold=-1).fit(table)
    with pytest.raises(DataValidationError, match="only missing"):
        GaussianCopula().fit(pd.DataFrame({"a": [np.nan, np.nan], "b": [1, 2]}))
    with pytest.raises(DataValidationError, match="infinite"):
        GaussianCopula().fit(pd.DataFrame({"a": [1.0, np.inf]}))


def test_stratified_draws_reproduce_small_marginals(table):
    small = table.iloc[:9].reset_index(drop=True)
    model = GaussianCopula(random_state=0).fit(small)
    out = model.sample(9, random_state=1)
    assert ks_2samp(out["amount"], small["amount"]).statistic <= 2 / 9
    expected = small["segment"].value_counts()
    assert (out["segment"].value_counts().reindex(expected.index, fill_value=0)
            - expected).abs().max() <= 1
    shares = GaussianCopula(random_state=0).fit(table).sample(1000, random_state=2)
    share = (shares["segment"] == "c").mean()
    assert abs(share - (table["segment"] == "c").mean()) <= 0.002
    iid = GaussianCopula(stratified=False, random_state=0).fit(table).sample(1000,
                                                                             random_state=2)
    assert not iid.equals(shares)
    with pytest.raises(DataValidationError, match="stratified"):
        GaussianCopula(stratified="yes").fit(table)


def test_conditions_fix_discrete_columns_and_shift_the_rest(table, fitted):
    vip = fitted.sample(500, conditions={"segment": "c"}, random_state=0)
    assert (vip["segment"] == "c").all()
    assert vip.dtypes.equals(table.dtypes)
    real_c = table.loc[table["segment"] == "c", "amount"]
    assert abs(vip["amount"].median() - real_c.median()) < 0.25 * real_c.median()
    both = fitted.sample(200, conditions={"segment": "a", "flag": False}, random_state=0)
    assert (both["segment"] == "a").all()
    assert not both["flag"].any()
    context, X = table[["segment"]], table[["amount", "tier", "rating"]]
    conditional = GaussianCopula(random_state=0).fit(X, context=context)
    rows_c = context[context["segment"] == "c"].iloc[:100]
    high = conditional.sample(context=rows_c, conditions={"tier": "high"}, random_state=0)
    assert (high["tier"] == "high").all()
    assert high["amount"].median() > 100
    low = fitted.sample(300, conditions={"tier": "low"}, random_state=0)
    assert low["amount"].median() < 50
    assert (low["segment"] != "c").mean() > 0.9


@pytest.mark.parametrize(("conditions", "match"), [
    ({}, "non-empty"), ("segment", "non-empty"), ({"amount": 3.0}, "not a discrete"),
    ({"nope": 1}, "not a discrete"), ({"segment": "zzz"}, "not seen"),
])
def test_bad_conditions(fitted, conditions, match):
    with pytest.raises(DataValidationError, match=match):
        fitted.sample(10, conditions=conditions)


def test_categorical_role_keeps_integer_codes_seen_in_training():
    frame = pd.DataFrame({"code": np.arange(60) * 7, "x": np.linspace(0.0, 1.0, 60)})
    model = GaussianCopula(roles={"code": "categorical"}, random_state=0).fit(frame)
    sample = model.sample(300)
    assert sample["code"].isin(frame["code"]).all()
    assert sample["code"].dtype == frame["code"].dtype
    assert not GaussianCopula(random_state=0).fit(frame).sample(300)["code"].isin(
        frame["code"]).all()


def test_training_metrics_show_the_gibbs_sweeps_settling(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    frame = pd.DataFrame({"x": x, "y": x + rng.normal(scale=0.5, size=400),
                          "c": np.where(x > 0, "hi", "lo")})
    model = GaussianCopula(random_state=0).fit(frame)
    metrics = model.training_metrics()
    assert list(metrics.columns) == ["sweep", "correlation_change"]
    assert metrics["sweep"].tolist() == list(range(1, len(metrics) + 1))
    assert len(metrics) >= 2
    changes = metrics["correlation_change"].to_numpy()
    assert np.isfinite(changes).all()
    assert (changes >= 0).all()
    assert changes[-1] < changes[0]  # the estimate settles
    model.save(tmp_path / "copula.shm")
    pd.testing.assert_frame_equal(GaussianCopula.load(tmp_path / "copula.shm").training_metrics(),
                                  metrics)


def test_continuous_values_are_never_the_training_extremes():
    rng = np.random.default_rng(0)
    real = pd.DataFrame({
        "birth_date": pd.to_datetime("1950-01-01") + pd.to_timedelta(
            rng.integers(0, 15_000, 9), unit="D"),
        "salary": rng.normal(50_000, 9_000, 9).round(2),
    })
    out = GaussianCopula(random_state=0).fit(real).sample(5000, random_state=1)
    for column in real.columns:
        # Only rounding (to days, to cents) can meet a training value; clipping met the
        # minimum and maximum on one draw in nine.
        assert out[column].isin(real[column]).mean() < 0.002
        assert real[column].min() <= out[column].min()
        assert out[column].max() <= real[column].max()
