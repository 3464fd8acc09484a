import numpy as np
import pandas as pd
import pytest

from synthohive.relational._values import observed_values, resample


def test_resample_at_pool_size_is_a_permutation():
    pool = np.array([f"name{i}" for i in range(50)])
    drawn = resample(pool, 0.0, 50, np.random.default_rng(0))
    assert sorted(drawn) == sorted(pool)
    assert drawn.tolist() != pool.tolist()


def test_resample_keeps_frequencies_and_null_rate():
    pool = np.array(["a", "a", "b", "c"])
    drawn = resample(pool, 0.25, 1000, np.random.default_rng(1))
    assert drawn.isna().sum() in (250, 251)
    counts = drawn.value_counts()
    non_null = int(drawn.notna().sum())
    assert abs(counts["a"] - non_null / 2) <= 1
    assert abs(counts["b"] - non_null / 4) <= 1
    assert isinstance(drawn.index, pd.RangeIndex)


@pytest.mark.parametrize("rate", [0.0, 0.3])
def test_resample_is_seeded_and_keeps_dtype(rate):
    pool = observed_values(pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01", None])))
    one = resample(pool, rate, 20, np.random.default_rng(5))
    two = resample(pool, rate, 20, np.random.default_rng(5))
    pd.testing.assert_series_equal(one, two)
    assert pd.api.types.is_datetime64_any_dtype(one)


def test_empty_pool_gives_nulls():
    drawn = resample(np.array([], dtype=str), 0.0, 3, np.random.default_rng(0))
    assert drawn.isna().all()
    assert len(drawn) == 3
