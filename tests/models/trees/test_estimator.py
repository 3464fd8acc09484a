"""TreeSynthesizer: dtypes, dependence, context, conditions, determinism, persistence, privacy."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp
from sklearn.base import clone

from synthohive import RelationalSynthesizer, Schema, TreeSynthesizer
from synthohive.exceptions import (
    ConstraintViolationError,
    DataValidationError,
    NotFittedError,
    QualityGateError,
)
from synthohive.metrics import dcr_share
from synthohive.models.trees._estimator import growth_labels
from synthohive.privacy import PrivacyConfig

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """2,000 rows of every dtype family, with exact and multi-modal dependencies."""
    rng = np.random.default_rng(0)
    n = 2000
    segment = rng.choice(np.array(["a", "b", "c"], dtype=object), n, p=[0.6, 0.3, 0.1])
    base = np.select([segment == "a", segment == "b"], [1.0, 3.0], 6.0)
    amount = np.exp(base + rng.normal(0, 0.3, n))
    return pd.DataFrame({
        "segment": segment,
        "amount": amount,  # full-precision floats: no training value may come back
        "quantity": (amount / 10).astype(np.int64) + rng.integers(0, 3, n),
        "discount": np.where(rng.random(n) < 0.6, 0.0, np.round(rng.uniform(0, 0.3, n), 2)),
        "day": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
        "rating": pd.array(np.where(rng.random(n) < 0.2, pd.NA, rng.integers(1, 6, n)),
                           dtype="Int64"),
        "score": pd.array(np.where(rng.random(n) < 0.1, np.nan, rng.normal(50, 10, n)),
                          dtype="Float64"),
        "note": pd.array(np.where(rng.random(n) < 0.3, None, segment), dtype="string"),
        "flag": amount > 30,
        "tier": pd.Categorical(np.where(amount > 100, "high", "low"),
                               categories=["low", "mid", "high"]),
    })


@pytest.fixture(scope="module")
def fitted(table) -> TreeSynthesizer:
    return TreeSynthesizer(random_state=0).fit(table)


def test_dtypes_marginals_and_dependence(table, fitted):
    out = fitted.sample(len(table), random_state=1)
    assert list(out.columns) == list(table.columns)
    assert dict(out.dtypes) == dict(table.dtypes)
    assert list(out["tier"].cat.categories) == ["low", "mid", "high"]
    for column in ("amount", "quantity"):
        assert ks_2samp(out[column], table[column]).statistic < 0.06, column
    assert out["day"].between(table["day"].min(), table["day"].max()).all()
    assert (out["day"] == out["day"].dt.normalize()).all()
    assert abs(out["rating"].isna().mean() - 0.2) < 0.04
    assert abs(out["score"].isna().mean() - 0.1) < 0.03
    assert abs((out["discount"] == 0).mean() - 0.6) < 0.05  # an atom comes back exactly
    # Exact dependencies: the tier and flag follow the amount, the segment sets its scale.
    assert ((out["amount"] > 100) == (out["tier"] == "high")).mean() > 0.97
    assert ((out["amount"] > 30) == out["flag"]).mean() > 0.97
    medians = out.groupby("segment")["amount"].median()
    assert medians["a"] < 5 < medians["b"] < 40 < medians["c"]


def test_no_training_value_is_copied_for_continuous_columns(table, fitted):
    out = fitted.sample(5000, random_state=2)
    assert not np.isin(out["amount"].to_numpy(), table["amount"].to_numpy()).any()
    assert not np.isin(out["score"].dropna().to_numpy(), table["score"].dropna().to_numpy()).any()


def test_training_metrics_one_row_per_tree(table, fitted):
    metrics = fitted.training_metrics()
    assert metrics["column"].tolist() == list(table.columns)
    assert metrics.columns.tolist() == ["step", "column", "kind", "rows", "held_out", "depth",
                                        "leaves", "smoothing", "fit_seconds"]
    assert (metrics["leaves"] >= 1).all()
    present = table.notna().sum().to_numpy()  # continuous trees grow on present values
    assert (metrics["rows"] + metrics["held_out"] == np.where(
        metrics["kind"] == "discrete", len(table), present)).all()
    assert (abs(metrics["held_out"] / (metrics["rows"] + metrics["held_out"]) - 0.25)
            < 0.05).all()
    assert metrics.loc[metrics["column"] == "segment", "kind"].item() == "discrete"
    assert metrics.loc[metrics["column"] == "amount", "kind"].item() == "continuous"


def test_min_samples_leaf_is_the_knob(table):
    small = TreeSynthesizer(min_samples_leaf=5, random_state=0).fit(table).training_metrics()
    large = TreeSynthesizer(min_samples_leaf=200, random_state=0).fit(table).training_metrics()
    assert (small["leaves"] >= large["leaves"]).all()
    assert large["leaves"].max() <= len(table) // 200


def test_context_and_conditions(table):
    context = pd.DataFrame({"region": np.where(table["segment"] == "c", "north", "south")})
    X = table.drop(columns=["amount"])
    model = TreeSynthesizer(random_state=0).fit(X, context=context)
    out = model.sample(context=context, random_state=3)
    assert len(out) == len(context)
    assert (out.loc[context["region"] == "north", "segment"] == "c").mean() > 0.9
    with pytest.raises(DataValidationError, match="fitted with context"):
        model.sample(10)
    conditioned = model.sample(context=context, conditions={"flag": True}, random_state=4)
    assert conditioned["flag"].all()
    # Rows are drawn given the condition: in the south only segment b has amounts above 30.
    south = (context["region"] == "south").to_numpy()
    assert (conditioned.loc[south, "segment"] == "b").mean() > 0.9
    assert (out.loc[south, "segment"] == "b").mean() < 0.5


def test_conditions_without_context(fitted):
    out = fitted.sample(500, conditions={"segment": "b", "flag": True}, random_state=5)
    assert (out["segment"] == "b").all()
    assert out["flag"].all()
    with pytest.raises(DataValidationError, match="not a discrete column"):
        fitted.sample(5, conditions={"amount": 1.0})
    with pytest.raises(DataValidationError, match="not seen in fit"):
        fitted.sample(5, conditions={"segment": "zzz"})


def test_same_seed_same_rows_whatever_n_jobs(table, fitted):
    parallel = TreeSynthesizer(random_state=0, n_jobs=2).fit(table)
    pd.testing.assert_frame_equal(fitted.sample(300, random_state=7),
                                  parallel.sample(300, random_state=7))
    assert not fitted.sample(300, random_state=7).equals(fitted.sample(300, random_state=8))


def test_bit_identical_in_another_process(table, fitted, tmp_path):
    table.to_pickle(tmp_path / "table.pkl")
    code = (
        "import pandas as pd, sys; from synthohive import TreeSynthesizer; "
        f"t = pd.read_pickle({str(tmp_path / 'table.pkl')!r}); "
        "TreeSynthesizer(random_state=0).fit(t).sample(200, random_state=9)"
        f".to_pickle({str(tmp_path / 'out.pkl')!r})"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "123"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)
    pd.testing.assert_frame_equal(pd.read_pickle(tmp_path / "out.pkl"),  # noqa: S301 (ours)
                                  fitted.sample(200, random_state=9))


def test_save_load_and_joblib(table, fitted, tmp_path):
    expected = fitted.sample(100, random_state=11)
    fitted.save(tmp_path / "trees.shm")
    loaded = TreeSynthesizer.load(tmp_path / "trees.shm")
    pd.testing.assert_frame_equal(loaded.sample(100, random_state=11), expected)
    pd.testing.assert_frame_equal(loaded.training_metrics(), fitted.training_metrics())
    joblib.dump(fitted, tmp_path / "trees.joblib")
    again = joblib.load(tmp_path / "trees.joblib")
    pd.testing.assert_frame_equal(again.sample(100, random_state=11), expected)
    assert loaded.sample(50, quality_threshold=0.3).shape == (50, table.shape[1])


def test_quality_gate_names_the_column(table):
    model = TreeSynthesizer(random_state=0).fit(table)
    model.reference_ = TreeSynthesizer(random_state=0).fit(
        table.assign(amount=table["amount"] + 1e4)).reference_
    with pytest.raises(QualityGateError, match="amount"):
        model.sample(200, quality_threshold=0.2)


def test_tiny_and_constant_tables():
    tiny = pd.DataFrame({"x": [1.5, 2.5, 3.5], "c": ["a", "b", "a"]})
    out = TreeSynthesizer(random_state=0).fit(tiny).sample(10, random_state=0)
    assert out["x"].between(1.5, 3.5).all()
    assert set(out["c"]) <= {"a", "b"}
    constant = pd.DataFrame({"x": [7.0] * 30, "k": pd.array([3] * 30, dtype="Int64")})
    out = TreeSynthesizer(random_state=0).fit(constant).sample(5, random_state=0)
    assert (out["x"] == 7.0).all()
    assert (out["k"] == 3).all()
    assert str(out["k"].dtype) == "Int64"


def test_bad_input_and_params(table):
    with pytest.raises(NotFittedError):
        TreeSynthesizer().sample(3)
    with pytest.raises(DataValidationError, match="only missing values"):
        TreeSynthesizer().fit(pd.DataFrame({"x": [np.nan, np.nan]}))
    with pytest.raises(DataValidationError, match="min_samples_leaf"):
        TreeSynthesizer(min_samples_leaf=0).fit(table)
    with pytest.raises(DataValidationError, match="max_fit_rows"):
        TreeSynthesizer(max_fit_rows=1.5).fit(table)
    with pytest.raises(DataValidationError, match="infinite"):
        TreeSynthesizer().fit(pd.DataFrame({"x": [1.0, np.inf, 2.0]}))
    with pytest.raises(DataValidationError, match="n_samples"):
        TreeSynthesizer(random_state=0).fit(table).sample(0)
    assert clone(TreeSynthesizer(min_samples_leaf=3)).get_params()["min_samples_leaf"] == 3


def test_max_fit_rows_grows_on_a_subsample(table):
    model = TreeSynthesizer(max_fit_rows=500, pruning_fraction=0.0, random_state=0).fit(table)
    metrics = model.training_metrics()
    assert (metrics["rows"] <= 500).all()  # continuous trees grow on present values
    assert (metrics.loc[metrics["kind"] == "discrete", "rows"] == 500).all()
    assert (metrics["held_out"] == 0).all()
    pruned = TreeSynthesizer(max_fit_rows=500, random_state=0).fit(table).training_metrics()
    discrete = pruned[pruned["kind"] == "discrete"]
    assert (discrete["rows"] + discrete["held_out"] == 500).all()
    assert model.sample(100, random_state=0).shape == (100, table.shape[1])


def test_verbose_shows_progress(table, capsys):
    TreeSynthesizer(verbose=1, random_state=0).fit(table.iloc[:200])
    assert "column" in capsys.readouterr().err


def test_inside_relational_synthesizer():
    rng = np.random.default_rng(0)
    customers = pd.DataFrame({"customer_id": np.arange(60),
                              "vip": rng.random(60) < 0.3})
    orders = pd.DataFrame({"order_id": np.arange(600), "customer_id": rng.integers(0, 60, 600)})
    orders["amount"] = np.where(customers["vip"].to_numpy()[orders["customer_id"]], 100.0, 10.0
                                ) * rng.uniform(0.9, 1.1, 600)
    schema = Schema.from_dict({"tables": {
        "customers": {"primary_key": "customer_id"},
        "orders": {"primary_key": "order_id", "foreign_keys": [
            {"column": "customer_id", "references": "customers.customer_id"}]}}})
    synth = RelationalSynthesizer(schema, model=TreeSynthesizer(), random_state=0)
    synthetic = synth.fit({"customers": customers, "orders": orders}).sample(random_state=1)
    assert isinstance(synth.models_["orders"], TreeSynthesizer)
    joined = synthetic["orders"].merge(synthetic["customers"], on="customer_id")
    assert (joined.loc[joined["vip"], "amount"] > 50).mean() > 0.9
    assert (joined.loc[~joined["vip"], "amount"] < 50).mean() > 0.9


def test_categorical_role_keeps_integer_codes_seen_in_training():
    frame = pd.DataFrame({"code": np.arange(60) * 7, "x": np.linspace(0.0, 1.0, 60)})
    model = TreeSynthesizer(roles={"code": "categorical"}, min_samples_leaf=3,
                            random_state=0).fit(frame)
    sample = model.sample(300)
    assert sample["code"].isin(frame["code"]).all()
    assert sample["code"].dtype == frame["code"].dtype


def test_declared_constraints_refuse_breaking_training_data_and_hold_on_output():
    frame = pd.DataFrame({"distance": np.linspace(0.0, 4983.0, 80),
                          "kind": ["a", "b"] * 40})
    with pytest.raises(ConstraintViolationError, match="distance"):
        TreeSynthesizer(constraints={"distance": {"max": 500}}, random_state=0).fit(frame)
    bounded = frame.assign(distance=np.linspace(0.0, 500.0, 80))
    model = TreeSynthesizer(constraints={"distance": {"min": 0, "max": 500}},
                            min_samples_leaf=3, random_state=0).fit(bounded)
    sample = model.sample(500)
    assert sample["distance"].between(0, 500).all()


def test_datetimes_one_second_apart_are_distinct_features():
    # Seconds since 1970 in float32 are rounded to 128 s: counted from the training
    # minimum, two creation stamps one second apart still split the rows.
    rng = np.random.default_rng(0)
    n = 2000
    created = pd.Timestamp("2006-02-14 22:04:36") + pd.to_timedelta(
        rng.integers(0, 2, n), unit="s")
    context = pd.DataFrame({"created": created})
    late = np.asarray(created == created.max())
    X = pd.DataFrame({"spend": np.where(late, 100.0, 10.0) + rng.normal(0, 1, n)})
    model = TreeSynthesizer(random_state=0).fit(X, context=context)
    out = model.sample(context=context, random_state=1)
    assert np.corrcoef(late, out["spend"])[0, 1] > 0.95


def test_a_skewed_column_keeps_its_shape_in_wide_leaves():
    # Leaves of 10-19 rows have one bin: drawn evenly over a skewed leaf's range, the
    # sampled median doubled; on the column's quantile scale it stays.
    rng = np.random.default_rng(0)
    n = 900
    X = pd.DataFrame({"day": rng.integers(0, 600, n).astype(float),
                      "freight": rng.lognormal(3.5, 1.2, n).round(2)})
    model = TreeSynthesizer(random_state=0).fit(X)
    out = model.sample(random_state=1)
    assert ks_2samp(out["freight"], X["freight"]).statistic < 0.1
    assert abs(np.log(out["freight"].median() / X["freight"].median())) < 0.2


def test_pruning_keeps_synthetic_rows_as_far_from_training_rows_as_from_unseen_ones():
    rng = np.random.default_rng(0)
    n = 1500
    real = pd.DataFrame({"a": rng.choice(list("abcdefghijklmnopqrst"), n),
                         "b": rng.choice(list("abcdefghijklmnop"), n),
                         "c": rng.integers(0, 3, n).astype(str),
                         "x": rng.gamma(2, 10, n).round(1)})
    real["d"] = np.where(real["c"] == "0", "zero", "other")  # one real dependency
    train, holdout = real.iloc[:1000], real.iloc[1000:]
    shares = {}
    for fraction in (0.0, 0.25):
        model = TreeSynthesizer(pruning_fraction=fraction, random_state=0).fit(train)
        out = model.sample(1000, random_state=1)
        assert (out["d"] == np.where(out["c"] == "0", "zero", "other")).all()
        shares[fraction] = dcr_share(train, holdout, out)
    assert shares[0.0] > 0.55  # unpruned leaves repeat their rows' combinations
    assert shares[0.25] < 0.52
    assert shares[0.0] - shares[0.25] > 0.04


def test_growth_labels_keep_the_most_frequent_codes_and_pool_the_rest():
    codes = np.array([3, 3, 3, 1, 1, 0, 2, 4, 4, 4, 4])
    labels, n_labels = growth_labels(codes, 5, limit=3)
    assert n_labels == 3
    np.testing.assert_array_equal(labels, [1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0])
    same, n_same = growth_labels(codes, 5, limit=5)
    assert n_same == 5
    assert same is codes


def test_a_column_of_thousands_of_categories_keeps_its_dependence_cheaply():
    rng = np.random.default_rng(0)
    segment = rng.choice(list("abcd"), 20_000)
    code = np.char.add(np.char.add(segment.astype(str), "-"),
                       rng.integers(0, 1_000, 20_000).astype(str))
    table = pd.DataFrame({"segment": segment, "code": code})
    model = TreeSynthesizer(random_state=0, privacy=PrivacyConfig(detect=False)).fit(table)
    assert model.training_metrics()["fit_seconds"].max() < 5
    out = model.sample(5000, random_state=1)
    assert (out["code"].str[0] == out["segment"]).mean() > 0.95
    assert out["code"].nunique() > 1000  # rare categories are drawn, not only frequent ones


def test_a_column_of_mostly_distinct_categories_fits_without_warnings():
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"code": [f"c{i}" for i in rng.permutation(300)],
                          "group": rng.choice(["a", "b"], 300)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TreeSynthesizer(random_state=0).fit(table)
