"""The CardinalityEstimator contract, run on every estimator."""

import io

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import synthohive as sh
from synthohive.cardinality import (
    CardinalityEstimator,
    EmpiricalCardinality,
    NegativeBinomialCardinality,
)
from synthohive.exceptions import DataValidationError, NotFittedError
from synthohive.persistence import dump_bytes, load_bytes

ESTIMATORS = [
    EmpiricalCardinality(random_state=0),
    EmpiricalCardinality(conditional_on=["segment", "age"], min_group_size=20, random_state=0),
    NegativeBinomialCardinality(random_state=0),
    NegativeBinomialCardinality(covariates=("segment", "age"), zero_inflation=True,
                                random_state=0),
]


@pytest.fixture(scope="module")
def parents():
    rng = np.random.default_rng(3)
    n = 600
    context = pd.DataFrame({
        "segment": rng.choice(["a", "b"], size=n),
        "age": rng.normal(40, 10, size=n),
    })
    counts = rng.negative_binomial(2, 0.4, size=n)
    return counts, context


def ids(estimator):
    return repr(estimator)


def test_exports():
    assert sh.EmpiricalCardinality is EmpiricalCardinality
    assert sh.NegativeBinomialCardinality is NegativeBinomialCardinality
    assert sh.CardinalityEstimator is CardinalityEstimator
    assert issubclass(EmpiricalCardinality, CardinalityEstimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=ids)
def test_sample_shape_dtype_and_sign(estimator, parents):
    counts, context = parents
    fitted = clone(estimator).fit(counts, context)
    drawn = fitted.sample(context, random_state=0)
    assert drawn.dtype == np.int64
    assert drawn.shape == (len(context),)
    assert (drawn >= 0).all()
    assert fitted.sample(context.head(0), random_state=0).shape == (0,)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=ids)
def test_determinism(estimator, parents):
    counts, context = parents
    first = clone(estimator).fit(counts, context)
    second = clone(estimator).fit(counts, context)
    a, b = first.sample(context, random_state=7), second.sample(context, random_state=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, first.sample(context, random_state=8))
    np.testing.assert_array_equal(first.sample(context), second.sample(context))
    np.testing.assert_array_equal(first.sample(context), second.sample(context))
    assert first.n_sample_calls_ == 2


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=ids)
def test_persistence_round_trip(estimator, parents):
    counts, context = parents
    fitted = clone(estimator).fit(counts, context)
    fitted.sample(context)
    loaded = load_bytes(dump_bytes(fitted), expected=type(estimator))
    assert type(loaded) is type(estimator)
    np.testing.assert_array_equal(loaded.sample(context, random_state=3),
                                  fitted.sample(context, random_state=3))
    np.testing.assert_array_equal(loaded.sample(context), fitted.sample(context))
    assert dump_bytes(loaded) == dump_bytes(fitted)
    buffer = io.BytesIO()
    joblib.dump(fitted, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(joblib.load(buffer).sample(context, random_state=3),
                                  fitted.sample(context, random_state=3))


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=ids)
def test_clone_and_params(estimator, parents):
    counts, context = parents
    fitted = clone(estimator).fit(counts, context)
    copy = clone(fitted)
    assert copy.get_params() == estimator.get_params()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        copy.sample(n=3)
    copy.set_params(random_state=5)
    assert copy.random_state == 5


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=ids)
@pytest.mark.parametrize(("counts", "message"), [
    ([1, -1, 2], "non-negative integers"),
    ([1.0, np.nan, 2.0], "non-negative integers"),
    ([1.5, 2, 3], "non-negative integers"),
    ([1, np.inf], "non-negative integers"),
    ([], "non-empty one-dimensional"),
    ([[1, 2], [3, 4]], "one-dimensional"),
    (["a", "b"], "numbers of children"),
])
def test_invalid_counts(estimator, counts, message):
    with pytest.raises(DataValidationError, match=message):
        clone(estimator).fit(counts)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=ids)
def test_invalid_context_and_sample_arguments(estimator, parents):
    counts, context = parents
    with pytest.raises(DataValidationError, match="row-aligned"):
        clone(estimator).fit(counts, context.head(10))
    with pytest.raises(DataValidationError, match="pandas DataFrame"):
        clone(estimator).fit(counts, context.to_numpy())
    with pytest.raises(DataValidationError, match="one-dimensional"):
        clone(estimator).fit(pd.DataFrame({"n": counts}))
    fitted = clone(estimator).fit(counts, context)
    with pytest.raises(DataValidationError, match="context= .* or n="):
        fitted.sample()
    with pytest.raises(DataValidationError, match="non-negative integer"):
        fitted.sample(context, n=-1)
    with pytest.raises(DataValidationError, match="does not match"):
        fitted.sample(context, n=3)


@pytest.mark.parametrize("estimator", [e for e in ESTIMATORS if e.get_params().get(
    "conditional_on") not in (None, "auto") or e.get_params().get("covariates")], ids=ids)
def test_conditional_estimators_need_their_columns(estimator, parents):
    counts, context = parents
    with pytest.raises(DataValidationError, match="needs a context"):
        clone(estimator).fit(counts)
    with pytest.raises(DataValidationError, match=r"missing column\(s\) \['age'\]"):
        clone(estimator).fit(counts, context[["segment"]])
    fitted = clone(estimator).fit(counts, context)
    with pytest.raises(DataValidationError, match="needs a context"):
        fitted.sample(n=5)


@pytest.mark.parametrize("estimator", [
    EmpiricalCardinality(n_bins=1), EmpiricalCardinality(min_group_size=0),
    EmpiricalCardinality(conditional_on=3), NegativeBinomialCardinality(zero_inflation="yes"),
    NegativeBinomialCardinality(max_categories=0),
], ids=ids)
def test_invalid_parameters(estimator):
    with pytest.raises(DataValidationError, match="Fix the parameter"):
        estimator.fit([1, 2, 3])


@pytest.mark.parametrize("estimator", ESTIMATORS[::2], ids=ids)
@pytest.mark.parametrize("value", [0, 4])
def test_constant_counts_are_reproduced(estimator, value):
    fitted = clone(estimator).fit(np.full(50, value))
    np.testing.assert_array_equal(fitted.sample(n=200, random_state=0), np.full(200, value))


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=ids)
def test_sample_marginal_follows_the_training_counts_whatever_the_context(estimator, parents):
    counts, context = parents
    fitted = clone(estimator).fit(counts, context)
    conditional = bool(getattr(fitted, "conditioning_", None) or getattr(fitted, "coders_", []))
    marginal = fitted.sample_marginal(3 * len(counts), random_state=0)
    if not conditional:
        assert marginal is None
        return
    assert marginal.dtype == np.int64
    assert marginal.shape == (3 * len(counts),)
    np.testing.assert_array_equal(marginal, fitted.sample_marginal(3 * len(counts),
                                                                   random_state=0))
    assert abs(marginal.mean() - counts.mean()) < 0.1 * counts.mean()
    assert abs((marginal == 0).mean() - (counts == 0).mean()) < 0.03
    with pytest.raises(DataValidationError, match="non-negative integer"):
        fitted.sample_marginal(-1)
    with pytest.raises(NotFittedError):
        clone(estimator).sample_marginal(3)
