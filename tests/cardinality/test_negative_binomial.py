import numpy as np
import pandas as pd
import pytest

from synthohive.cardinality import NegativeBinomialCardinality
from tests.cardinality._data import ks, overdispersed, sakila_rentals_per_customer


@pytest.fixture(scope="module")
def homogeneous():
    rng = np.random.default_rng(1)
    counts = rng.negative_binomial(1.2, 1.2 / (1.2 + 4.0), size=2000)
    counts[rng.random(2000) < 0.2] = 0
    return counts


def test_count_distribution_matches_overdispersed_data_with_zeros(homogeneous):
    fitted = NegativeBinomialCardinality(random_state=0).fit(homogeneous)
    drawn = fitted.sample(n=20_000, random_state=1)
    assert ks(homogeneous, drawn) <= 0.05
    assert abs((drawn == 0).mean() - (homogeneous == 0).mean()) < 0.02
    assert fitted.shift_ == 0
    assert 0.1 < fitted.zero_inflation_ < 0.3
    assert fitted.alpha_ > 0.3


def test_zero_inflation_modes(homogeneous):
    auto = NegativeBinomialCardinality(random_state=0).fit(homogeneous)
    plain = NegativeBinomialCardinality(zero_inflation=False, random_state=0).fit(homogeneous)
    assert plain.zero_inflation_ == 0.0
    assert auto.log_likelihood_ > plain.log_likelihood_ + 5
    poisson_like = np.random.default_rng(2).negative_binomial(50, 50 / 53, size=2000)
    assert NegativeBinomialCardinality().fit(poisson_like).zero_inflation_ < 0.01


def test_count_distribution_matches_sakila_rentals():
    counts = sakila_rentals_per_customer()
    fitted = NegativeBinomialCardinality(random_state=0).fit(counts)
    drawn = fitted.sample(n=20_000, random_state=1)
    assert fitted.shift_ == 12
    assert drawn.min() >= 12
    assert ks(counts, drawn) <= 0.05
    assert abs(drawn.mean() - counts.mean()) < 0.5


def test_covariates_drive_the_mean():
    counts, context = overdispersed()
    fitted = NegativeBinomialCardinality(covariates=["segment", "age"], random_state=0)
    drawn = fitted.fit(counts, context).sample(context, random_state=1)
    assert ks(counts, drawn) <= 0.05
    segment = context["segment"].to_numpy()
    for value in ["retail", "pro", "vip"]:
        real = counts[segment == value]
        assert abs(drawn[segment == value].mean() - real.mean()) < 0.15 * real.mean() + 0.1
    assert fitted.coef_.shape == (4,)
    assert fitted.coef_[-1] > 0
    plain = NegativeBinomialCardinality(random_state=0).fit(counts).sample(n=len(counts),
                                                                           random_state=1)
    assert abs(plain[segment == "vip"].mean() - counts[segment == "vip"].mean()) > 5


def test_unseen_and_null_covariate_values():
    counts, context = overdispersed(n=1000)
    context.loc[::10, "age"] = np.nan
    fitted = NegativeBinomialCardinality(covariates=["segment", "age"], random_state=0)
    fitted.fit(counts, context)
    odd = pd.DataFrame({"segment": ["unknown", None], "age": [np.nan, 1e9]})
    drawn = fitted.sample(odd, random_state=0)
    assert (drawn >= 0).all()
    assert drawn.max() < 100 * counts.max()
