import numpy as np
import pytest
from sklearn.mixture import BayesianGaussianMixture

from synthohive.transform._mixture import WEIGHT_CONCENTRATION, _kmeans_labels, fit_mixture


def _values(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    values = np.concatenate([rng.normal(0, 1, n // 2), rng.gamma(2, 3, n // 2)])
    return np.round((values - values.mean()) / values.std(), 2)  # repeated values


class _SameStart(BayesianGaussianMixture):
    """scikit-learn's mixture started from our k-means responsibilities."""

    def _initialize_parameters(self, X, random_state, **kwargs):
        points, counts = np.unique(X[:, 0], return_counts=True)
        labels = _kmeans_labels(points, counts.astype(float), self.n_components)
        rows = labels[np.searchsorted(points, X[:, 0])]
        resp = np.zeros((X.shape[0], self.n_components))
        resp[np.arange(X.shape[0]), rows] = 1.0
        self._initialize(X, resp)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("iterations", [1, 100])
def test_fit_on_distinct_values_matches_scikit_learn_on_rows(iterations):
    values = _values()
    ours = fit_mixture(values, 10, reg_covar=1e-6, max_iter=iterations, tol=0.0)
    reference = _SameStart(
        n_components=10, weight_concentration_prior_type="dirichlet_process",
        weight_concentration_prior=WEIGHT_CONCENTRATION, max_iter=iterations, tol=0.0,
        reg_covar=1e-6, random_state=0,
    ).fit(values[:, None])
    np.testing.assert_allclose(ours.weights, reference.weights_, atol=1e-12)
    np.testing.assert_allclose(ours.means, reference.means_[:, 0], atol=1e-12)
    np.testing.assert_allclose(ours.stds, np.sqrt(reference.covariances_.ravel()), atol=1e-12)
    assert ours.n_iter == iterations


def test_separated_clusters_get_one_heavy_mode_each():
    rng = np.random.default_rng(1)
    values = np.concatenate([rng.normal(-5, 0.5, 700), rng.normal(5, 0.5, 300)])
    mixture = fit_mixture(values, 6, reg_covar=1e-6)
    heavy = mixture.weights > 0.05
    assert heavy.sum() == 2
    np.testing.assert_allclose(np.sort(mixture.means[heavy]), [-5, 5], atol=0.2)
    np.testing.assert_allclose(np.sort(mixture.weights[heavy]), [0.3, 0.7], atol=0.02)
    assert mixture.n_iter < 100  # converged before the cap


def test_fit_draws_nothing_and_ignores_row_order():
    values = _values(seed=2)
    first = fit_mixture(values, 8, reg_covar=1e-6)
    again = fit_mixture(values[::-1].copy(), 8, reg_covar=1e-6)
    for key in ("means", "stds", "weights"):
        np.testing.assert_array_equal(getattr(first, key), getattr(again, key))
    assert first.weights.sum() == pytest.approx(1.0)


def test_fewer_distinct_values_than_components():
    mixture = fit_mixture(np.array([0.0, 0.0, 1.0, 1.0, 1.0]), 10, reg_covar=1e-6)
    assert mixture.means.shape == (2,)
    assert np.isfinite(mixture.stds).all()
