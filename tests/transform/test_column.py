"""ColumnCodec: one column's encoding, on its own."""

import numpy as np
import pandas as pd
import pytest

from synthohive.exceptions import DataValidationError
from synthohive.transform._column import CodecOptions, ColumnCodec
from synthohive.transform._readers import MatrixReader
from synthohive.transform._spans import OutputSpan

OPTIONS = CodecOptions(max_modes=5, weight_threshold=0.005, max_fit_rows=10_000,
                       discrete_int_threshold=10, max_categories=None)


def _spans(codec):
    spans, start = [], 0
    for kind, activation, width in codec.widths():
        spans.append(OutputSpan(codec.name, kind, activation, start, width))
        start += width
    return spans, start


@pytest.mark.parametrize("series", [
    pd.Series(["a", "b", None, "a", "c"] * 40, dtype="string"),
    pd.Series(np.random.default_rng(0).normal(5, 2, 200).round(3)),
    pd.Series(pd.to_datetime("2024-01-01") + pd.to_timedelta(np.arange(200), unit="D")),
    pd.Series([1, 2, None, 4] * 50, dtype="Int64"),
])
def test_encode_decode_round_trip_keeps_dtype_and_nulls(series):
    codec = ColumnCodec.fit(series, "c", "c", False, OPTIONS, seed=0)
    spans, width = _spans(codec)
    out = np.zeros((len(series), width))
    codec.encode(series, iter(spans), out, "error")
    restored = pd.Series(codec.decode(MatrixReader(out), iter(spans)))
    assert restored.dtype == series.dtype == codec.restored_dtype
    np.testing.assert_array_equal(restored.isna(), series.isna())
    if codec.is_discrete or series.dtype.kind == "M":
        pd.testing.assert_series_equal(restored, series, check_names=False)
    else:
        np.testing.assert_allclose(restored.to_numpy(float), series.to_numpy(float), rtol=1e-6)


def test_kinds_state_and_errors():
    small_ints = pd.Series([1, 2, 3] * 10)
    assert ColumnCodec.fit(small_ints, "n", "n", False, OPTIONS, seed=0).is_discrete
    many = pd.Series(np.arange(100))
    codec = ColumnCodec.fit(many, "n", "n", False, OPTIONS, seed=0)
    assert not codec.is_discrete
    assert [kind for kind, _, _ in codec.widths()] == ["continuous_value", "continuous_mode"]
    assert ColumnCodec.from_state(codec.to_state()).to_state().keys() == codec.to_state().keys()
    assert ColumnCodec.fit(many, "n", "n", True, OPTIONS, seed=0).is_discrete
    with pytest.raises(DataValidationError, match="only missing values"):
        ColumnCodec.fit(pd.Series([None, None], dtype="Float64"), "e", "e", False, OPTIONS, 0)
    with pytest.raises(DataValidationError, match="max_categories=2"):
        ColumnCodec.fit(pd.Series(list("abc")), "t", "t", False,
                        CodecOptions(5, 0.005, 10_000, 10, 2), 0)
    with pytest.raises(DataValidationError, match="infinite"):
        ColumnCodec.fit(pd.Series([1.5, np.inf, 2.5] * 10), "f", "f", False, OPTIONS, 0)
    text = ColumnCodec.fit(pd.Series(list("ab") * 5), "t", "t", False, OPTIONS, 0)
    spans, width = _spans(text)
    with pytest.raises(DataValidationError, match="not seen during fit"):
        text.encode(pd.Series(list("abz")), iter(spans), np.zeros((3, width)), "error")
    out = np.zeros((3, width))
    text.encode(pd.Series(list("abz")), iter(spans), out, "ignore")
    assert out[2].sum() == 0
