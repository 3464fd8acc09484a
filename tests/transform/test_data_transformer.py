import hashlib
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from synthohive import DataTransformer
from synthohive.exceptions import (
    ConstraintViolationError,
    DataValidationError,
    NotFittedError,
)
from synthohive.persistence import dump_bytes, load_bytes
from synthohive.transform import OutputSpan
from tests.transform.conftest import mixed_frame, read_real_table


def assert_round_trip(original, restored, rtol=1e-6, share=0.999):
    """Exact dtypes and discrete values; continuous values within rtol for >= share."""
    assert list(restored.columns) == list(original.columns)
    pd.testing.assert_index_equal(restored.index, original.index)
    for column in original.columns:
        want, got = original[column], restored[column]
        assert got.dtype == want.dtype, column
        np.testing.assert_array_equal(got.isna().to_numpy(), want.isna().to_numpy(), column)
        if pd.api.types.is_float_dtype(want.dtype):
            present = want.notna().to_numpy()
            a = want.to_numpy(dtype=np.float64)[present]
            b = got.to_numpy(dtype=np.float64)[present]
            close = np.abs(a - b) <= rtol * np.maximum(np.abs(a), 1e-300)
            assert close.mean() >= share, (column, close.mean())
        else:
            pd.testing.assert_series_equal(got, want, check_exact=True)


def numeric_payload(transformer, frame):
    z = transformer.transform(frame)
    return hashlib.sha256(np.ascontiguousarray(z).tobytes()).hexdigest()


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize(("dataset", "table", "nrows"), [
    ("chinook", "track", 800),
    ("sakila", "payment", 3000),
])
def test_round_trip_on_real_table(dataset, table, nrows):
    frame = read_real_table(dataset, table, nrows)
    transformer = DataTransformer(random_state=0).fit(frame)
    z = transformer.transform(frame)
    assert z.shape == (len(frame), transformer.output_dim_)
    assert_round_trip(frame, transformer.inverse_transform(z))


def test_real_table_column_kinds():
    frame = read_real_table("sakila", "payment", 3000)
    transformer = DataTransformer(random_state=0).fit(frame)
    assert transformer.discrete_columns_ == ["staff_id"]
    assert transformer.datetime_columns_ == ["payment_date", "last_update"]
    assert "rental_id" in transformer.continuous_columns_
    assert str(transformer.dtypes_["rental_id"]) == "Int64"


def test_every_dtype_round_trips(mixed, fitted_mixed):
    restored = fitted_mixed.inverse_transform(fitted_mixed.transform(mixed))
    assert_round_trip(mixed, restored)
    assert list(restored["category"].cat.categories) == ["z", "y", "x", "unused"]
    assert restored["category"].cat.ordered
    assert restored["string"].dtype == pd.StringDtype("python")


@pytest.mark.parametrize("column", list(mixed_frame(n=10).columns))
def test_single_column_round_trip(mixed, column):
    frame = mixed[[column]]
    transformer = DataTransformer(max_modes=3, random_state=1).fit(frame)
    assert_round_trip(frame, transformer.inverse_transform(transformer.transform(frame)))


@pytest.mark.parametrize("dtype", ["int8", "int32", "uint16", "uint64", "float32", "float16"])
def test_numpy_numeric_dtypes(dtype):
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"v": (rng.random(300) * 100).astype(dtype)})
    transformer = DataTransformer(max_modes=3, random_state=0).fit(frame)
    assert_round_trip(frame, transformer.inverse_transform(transformer.transform(frame)))


@pytest.mark.parametrize("storage", ["python", "pyarrow"])
def test_string_storage_and_nan_string_dtype(storage):
    values = ["a", None, "b", "a"] * 10
    frames = [
        pd.DataFrame({"s": pd.array(values, dtype=pd.StringDtype(storage))}),
        pd.DataFrame({"s": pd.array(values, dtype=pd.StringDtype(storage, na_value=np.nan))}),
    ]
    for frame in frames:
        transformer = DataTransformer().fit(frame)
        assert_round_trip(frame, transformer.inverse_transform(transformer.transform(frame)))


def test_object_columns_of_numbers_and_bools_keep_python_types():
    frame = pd.DataFrame({
        "ints": pd.Series([1, 2, 3, 2] * 5, dtype=object),
        "bools": pd.Series([True, False, None, True] * 5, dtype=object),
        "text": pd.Series(["a", np.nan, "b", "c"] * 5, dtype=object),
        "text_na": pd.Series(["a", pd.NA, "b", "c"] * 5, dtype=object),
    })
    original = frame.copy()
    transformer = DataTransformer().fit(frame)
    restored = transformer.inverse_transform(transformer.transform(frame))
    pd.testing.assert_frame_equal(frame, original)
    assert_round_trip(frame, restored)
    assert type(restored["ints"].iloc[0]) is int
    assert restored["bools"].iloc[2] is None
    assert restored["text"].iloc[1] is not None
    assert np.isnan(restored["text"].iloc[1])
    assert restored["text_na"].iloc[1] is pd.NA


def test_category_with_integer_categories():
    frame = pd.DataFrame({"c": pd.Categorical([3, 1, 3, 2, None] * 8, categories=[3, 2, 1])})
    transformer = DataTransformer().fit(frame)
    np.testing.assert_array_equal(transformer.categories_["c"], [3, 2, 1])
    assert_round_trip(frame, transformer.inverse_transform(transformer.transform(frame)))


def test_datetimes_are_whole_units_and_restore_exactly():
    days = pd.Series(pd.date_range("1990-01-01", periods=200, freq="7D"))
    seconds = days + pd.to_timedelta(np.arange(200) * 37, unit="s")
    frame = pd.DataFrame({"days": days, "seconds": seconds,
                          "coarse": days.astype("datetime64[s]")})
    transformer = DataTransformer(random_state=0).fit(frame)
    factors = {c.name: c.datetime_factor for c in transformer._columns}
    assert factors == {"days": 86_400 * 10**9, "seconds": 10**9, "coarse": 86_400}
    restored = transformer.inverse_transform(transformer.transform(frame))
    pd.testing.assert_frame_equal(restored, frame)


def test_integer_continuous_values_restore_exactly():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"big": rng.integers(-(10**12), 10**12, 500)})
    transformer = DataTransformer(random_state=0).fit(frame)
    assert transformer.continuous_columns_ == ["big"]
    pd.testing.assert_frame_equal(
        transformer.inverse_transform(transformer.transform(frame)), frame
    )


def test_extreme_magnitudes_round_trip():
    frame = pd.DataFrame({
        "huge": [1e300, -1e300, 2e300, 5e299] * 5,
        "tiny": [1e-300, 3e-300, 2e-300, 0.0] * 5,
        "constant": [7.5] * 20,
    })
    transformer = DataTransformer(random_state=0).fit(frame)
    assert_round_trip(frame, transformer.inverse_transform(transformer.transform(frame)))


def test_float_decimals_are_learned_and_applied():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "price": np.round(rng.lognormal(2, 1, 500), 2),
        "zeros": np.where(rng.random(500) < 0.3, 0.0, np.round(rng.normal(1e6, 1e5, 500), 1)),
        "f32": np.round(rng.normal(5, 1, 500), 3).astype("float32"),
        "raw": rng.normal(size=500),
    })
    transformer = DataTransformer(random_state=0).fit(frame)
    decimals = {c.name: c.decimals for c in transformer._columns}
    assert decimals == {"price": 2, "zeros": 1, "f32": 3, "raw": None}
    restored = transformer.inverse_transform(transformer.transform(frame))
    pd.testing.assert_frame_equal(restored[["price", "zeros", "f32"]],
                                  frame[["price", "zeros", "f32"]], check_exact=True)
    generated = transformer.inverse_transform(rng.normal(size=(50, transformer.output_dim_)))
    np.testing.assert_array_equal(generated["price"], np.round(generated["price"], 2))


def test_numpy_array_input_round_trips_as_array():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=200), rng.integers(0, 3, 200), rng.lognormal(size=200)])
    X[::17, 2] = np.nan
    transformer = DataTransformer(max_modes=4, discrete_columns=["x1"], random_state=0).fit(X)
    assert transformer.discrete_columns_ == ["x1"]
    assert transformer.continuous_columns_ == ["x0", "x2"]
    assert [s.kind for s in transformer.output_info_][-1] == "null"
    restored = transformer.inverse_transform(transformer.transform(X))
    assert isinstance(restored, np.ndarray)
    assert restored.dtype == X.dtype
    np.testing.assert_allclose(restored, X, rtol=1e-6)
    assert not hasattr(transformer, "feature_names_in_")


def test_object_array_of_text_round_trips_as_array():
    X = np.array([["a", "x"], ["b", None], ["a", "y"]] * 4, dtype=object)
    transformer = DataTransformer().fit(X)
    assert transformer.discrete_columns_ == ["x0", "x1"]
    restored = transformer.inverse_transform(transformer.transform(X))
    assert restored.dtype == object
    np.testing.assert_array_equal(restored, X)


def test_integer_labelled_frame_keeps_labels():
    frame = pd.DataFrame({0: [1.0, 2.5, 3.0, 8.0] * 5, 1: ["a", "b", "b", "a"] * 5})
    transformer = DataTransformer(random_state=0).fit(frame)
    restored = transformer.inverse_transform(transformer.transform(frame))
    assert list(restored.columns) == [0, 1]
    assert [s.column for s in transformer.output_info_] == ["x0", "x0", "x1"]


# ------------------------------------------------------------------- layout


def test_output_layout_is_contiguous_and_typed(mixed, fitted_mixed):
    spans = fitted_mixed.output_info_
    assert all(isinstance(s, OutputSpan) for s in spans)
    assert spans[0].start == 0
    assert all(a.stop == b.start for a, b in zip(spans, spans[1:], strict=False))
    assert spans[-1].stop == fitted_mixed.output_dim_
    for span in spans:
        assert span.activation == ("tanh" if span.kind == "continuous_value" else "softmax")
        if span.kind == "null":
            assert span.width == 2
    with_nulls = {s.column for s in spans if s.kind == "null"}
    assert with_nulls == {c for c in mixed.columns if mixed[c].isna().any()}
    z = fitted_mixed.transform(mixed)
    for span in spans:
        block = z[:, span.slice]
        if span.kind == "continuous_value":
            assert np.all(np.abs(block) <= 1.0)
        else:
            np.testing.assert_array_equal(block.sum(axis=1), 1.0)
            assert set(np.unique(block)) <= {0.0, 1.0}


def test_null_block_marks_missing_rows(mixed, fitted_mixed):
    z = fitted_mixed.transform(mixed)
    span = next(s for s in fitted_mixed.output_info_ if s.column == "float64" and s.kind == "null")
    np.testing.assert_array_equal(z[:, span.start + 1] == 1.0, mixed["float64"].isna())


def test_discrete_rule_and_forced_discrete_columns():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "few": rng.integers(0, 10, 300),
        "many": rng.integers(0, 11, 300),
        "price": rng.choice([0.99, 1.99], 300),
        "whole_floats": rng.integers(0, 3, 300).astype(float),
        "nullable": pd.array(rng.integers(0, 3, 300), dtype="Int64"),
    })
    default = DataTransformer(random_state=0).fit(frame)
    assert default.discrete_columns_ == ["few", "nullable"]
    assert default.continuous_columns_ == ["many", "price", "whole_floats"]
    assert DataTransformer(discrete_int_threshold=0).fit(frame).discrete_columns_ == []
    forced = DataTransformer(discrete_columns=["price"], random_state=0).fit(frame)
    assert forced.discrete_columns_ == ["few", "price", "nullable"]
    np.testing.assert_array_equal(forced.categories_["price"], [0.99, 1.99])
    assert_round_trip(frame, forced.inverse_transform(forced.transform(frame)))


def test_categories_frequencies_and_index(fitted_mixed, mixed):
    np.testing.assert_array_equal(fitted_mixed.categories_["category"], ["z", "y", "x"])
    assert fitted_mixed.categories_["object"].dtype == object
    freq = fitted_mixed.category_frequencies_["object"]
    expected = mixed["object"].value_counts(normalize=True).sort_index().to_numpy()
    np.testing.assert_allclose(freq, expected)
    assert fitted_mixed.category_index("object", "vv") == 1
    assert fitted_mixed.category_index("bool", True) == 1
    with pytest.raises(DataValidationError, match=r"'nope'.*'object'"):
        fitted_mixed.category_index("object", "nope")
    with pytest.raises(DataValidationError, match="'float64' is not a discrete column"):
        fitted_mixed.category_index("float64", 1.0)


def test_inverse_accepts_soft_blocks_and_out_of_range_scalars(mixed, fitted_mixed):
    z = fitted_mixed.transform(mixed)
    rng = np.random.default_rng(0)
    soft = z * 0.9 + rng.uniform(0, 0.05, z.shape)
    for span in fitted_mixed.output_info_:
        if span.kind == "continuous_value":
            soft[:, span.start] = z[:, span.start]
    assert_round_trip(mixed, fitted_mixed.inverse_transform(soft))
    generated = rng.normal(0, 3, z.shape)
    restored = fitted_mixed.inverse_transform(generated)
    assert list(restored.dtypes) == list(mixed.dtypes)


def _compact(transformer, matrix):
    soft = [s for s in transformer.output_info_ if s.activation == "softmax"]
    tanh = [s for s in transformer.output_info_ if s.activation == "tanh"]
    codes = np.stack([np.argmax(matrix[:, s.slice], axis=1) for s in soft], axis=1)
    scalars = np.stack([matrix[:, s.start] for s in tanh], axis=1)
    return codes, scalars


def test_decode_equals_inverse_transform_of_the_one_hot_matrix(mixed, fitted_mixed):
    rng = np.random.default_rng(2)
    generated = rng.normal(0, 1.5, fitted_mixed.transform(mixed).shape)
    codes, scalars = _compact(fitted_mixed, generated.astype(np.float32))
    one_hot = np.zeros_like(generated)
    soft = [s for s in fitted_mixed.output_info_ if s.activation == "softmax"]
    for k, span in enumerate(soft):
        one_hot[np.arange(len(one_hot)), span.start + codes[:, k]] = 1.0
    for span in fitted_mixed.output_info_:
        if span.activation == "tanh":
            one_hot[:, span.start] = generated[:, span.start].astype(np.float32)
    pd.testing.assert_frame_equal(fitted_mixed.decode(codes, scalars),
                                  fitted_mixed.inverse_transform(one_hot))


def test_decode_round_trips_and_rejects_bad_input(mixed, fitted_mixed):
    codes, scalars = _compact(fitted_mixed, fitted_mixed.transform(mixed))
    assert_round_trip(mixed, fitted_mixed.decode(codes, scalars))
    with pytest.raises(DataValidationError, match="shape"):
        fitted_mixed.decode(codes[:, 1:], scalars)
    with pytest.raises(DataValidationError, match="integer codes"):
        fitted_mixed.decode(codes.astype(float), scalars)
    too_big = codes.copy()
    too_big[0, 0] = 10_000
    with pytest.raises(DataValidationError, match="outside its span"):
        fitted_mixed.decode(too_big, scalars)
    bad = scalars.copy()
    bad[3, 0] = np.nan
    with pytest.raises(DataValidationError, match="non-finite"):
        fitted_mixed.decode(codes, bad)
    with pytest.raises(NotFittedError):
        DataTransformer().decode(codes, scalars)


def test_mode_assignment_is_row_order_and_batch_invariant(mixed, fitted_mixed):
    z = fitted_mixed.transform(mixed)
    order = np.random.default_rng(1).permutation(len(mixed))
    np.testing.assert_array_equal(fitted_mixed.transform(mixed.iloc[order]), z[order])
    np.testing.assert_array_equal(fitted_mixed.transform(mixed.iloc[:7]), z[:7])


def test_values_spread_over_modes():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(0, 1, 500), rng.normal(8, 1, 500)])
    transformer = DataTransformer(random_state=0).fit(pd.DataFrame({"v": values}))
    z = transformer.transform(pd.DataFrame({"v": values}))
    modes = np.argmax(z[:, transformer.output_info_[1].slice], axis=1)
    assert len(np.unique(modes[:500])) >= 1
    assert not np.intersect1d(np.unique(modes[:500]), np.unique(modes[500:])).size


def test_handle_unknown_ignore_encodes_zero_block():
    frame = pd.DataFrame({"c": ["a", "b", "a"] * 5})
    transformer = DataTransformer(handle_unknown="ignore").fit(frame)
    z = transformer.transform(pd.DataFrame({"c": ["a", "new"]}))
    np.testing.assert_array_equal(z, [[1.0, 0.0], [0.0, 0.0]])


def test_feature_names_and_pandas_output(mixed, fitted_mixed):
    names = fitted_mixed.get_feature_names_out()
    assert len(names) == fitted_mixed.output_dim_
    assert len(set(names)) == len(names)
    assert {"int64.value", "int64.mode_0", "object=vv", "float64.null"} <= set(names)
    transformer = clone(fitted_mixed).set_output(transform="pandas")
    frame = mixed.set_index(pd.RangeIndex(100, 100 + len(mixed)))
    z = transformer.fit_transform(frame)
    assert isinstance(z, pd.DataFrame)
    assert list(z.columns) == list(transformer.get_feature_names_out())
    pd.testing.assert_index_equal(z.index, frame.index)
    assert_round_trip(frame, transformer.inverse_transform(z))


def test_inside_pipeline_and_column_transformer(mixed):
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    frame = mixed[["float32", "object", "bool"]]
    composed = ColumnTransformer(
        [("encode", DataTransformer(max_modes=3, random_state=0), ["float32", "object"])],
        remainder="passthrough",
    ).set_output(transform="pandas")
    out = composed.fit_transform(frame)
    encoder = composed.named_transformers_["encode"]
    assert out.shape == (len(frame), encoder.output_dim_ + 1)
    assert "encode__object=vv" in out.columns
    pipeline = make_pipeline(DataTransformer(max_modes=3, random_state=0),
                             FunctionTransformer(np.tanh, inverse_func=np.arctanh))
    assert pipeline.fit_transform(frame).shape[0] == len(frame)
    assert_round_trip(frame, pipeline.inverse_transform(pipeline.transform(frame)))


# -------------------------------------------------------------- determinism

_CHILD = """
import sys
sys.path.insert(0, {root!r})
from tests.transform.conftest import mixed_frame
from tests.transform.test_data_transformer import fit_fingerprint
print(fit_fingerprint(mixed_frame(n=300, seed=4), random_state=7))
"""


def fit_fingerprint(frame, random_state):
    """SHA-256 of every fitted mixture parameter and of the transformed matrix."""
    transformer = DataTransformer(max_modes=4, random_state=random_state).fit(frame)
    digest = hashlib.sha256()
    for column in transformer._columns:
        if column.normalizer is not None:
            for key, value in column.normalizer.to_state().items():
                digest.update(key.encode() + np.asarray(value).tobytes())
    digest.update(transformer.transform(frame).tobytes())
    return digest.hexdigest()


def test_same_seed_gives_byte_identical_fit_in_other_processes():
    root = str(Path(__file__).resolve().parents[2])
    children = [
        subprocess.Popen([sys.executable, "-c", _CHILD.format(root=root)],
                         stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=180)[0].strip() for child in children]
    assert all(child.returncode == 0 for child in children)
    assert outputs[0] == outputs[1]
    assert outputs[0] == fit_fingerprint(mixed_frame(n=300, seed=4), random_state=7)


def test_random_state_changes_the_fit(mixed):
    a = DataTransformer(max_modes=5, random_state=0).fit(mixed[["float64"]])
    b = DataTransformer(max_modes=5, random_state=1).fit(mixed[["float64"]])
    assert numeric_payload(a, mixed[["float64"]]) != numeric_payload(b, mixed[["float64"]])


def test_max_fit_rows_bounds_the_mixture_sample():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"v": rng.normal(size=5000)})
    small = DataTransformer(max_fit_rows=50, random_state=0).fit(frame)
    assert small.output_info_[1].width <= 10
    assert_round_trip(frame, small.inverse_transform(small.transform(frame)), share=0.99)


# -------------------------------------------------------------- persistence


def test_artifact_round_trip(mixed, fitted_mixed):
    loaded = load_bytes(dump_bytes(fitted_mixed), DataTransformer)
    z = fitted_mixed.transform(mixed)
    np.testing.assert_array_equal(loaded.transform(mixed), z)
    pd.testing.assert_frame_equal(loaded.inverse_transform(z), fitted_mixed.inverse_transform(z))
    assert loaded.get_params() == fitted_mixed.get_params()
    assert loaded.output_info_ == fitted_mixed.output_info_
    assert loaded.dtypes_ == fitted_mixed.dtypes_
    np.testing.assert_array_equal(loaded.feature_names_in_, fitted_mixed.feature_names_in_)


def test_artifact_round_trip_of_array_fit_and_unfitted():
    X = np.random.default_rng(0).normal(size=(50, 2))
    fitted = DataTransformer(max_modes=2, random_state=np.int64(3)).fit(X)
    loaded = load_bytes(dump_bytes(fitted))
    np.testing.assert_array_equal(loaded.inverse_transform(loaded.transform(X)),
                                  fitted.inverse_transform(fitted.transform(X)))
    unfitted = load_bytes(dump_bytes(DataTransformer(discrete_columns=("a",))))
    assert unfitted.get_params()["discrete_columns"] == ["a"]
    assert not hasattr(unfitted, "output_info_")


def test_artifact_keeps_any_text_exactly():
    frame = pd.DataFrame({
        "s": pd.Series(["", "\x00", "a\x00", "é", "😀", None] * 3, dtype=object),
        "c": pd.Categorical(["x\x00", "y"] * 9, categories=["y", "x\x00", "z"]),
    })
    loaded = load_bytes(dump_bytes(DataTransformer().fit(frame)))
    assert list(loaded.categories_["s"]) == ["", "\x00", "a\x00", "é", "😀"]
    pd.testing.assert_frame_equal(loaded.inverse_transform(loaded.transform(frame)), frame)


def test_joblib_round_trip(tmp_path, mixed, fitted_mixed):
    joblib.dump(fitted_mixed, tmp_path / "dt.joblib")
    loaded = joblib.load(tmp_path / "dt.joblib")
    np.testing.assert_array_equal(loaded.transform(mixed), fitted_mixed.transform(mixed))


# ---------------------------------------------------------------- bad input


def test_not_fitted():
    with pytest.raises(NotFittedError, match="fit"):
        DataTransformer().transform(pd.DataFrame({"a": [1.0]}))


@pytest.mark.parametrize(("frame", "match"), [
    (pd.DataFrame({"a": pd.Series([], dtype=float)}), "0 sample"),
    (pd.DataFrame(index=range(3)), "0 feature"),
    (pd.DataFrame({"a": [1.0, 2.0], "empty": [np.nan, np.nan]}), "'empty'.*only missing"),
    (pd.DataFrame({"a": [1.0, np.inf, 2.0]}), "'a'.*infinite"),
    (pd.DataFrame({"ts": pd.date_range("2020", periods=3, tz="UTC")}), "'ts'.*timezone"),
    (pd.DataFrame({"m": pd.Series(["a", 1, 2.5], dtype=object)}), "'m'.*single type"),
    (pd.DataFrame({"td": pd.to_timedelta([1, 2], unit="s")}), "'td'.*does not support"),
    (pd.DataFrame([[1.0, 2.0]], columns=["a", "a"]), "duplicated column"),
])
def test_bad_fit_input(frame, match):
    with pytest.raises(DataValidationError, match=match):
        DataTransformer().fit(frame)


@pytest.mark.parametrize(("params", "match"), [
    ({"max_modes": 0}, "max_modes"),
    ({"weight_threshold": 1.5}, "weight_threshold"),
    ({"handle_unknown": "skip"}, "handle_unknown"),
    ({"discrete_columns": ["nope"]}, "nope"),
    ({"max_categories": 0}, "max_categories"),
])
def test_bad_parameters(params, match):
    with pytest.raises(DataValidationError, match=match):
        DataTransformer(**params).fit(pd.DataFrame({"a": [1.0, 2.0]}))


def test_object_array_with_a_non_scalar_is_refused():
    X = np.random.default_rng(0).uniform(size=(10, 2)).astype(object)
    X[0, 0] = {"foo": "bar"}
    with pytest.raises(DataValidationError, match="'x0'.*single type"):
        DataTransformer().fit(X)


def test_max_categories_refuses_wide_discrete_columns():
    frame = pd.DataFrame({"id": [f"user{i}" for i in range(50)], "kind": ["a", "b"] * 25})
    with pytest.raises(DataValidationError, match="'id' has 50 distinct values.*max_categories=10"):
        DataTransformer(max_categories=10).fit(frame)
    assert DataTransformer(max_categories=10).fit(frame[["kind"]]).output_dim_ == 2


def test_bad_transform_input(mixed, fitted_mixed):
    with pytest.raises(DataValidationError, match="'object'.*not seen during fit.*'new'"):
        fitted_mixed.transform(mixed.assign(object="new"))
    with pytest.raises(DataValidationError, match="'int64'.*missing value"):
        fitted_mixed.transform(mixed.assign(int64=np.nan))
    with pytest.raises(DataValidationError, match="'float32'.*infinite"):
        fitted_mixed.transform(mixed.assign(float32=np.inf))
    with pytest.raises(DataValidationError, match="int64"):
        fitted_mixed.transform(mixed.drop(columns="int64"))
    with pytest.raises(DataValidationError, match="extra"):
        fitted_mixed.transform(mixed.assign(extra=1))
    with pytest.raises(DataValidationError, match="feature names"):
        fitted_mixed.transform(mixed[mixed.columns[::-1]])
    with pytest.raises(DataValidationError, match="'datetime'.*timezone"):
        fitted_mixed.transform(mixed.assign(datetime=mixed["datetime"].dt.tz_localize("UTC")))
    with pytest.raises(DataValidationError, match="'int64'.*text"):
        fitted_mixed.transform(mixed.assign(int64="x"))


def test_bad_inverse_input(mixed, fitted_mixed):
    z = fitted_mixed.transform(mixed)
    with pytest.raises(DataValidationError, match="width output_dim_"):
        fitted_mixed.inverse_transform(z[:, :-1])
    frame = pd.DataFrame(z, columns=fitted_mixed.get_feature_names_out()).rename(
        columns={"int64.value": "oops"})
    with pytest.raises(DataValidationError, match="oops"):
        fitted_mixed.inverse_transform(frame)
    z[3, 0] = np.nan
    with pytest.raises(DataValidationError, match="'int64'"):
        fitted_mixed.inverse_transform(z)
    with pytest.raises(DataValidationError, match="numeric matrix"):
        fitted_mixed.inverse_transform(np.full(z.shape, "a", dtype=object))


def test_roles_decide_discrete_and_continuous_columns():
    frame = pd.DataFrame({"code": np.arange(60) * 7, "n": [1, 2, 3] * 20})
    transformer = DataTransformer(roles={"code": "categorical", "n": "numeric"},
                                  random_state=0).fit(frame)
    assert transformer.discrete_columns_ == ["code"]
    assert transformer.continuous_columns_ == ["n"]
    assert transformer.inverse_transform(transformer.transform(frame)).equals(frame)


def test_roles_naming_unknown_columns_are_refused():
    with pytest.raises(DataValidationError, match="roles names"):
        DataTransformer(roles={"nope": "numeric"}).fit(pd.DataFrame({"x": [1.0, 2.0]}))


def test_constraints_end_the_decoded_scale_at_declared_bounds():
    frame = pd.DataFrame({"d": np.linspace(0.0, 500.0, 100), "n": np.arange(100)})
    transformer = DataTransformer(constraints={"d": {"min": 0, "max": 500},
                                               "n": {"max": 99.5}}, random_state=0).fit(frame)
    encoded = transformer.transform(frame)
    encoded[:, [s.start for s in transformer.output_info_ if s.kind == "continuous_value"]] = 1.0
    decoded = transformer.inverse_transform(encoded)
    assert decoded["d"].max() <= 500
    assert decoded["n"].max() <= 99
    assert decoded.dtypes.equals(frame.dtypes)
    with pytest.raises(ConstraintViolationError, match="d: 80 row"):
        DataTransformer(constraints={"d": {"max": 100}}).fit(frame)
