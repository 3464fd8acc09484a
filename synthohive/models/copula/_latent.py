"""The correlation of the latent normal scores behind interval-valued observations.

Each training value is known only up to an interval of ``(0, 1)`` (a category's share, the
rank span of a number, the null or present part of a null indicator); its normal score lies
in the image of that interval under the normal quantile function. Drawing scores uniformly
inside their intervals, independently of the other columns, hides the dependence that the
position inside an interval carries: a category column would look barely correlated with a
number that it fully determines. Instead the scores are found by Gibbs sampling, after
Hoff's extended rank likelihood (Hoff 2007, *Extending the rank likelihood for semiparametric
copula estimation*): each sweep redraws every column's scores from their normal
distribution given the other columns, truncated to each row's interval, and re-estimates
the (Ledoit–Wolf shrunk) correlation. A few sweeps settle the correlation; the largest
change of a correlation entry at each sweep is returned with it, as the fitting steps that
``GaussianCopula.training_metrics()`` shows.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri
from sklearn.covariance import ledoit_wolf

SWEEPS = 6
# Rows the correlation is estimated on; more add nothing to a correlation matrix.
MAX_ROWS = 50_000
_TINY = 1e-12


def latent_correlation(low: np.ndarray, high: np.ndarray, rng: np.random.Generator
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Estimate the correlation of normal scores known up to intervals.

    Parameters
    ----------
    low, high : ndarray of shape (n_rows, n_dims)
        Interval of ``[0, 1]`` holding each row's uniform score in each dimension.
    rng : Generator
        Source of the row subset and the draws.

    Returns
    -------
    correlation : ndarray of shape (n_dims, n_dims)
        Correlation matrix (identity for a single row).
    changes : ndarray of shape (SWEEPS,)
        Largest absolute change of an entry of the correlation at each Gibbs sweep
        (empty for a single row).
    """
    if low.shape[0] > MAX_ROWS:
        rows = np.sort(rng.choice(low.shape[0], MAX_ROWS, replace=False))
        low, high = low[rows], high[rows]
    if low.shape[0] < 2:
        return np.eye(low.shape[1]), np.zeros(0)
    floor, ceiling = ndtri(low), ndtri(high)
    scores = inside(low, high, rng)
    correlation = shrunk_correlation(scores)
    changes = np.zeros(SWEEPS)
    for sweep in range(SWEEPS):
        precision = np.linalg.inv(correlation)
        for dim in range(scores.shape[1]):
            weight = precision[dim, dim]
            mean = scores[:, dim] - scores @ precision[:, dim] / weight
            scores[:, dim] = truncated_normal(mean, 1.0 / np.sqrt(weight), floor[:, dim],
                                              ceiling[:, dim], rng)
        updated = shrunk_correlation(scores)
        changes[sweep] = np.abs(updated - correlation).max()
        correlation = updated
    return correlation, changes


def inside(low: np.ndarray, high: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw normal scores whose uniforms are uniform inside ``[low, high]``."""
    uniforms = low + (high - low) * rng.random(low.shape)
    return ndtri(np.clip(uniforms, _TINY, 1.0 - _TINY))


def truncated_normal(mean: np.ndarray, scale: float, floor: np.ndarray, ceiling: np.ndarray,
                     rng: np.random.Generator) -> np.ndarray:
    """Draw from normal distributions truncated to ``[floor, ceiling]`` (inverse CDF).

    Intervals in the upper tail are drawn on the mirrored side, where the normal CDF keeps
    its precision; draws are clipped into their interval against rounding.
    """
    alpha, beta = (floor - mean) / scale, (ceiling - mean) / scale
    mirror = alpha > 0
    lower = np.where(mirror, ndtr(-beta), ndtr(alpha))
    upper = np.where(mirror, ndtr(-alpha), ndtr(beta))
    standard = ndtri(np.clip(lower + (upper - lower) * rng.random(mean.shape[0]),
                             _TINY, 1.0 - _TINY))
    standard = np.clip(np.where(mirror, -standard, standard), alpha, beta)
    return mean + scale * standard


def shrunk_correlation(scores: np.ndarray) -> np.ndarray:
    """Return the Ledoit–Wolf shrunk correlation of (centred) normal scores."""
    covariance, _ = ledoit_wolf(scores, assume_centered=True)
    scale = np.sqrt(np.diag(covariance))
    return covariance / np.outer(scale, scale)
