"""Property-based round trips (few examples: each one fits mixtures)."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from synthohive import DataTransformer

_SETTINGS = settings(max_examples=10, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])

floats = arrays(np.float64, st.integers(1, 60),
                elements=st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False))


@_SETTINGS
@given(values=floats, seed=st.integers(0, 2**31 - 2))
def test_continuous_values_round_trip(values, seed):
    frame = pd.DataFrame({"v": values})
    transformer = DataTransformer(max_modes=4, random_state=seed).fit(frame)
    z = transformer.transform(frame)
    assert np.all(np.abs(z[:, 0]) <= 1.0)
    back = transformer.inverse_transform(z)["v"].to_numpy()
    scale = max(1.0, float(np.ptp(values)))
    np.testing.assert_allclose(back, values, rtol=1e-6, atol=1e-12 * scale)


@_SETTINGS
@given(values=st.lists(st.one_of(st.none(), st.text(max_size=5)), min_size=1, max_size=40))
def test_text_with_missing_values_round_trips(values):
    frame = pd.DataFrame({"s": pd.Series(values, dtype=object)})
    if frame["s"].isna().all():
        return
    transformer = DataTransformer().fit(frame)
    back = transformer.inverse_transform(transformer.transform(frame))
    pd.testing.assert_frame_equal(back, frame)
