import numpy as np
import pandas as pd
import pytest

from synthohive.metrics import ReferenceProfile, column_distances, pair_distances
from synthohive.persistence import dump_bytes, load_bytes


@pytest.fixture(scope="module")
def frames():
    rng = np.random.default_rng(5)
    n = 20000
    real = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "y": rng.exponential(size=n),
            "c": pd.Series(rng.choice(list("abcde"), n), dtype="string"),
            "i": rng.integers(0, 5, n),
            "t": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 10**7, n), unit="s"),
            "b": rng.random(n) < 0.3,
            "cat": pd.Categorical(rng.choice(["u", "v"], n)),
        }
    )
    real.loc[::7, "x"] = np.nan
    synthetic = real.sample(frac=0.5, random_state=1).reset_index(drop=True)
    synthetic["x"] = synthetic["x"] + 0.2
    synthetic["t"] = synthetic["t"] + pd.Timedelta(days=10)
    return real, synthetic


def test_reference_metrics_close_to_row_metrics(frames):
    real, synthetic = frames
    profile = ReferenceProfile.fit(real, max_atoms=500)
    from_reference = profile.column_distances(synthetic)
    from_rows = column_distances(real, synthetic)
    assert from_reference.metric.tolist() == from_rows.metric.tolist()
    np.testing.assert_allclose(from_reference.distance, from_rows.distance, atol=2.5 / 500)
    np.testing.assert_allclose(from_reference.null_rate_difference, from_rows.null_rate_difference)
    # few categories: TVD is exact
    discrete = from_rows.metric.eq("TVD").to_numpy()
    np.testing.assert_allclose(from_reference.distance[discrete], from_rows.distance[discrete])
    assert from_rows.set_index("column").loc["x", "distance"] > 0.05
    pd.testing.assert_frame_equal(
        profile.pair_distances(synthetic), pair_distances(real, synthetic)
    )


def test_category_cap_pools_rare_values():
    real = pd.DataFrame({"s": [f"v{i % 50}" for i in range(1000)]})
    profile = ReferenceProfile.fit(real, max_categories=10)
    assert profile.column_distances(real).distance.tolist() == [0.0]
    other = pd.DataFrame({"s": ["v0"] * 1000})
    assert profile.column_distances(other).distance.iloc[0] == pytest.approx(0.98)


def test_reference_persists_without_rows(frames):
    real, synthetic = frames
    profile = ReferenceProfile.fit(real)
    data = dump_bytes(profile)
    loaded = load_bytes(data, expected=ReferenceProfile)
    pd.testing.assert_frame_equal(
        loaded.column_distances(synthetic), profile.column_distances(synthetic)
    )
    pd.testing.assert_frame_equal(
        loaded.pair_distances(synthetic), profile.pair_distances(synthetic)
    )
    assert loaded.distributions(synthetic) == profile.distributions(synthetic)
    # summaries only: far smaller than the table, no more than max_atoms values a column
    assert len(data) < real.memory_usage(deep=True).sum() / 5
    state = profile._to_state()
    for sketch in state["sketches"]:
        assert len(sketch.get("values", sketch.get("categories"))) <= 1000


def test_reference_refuses_missing_columns(frames):
    real, _ = frames
    profile = ReferenceProfile.fit(real)
    with pytest.raises(ValueError, match=r"lacks columns \['x'\]"):
        profile.column_distances(real.drop(columns="x"))


def _odd_columns():
    n = 40
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "Int64": pd.array([None] * 5 + list(range(35)), dtype="Int64"),
            "Float64": pd.array(rng.normal(size=n), dtype="Float64"),
            "boolean": pd.array([True, False, None, True] * 10, dtype="boolean"),
            "string": pd.array(["a", "b", None, "c"] * 10, dtype="string"),
            "pyarrow": pd.array(["a", "b", None, "c"] * 10, dtype="string[pyarrow]"),
            "tz": pd.date_range("2020", periods=n, freq="h", tz="Europe/Paris"),
            "seconds": pd.date_range("2020", periods=n, freq="D").astype("datetime64[s]"),
            "all_null": [np.nan] * n,
            "all_none": [None] * n,
            "mixed": [1, "a", 2.5, None] * 10,
            "category": pd.Categorical(rng.integers(0, 3, n)),
            "uint8": rng.integers(0, 200, n).astype("uint8"),
            "timedelta": pd.to_timedelta(rng.integers(0, 100, n), unit="s"),
            "infinite": [np.inf, -np.inf] + [1.0] * (n - 2),
        }
    )


def test_any_dtype_fits_compares_and_persists(tmp_path):
    frame = _odd_columns()
    profile = load_bytes(dump_bytes(ReferenceProfile.fit(frame)))
    columns, pairs, plots = profile.compare(frame)
    assert columns.distance.max() == 0.0
    assert pairs.distance.max() == pytest.approx(0.0, abs=1e-12)
    assert set(plots) == set(frame.columns)
    empty, _, _ = profile.compare(frame.iloc[:0])
    assert empty.set_index("column").loc["Int64", "distance"] == 1.0
    assert empty.set_index("column").loc["all_null", "distance"] == 0.0


@pytest.mark.parametrize("series", [
    pd.Series([1.5, np.nan, -2.0], dtype="float32"),
    pd.Series([3, 1, 2]),
    pd.Series([True, False, True]),
    pd.Series(pd.to_datetime(["2020-01-02", None, "2021-03-04"])).astype("datetime64[s]"),
    pd.Series([1, None, 3], dtype="Int64"),
    pd.Series(pd.to_datetime(["2020-01-02", None]).tz_localize("Europe/Paris")),
], ids=["float32", "int", "bool", "datetime-s", "nullable", "tz-aware"])
def test_numeric_encoding_reads_numpy_columns_like_pandas(series):
    from synthohive.metrics._column import ordered_values
    from synthohive.metrics._sketch import NumericSketch

    present, values = NumericSketch.encode(series, "v")
    np.testing.assert_array_equal(present, series.notna().to_numpy())
    np.testing.assert_array_equal(values, ordered_values(series))
    assert values.dtype == ordered_values(series).dtype
    assert NumericSketch.null_share((present, values)) == float(series.isna().mean())


def test_sketch_ks_and_histograms_match_the_generic_ones():
    from synthohive.metrics._column import ks_from_cdf
    from synthohive.metrics._sketch import NumericSketch

    rng = np.random.default_rng(3)
    real = pd.Series(np.round(rng.gamma(2.0, 3.0, 4000), 1))
    sketch = NumericSketch.fit(real, 300, 10, "x")
    for synthetic in (np.round(rng.gamma(2.2, 3.0, 2500), 1), rng.normal(0, 1, 50),
                      np.array([np.inf, 1.0, 1.0]), np.zeros(0)):
        ordered = np.sort(synthetic)
        assert sketch._distance(ordered) == ks_from_cdf(sketch.values, sketch.cdf, ordered)
        plot = sketch._plot(ordered)
        edges = np.array(plot["edges"])
        weights = np.diff(np.concatenate([[0.0], sketch.cdf]))
        assert plot["real"] == np.histogram(sketch.values, edges, weights=weights)[0].tolist()
        expected = np.histogram(synthetic, edges)[0] / max(len(synthetic), 1)
        assert plot["synthetic"] == expected.tolist()
