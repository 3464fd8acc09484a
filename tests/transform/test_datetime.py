"""Datetimes as counts of their coarsest whole unit."""

import numpy as np
import pandas as pd
import pytest

from synthohive.transform._datetime import coarsest_unit, from_numbers, to_numbers


@pytest.mark.parametrize(("freq", "ticks"), [
    ("D", 86_400 * 10**9), ("h", 3_600 * 10**9), ("15min", 60 * 10**9), ("s", 10**9),
    ("ms", 10**6), ("us", 10**3),
])
def test_coarsest_unit_and_round_trip(freq, ticks):
    values = pd.date_range("2020-01-01", periods=50, freq=freq).to_numpy()
    factor = coarsest_unit(values)
    assert factor == ticks
    numbers = to_numbers(values, factor)
    np.testing.assert_array_equal(from_numbers(numbers, factor, str(values.dtype)), values)
    shifted = from_numbers(numbers + 0.4, factor, str(values.dtype))
    assert (shifted.view(np.int64) % factor == 0).all()  # decoded values stay whole units


def test_second_resolution_columns_use_their_own_unit():
    values = pd.date_range("2020-01-01", periods=10, freq="h").to_numpy().astype("datetime64[s]")
    assert coarsest_unit(values) == 3_600
