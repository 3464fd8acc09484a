"""Variational Bayesian Gaussian mixture of one-dimensional values, fitted on distinct values.

The model is scikit-learn's ``BayesianGaussianMixture`` with a Dirichlet-process
(stick-breaking) prior on the weights, restricted to one dimension: a Gaussian-Wishart prior on
each mode's mean and precision, centred on the data's mean and variance, and mean-field
variational EM maximising the evidence lower bound. Two things make it cheap:

- it runs on the *distinct* values, each weighted by how often it occurs: every sum over
  rows becomes a weighted sum over distinct values, so the updates are those of the full
  data at a fraction of the cost (a price or a duration column repeats its values);
- the starting responsibilities come from a one-dimensional k-means seeded at evenly spaced
  weighted quantiles (no random restarts, no randomness at all), whose assignments are
  intervals found by ``searchsorted``.

Iterations stop when the lower bound per row changes by less than ``tol``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, digamma, gammaln

#: Prior concentration of the stick-breaking weights: small values favour few modes.
WEIGHT_CONCENTRATION = 1e-3
_KMEANS_ROUNDS = 50
_TINY = 10 * np.finfo(np.float64).eps


@dataclass(frozen=True)
class Mixture:
    """A fitted one-dimensional mixture: per mode its mean, standard deviation and weight."""

    means: np.ndarray
    stds: np.ndarray
    weights: np.ndarray
    n_iter: int


def _kmeans_labels(points: np.ndarray, counts: np.ndarray, k: int) -> np.ndarray:
    """Weighted 1-D k-means of sorted distinct ``points``; return each point's cluster."""
    cumulative = np.cumsum(counts) - 0.5 * counts
    targets = (np.arange(k) + 0.5) / k * counts.sum()
    centres = points[np.minimum(np.searchsorted(cumulative, targets), points.shape[0] - 1)]
    labels = np.full(points.shape[0], -1)
    for _ in range(_KMEANS_ROUNDS):
        centres = np.unique(centres)
        new = np.searchsorted((centres[1:] + centres[:-1]) / 2.0, points)
        if np.array_equal(new, labels):
            break
        labels = new
        mass = np.bincount(labels, weights=counts, minlength=centres.shape[0])
        total = np.bincount(labels, weights=counts * points, minlength=centres.shape[0])
        centres = np.where(mass > 0, total / np.maximum(mass, _TINY), centres)
    return labels


class _Posterior:
    """Variational posterior of the mixture's parameters (weights, means, precisions)."""

    def __init__(self, points: np.ndarray, counts: np.ndarray, reg_covar: float) -> None:
        self.points, self.counts, self.reg_covar = points, counts, reg_covar
        n = counts.sum()
        self.prior_mean = float(counts @ points) / n
        # np.cov's unbiased variance, as scikit-learn's default covariance prior
        self.prior_variance = float(counts @ (points - self.prior_mean) ** 2) / max(n - 1.0, 1.0)
        self.n = n

    def update(self, resp: np.ndarray) -> None:
        """M-step: posterior parameters from responsibilities ``resp`` (points x modes)."""
        weighted = resp * self.counts[:, None]
        nk = weighted.sum(axis=0) + _TINY
        xk = (self.points @ weighted) / nk
        sk = ((self.points[:, None] - xk[None, :]) ** 2 * weighted).sum(axis=0) / nk
        sk += self.reg_covar
        tail = np.concatenate([np.cumsum(nk[::-1])[-2::-1], [0.0]])
        self.alpha, self.beta = 1.0 + nk, WEIGHT_CONCENTRATION + tail
        self.mean_precision = 1.0 + nk
        self.means = (self.prior_mean + nk * xk) / self.mean_precision
        self.dof = 1.0 + nk
        shift = nk / self.mean_precision * (xk - self.prior_mean) ** 2
        self.variances = (self.prior_variance + nk * sk + shift) / self.dof

    def log_resp(self) -> np.ndarray:
        """E-step: log responsibilities (points x modes)."""
        both = digamma(self.alpha + self.beta)
        log_weights = digamma(self.alpha) - both + np.concatenate(
            [[0.0], np.cumsum(digamma(self.beta) - both)[:-1]])
        log_precision = -0.5 * np.log(self.variances)
        z = (self.points[:, None] - self.means[None, :]) ** 2 / self.variances[None, :]
        log_lambda = np.log(2.0) + digamma(0.5 * self.dof)
        constant = (log_weights + log_precision - 0.5 * np.log(self.dof) - 0.5 * np.log(2 * np.pi)
                    + 0.5 * (log_lambda - 1.0 / self.mean_precision))
        weighted = constant[None, :] - 0.5 * z
        peak = weighted.max(axis=1, keepdims=True)
        norm = peak + np.log(np.exp(weighted - peak).sum(axis=1, keepdims=True))
        return weighted - norm

    def lower_bound(self, resp: np.ndarray, log_resp: np.ndarray) -> float:
        """Evidence lower bound (up to a constant), summed over rows."""
        entropy = float(self.counts @ (resp * log_resp).sum(axis=1))
        log_det = -0.5 * np.log(self.variances) - 0.5 * np.log(self.dof)
        log_wishart = -(self.dof * log_det + 0.5 * self.dof * np.log(2.0)
                        + gammaln(0.5 * self.dof))
        return (-entropy - float(log_wishart.sum()) + float(betaln(self.alpha, self.beta).sum())
                - 0.5 * float(np.log(self.mean_precision).sum()))

    def weights(self) -> np.ndarray:
        """Return the expected stick-breaking weights, normalised."""
        total = self.alpha + self.beta
        kept = np.concatenate([[1.0], np.cumprod(self.beta / total)[:-1]])
        weights = self.alpha / total * kept
        return weights / weights.sum()


def fit_mixture(
    values: np.ndarray, n_components: int, *, reg_covar: float, max_iter: int = 100,
    tol: float = 1e-6,
) -> Mixture:
    """Fit a Dirichlet-process Gaussian mixture to one-dimensional ``values``.

    Parameters
    ----------
    values : ndarray of shape (n,)
        Finite values, best standardised (the priors are centred on their mean and variance).
    n_components : int
        Most modes (at least 1).
    reg_covar : float
        Added to every mode's variance, so no mode collapses on one value.
    max_iter : int, default=100
        Most variational EM iterations.
    tol : float, default=1e-6
        Stop when the lower bound per row changes by less than this.

    Returns
    -------
    Mixture
        Means, standard deviations and weights of the ``n_components`` modes (modes the prior
        switched off have weights near zero).
    """
    points, counts = np.unique(values, return_counts=True)
    counts = counts.astype(np.float64)
    k = max(1, min(n_components, points.shape[0]))
    labels = _kmeans_labels(points, counts, k)
    resp = np.zeros((points.shape[0], k))
    resp[np.arange(points.shape[0]), labels] = 1.0
    posterior = _Posterior(points, counts, reg_covar)
    posterior.update(resp)
    bound = -np.inf
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        log_resp = posterior.log_resp()
        resp = np.exp(log_resp)
        posterior.update(resp)
        previous, bound = bound, posterior.lower_bound(resp, log_resp)
        if abs(bound - previous) < tol * posterior.n:
            break
    return Mixture(posterior.means, np.sqrt(posterior.variances), posterior.weights(), n_iter)
