import numpy as np
import pandas as pd
import pytest

from synthohive.exceptions import DataValidationError
from synthohive.metrics._privacy import dcr_share, exact_copy_share, nn_distance_ratio, pii_reuse


def _population(n_rows, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, n_rows),
            "income": rng.lognormal(10, 1, n_rows),
            "city": rng.choice(["Lyon", "Oslo", "Rome", "Kyiv"], n_rows),
            "joined": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 900, n_rows), "D"),
            "vip": rng.random(n_rows) < 0.2,
        }
    )


def test_exact_copy_share_counts_rows_equal_to_a_real_row_with_nulls_equal():
    real = pd.DataFrame({"a": [1, 2, None], "b": ["x", "y", None]})
    synthetic = pd.DataFrame({"a": [1.0, None, 3.0, 2.0], "b": ["x", None, "z", "x"]})
    assert exact_copy_share(real, synthetic) == 0.5


def test_exact_copy_share_compares_given_columns_and_handles_dtype_differences():
    real = pd.DataFrame({"id": [1, 2], "c": pd.Categorical(["u", "v"])})
    synthetic = pd.DataFrame({"id": [7, 8], "c": ["v", "w"]})
    assert exact_copy_share(real, synthetic, columns=["c"]) == 0.5
    assert exact_copy_share(real, synthetic) == 0.0
    assert exact_copy_share(real, synthetic.iloc[:0]) == 0.0


def test_exact_copy_share_of_a_copy_is_one_and_of_new_rows_zero():
    real = _population(300)
    assert exact_copy_share(real, real.sample(frac=1.0, random_state=1)) == 1.0
    shifted = real.assign(income=real["income"] + 0.5)
    assert exact_copy_share(real, shifted) == 0.0


def test_dcr_share_of_an_independent_sample_is_about_half():
    population = _population(3000, seed=1)
    train, holdout, synthetic = (
        population.iloc[:1000],
        population.iloc[1000:2000],
        population.iloc[2000:],
    )
    assert dcr_share(train, holdout, synthetic) == pytest.approx(0.5, abs=0.05)


def test_dcr_share_of_a_copy_of_train_is_about_one():
    population = _population(1000, seed=2)
    train, holdout = population.iloc[:500], population.iloc[500:]
    assert dcr_share(train, holdout, train.copy()) > 0.95


def test_dcr_share_subsamples_train_to_the_holdout_size_and_is_deterministic():
    population = _population(2400, seed=3)
    train, holdout, synthetic = (
        population.iloc[:2000],
        population.iloc[2000:2200],
        population.iloc[2200:],
    )
    first = dcr_share(train, holdout, synthetic, random_state=5)
    assert first == dcr_share(train, holdout, synthetic, random_state=5)
    assert first == pytest.approx(0.5, abs=0.1)
    capped = dcr_share(train, holdout, synthetic, max_rows=50, random_state=5)
    assert 0.0 <= capped <= 1.0


def test_dcr_share_is_nan_without_rows_and_rejects_missing_columns():
    population = _population(50)
    assert np.isnan(dcr_share(population, population.iloc[:0], population))
    with pytest.raises(DataValidationError, match="nope"):
        dcr_share(population, population, population, columns=["nope"])


def test_nn_distance_ratio_is_zero_for_copies_and_high_for_new_rows():
    population = _population(2000, seed=4)
    real, fresh = population.iloc[:1000], population.iloc[1000:]
    assert nn_distance_ratio(real, real.iloc[:200]) == 0.0
    assert nn_distance_ratio(real, fresh) > 0.5
    assert np.isnan(nn_distance_ratio(real.iloc[:1], fresh))


def test_mixed_distance_counts_a_category_mismatch_like_one_robust_range():
    train = pd.DataFrame({"x": np.linspace(0.0, 1.0, 101), "c": ["a"] * 101})
    holdout = train.assign(c="b")
    synthetic = pd.DataFrame({"x": [0.5], "c": ["a"]})
    assert dcr_share(train, holdout, synthetic) == 1.0
    assert dcr_share(holdout, train, synthetic) == 0.0


def test_pii_reuse_counts_distinct_real_values_in_any_text_column():
    real = pd.DataFrame({"email": ["a@x.org", "b@y.net", "a@x.org", None], "n": [1, 2, 3, 4]})
    tables = {
        "t1": pd.DataFrame({"contact": ["a@x.org", "z@z.z"], "n": [1, 2]}),
        "t2": pd.DataFrame({"mail": pd.Categorical(["b@y.net"]), "other": [None]}),
    }
    assert pii_reuse(real, tables, ["email"]) == 2
    assert pii_reuse(real, tables["t1"], ["email"]) == 1
    assert pii_reuse(real, pd.DataFrame({"n": [1, 2, 3]}), ["n"]) == 3
    assert pii_reuse(real, tables, []) == 0
    with pytest.raises(DataValidationError, match="phone"):
        pii_reuse(real, tables, ["phone"])
