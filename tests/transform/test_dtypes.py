import numpy as np
import pandas as pd
import pytest

from synthohive.exceptions import DataValidationError
from synthohive.transform._dtypes import describe, extract, from_storable, restore, to_storable


@pytest.mark.parametrize("values", [
    np.array(["", "\x00", "a\x00b", "é", "😀"], dtype=object),
    np.array([], dtype=object),
    np.array([1, 2, 3]),
    np.array(["2020-01-01"], dtype="datetime64[s]"),
])
def test_storable_round_trip(values):
    stored = to_storable(values)
    if values.dtype == object:
        assert set(stored) == {"utf8", "offsets"}
        assert all(a.dtype != object for a in stored.values())
    back = from_storable(stored)
    assert back.dtype == values.dtype
    assert back.tolist() == values.tolist()


@pytest.mark.parametrize("series", [
    pd.Series([1, 2], dtype="int16"),
    pd.Series([1, None], dtype="UInt8"),
    pd.Series([True, None], dtype="boolean"),
    pd.Series([0.5, None], dtype="Float32"),
    pd.Series(["a", None], dtype="string"),
    pd.Series(["a", None], dtype="object"),
    pd.Series(pd.Categorical(["b", None], categories=["b", "a"])),
    pd.Series(pd.to_datetime(["2020-01-01", None]).astype("datetime64[ms]")),
])
def test_extract_restore_keeps_dtype_and_values(series):
    spec = describe(series, "col")
    values, null_mask = extract(series, spec)
    restored = pd.Series(restore(values, null_mask, spec), name=series.name)
    pd.testing.assert_series_equal(restored, series)


def test_describe_refuses_unsupported_dtypes():
    with pytest.raises(DataValidationError, match="'p'.*does not support"):
        describe(pd.Series(pd.period_range("2020", periods=2, freq="M")), "p")
    with pytest.raises(DataValidationError, match="'d'.*single type"):
        describe(pd.Series([pd.Timestamp("2020").date()], dtype=object), "d")
