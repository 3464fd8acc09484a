"""``NegativeBinomialCardinality``: a (zero-inflated) negative binomial fitted by MLE."""

from __future__ import annotations

import logging
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, gammaln

from synthohive.cardinality._encoding import ColumnCoder
from synthohive.cardinality.base import CardinalityEstimator
from synthohive.exceptions import TrainingError
from synthohive.persistence import register_persistable
from synthohive.utils._validation import Interval, StrOptions, check_params

logger = logging.getLogger(__name__)

_LOG_ALPHA_BOUNDS = (-12.0, 8.0)
_LOGIT_PI_BOUNDS = (-15.0, 15.0)
_BETA_BOUND = 30.0


def _log_likelihood(theta: np.ndarray, X: np.ndarray, z: np.ndarray,
                    zero_inflated: bool) -> float:
    """Log-likelihood of the (zero-inflated) NB2 regression ``mu = exp(X @ beta)``."""
    d = X.shape[1]
    eta = np.clip(X @ theta[:d], -_BETA_BOUND, _BETA_BOUND)
    r = np.exp(-theta[d])
    log_r_mu = np.logaddexp(np.log(r), eta)
    log_nb = (gammaln(z + r) - gammaln(r) - gammaln(z + 1.0)
              + r * (np.log(r) - log_r_mu) + z * (eta - log_r_mu))
    if not zero_inflated:
        return float(log_nb.sum())
    log_pi = -np.logaddexp(0.0, -theta[d + 1])
    log_not_pi = -np.logaddexp(0.0, theta[d + 1])
    zero = z == 0
    return float(np.logaddexp(log_pi, log_not_pi + log_nb[zero]).sum()
                 + (log_not_pi + log_nb[~zero]).sum())


@register_persistable("NegativeBinomialCardinality")
class NegativeBinomialCardinality(CardinalityEstimator):
    """Draws children counts from a negative binomial fitted by maximum likelihood.

    The counts are modelled as ``shift + Z`` where ``shift`` is the smallest observed count
    (0 whenever some parent has no child, so zero-child parents are reproduced) and ``Z``
    follows a negative binomial with mean ``mu`` and variance ``mu + alpha * mu**2``,
    optionally zero-inflated (an extra probability ``pi`` of ``Z = 0``). The shift lets
    counts that never go below some minimum (e.g. every customer rents at least 12 films)
    be fitted without putting mass below it.

    With ``covariates``, ``mu = exp(X @ beta)`` is a regression (log link) on parent
    columns: numeric and datetime columns with more than ``max_categories`` distinct values
    are standardised (nulls at the mean plus a null indicator), others one-hot encoded
    (the ``max_categories`` most frequent values; the most frequent is the baseline).
    Parameters are fitted with ``scipy.optimize.minimize`` (L-BFGS-B).

    Parameters
    ----------
    covariates : str or list of str, optional
        Parent columns of the regression; ``fit`` and ``sample`` then need ``context``.
    zero_inflation : bool or "auto", default="auto"
        Fit the zero-inflated model always, never, or when it lowers the AIC.
    max_categories : int, default=10
        Most indicator columns per discrete covariate.
    random_state : int, RandomState instance or None, default=None
        Seed of ``fit``; sampling without a ``random_state`` derives from it.

    Attributes
    ----------
    shift_ : int
        Smallest observed count, added to every draw.
    coef_ : ndarray of float64
        Regression coefficients, intercept first (log of the mean of ``Z`` without
        covariates).
    alpha_ : float
        Over-dispersion (0 is a Poisson).
    zero_inflation_ : float
        Probability of an extra zero of ``Z`` (0 without zero inflation).
    log_likelihood_ : float
        Log-likelihood of the fitted model.
    max_mean_ : float
        Cap on the mean of ``Z`` for any parent (ten times the largest observed ``Z`` plus
        one), so covariate values far outside the training range cannot explode.
    marginal_means_ : ndarray of float64
        With covariates, 101 quantiles (0 %, 1 %, …, 100 %) of the fitted means of ``Z``
        over the training parents: counts drawn at these means follow the fitted
        distribution over all parents, which sets the total (see
        :class:`CardinalityEstimator`). Empty without covariates.
    coders_ : list of ColumnCoder
        Encoding of each covariate.
    n_parents_, context_columns_, seed_, n_sample_calls_
        See :class:`CardinalityEstimator`.

    Examples
    --------
    >>> import numpy as np
    >>> counts = np.random.default_rng(0).negative_binomial(2, 0.3, size=500)
    >>> est = NegativeBinomialCardinality(random_state=0).fit(counts)
    >>> bool(abs(est.sample(n=5000, random_state=0).mean() - counts.mean()) < 0.5)
    True
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "covariates": [None, str, list, tuple],
        "zero_inflation": ["boolean", StrOptions({"auto"})],
        "max_categories": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, covariates: str | list[str] | None = None,
                 zero_inflation: bool | str = "auto", max_categories: int = 10,
                 random_state: int | np.random.RandomState | None = None) -> None:
        self.covariates = covariates
        self.zero_inflation = zero_inflation
        self.max_categories = max_categories
        self.random_state = random_state

    def _columns(self) -> list[str]:
        if self.covariates is None:
            return []
        if isinstance(self.covariates, str):
            return [self.covariates]
        return list(self.covariates)

    def _design(self, context: pd.DataFrame | None, n: int) -> np.ndarray:
        columns = self._columns()
        frame = self._require_context(context, columns, "covariates") if columns else None
        blocks = [np.ones((n, 1))]
        blocks += [coder.design(frame[coder.column], self.max_categories)
                   for coder in self.coders_]
        return np.column_stack(blocks)

    def _fit(self, counts: np.ndarray, context: pd.DataFrame | None) -> None:
        check_params(self)
        columns = self._columns()
        frame = self._require_context(context, columns, "covariates") if columns else None
        self.coders_ = [ColumnCoder.learn(c, frame[c], self.max_categories) for c in columns]
        self.shift_ = int(counts.min())
        z = (counts - self.shift_).astype(np.float64)
        X = self._design(frame, len(z))
        self.max_mean_ = 10.0 * (float(z.max()) + 1.0)
        self.marginal_means_ = np.zeros(0)
        if not z.any():
            self.coef_ = np.zeros(X.shape[1])
            self.coef_[0] = -_BETA_BOUND
            self.alpha_, self.zero_inflation_, self.log_likelihood_ = 0.0, 0.0, 0.0
            return
        options = [False, True] if self.zero_inflation == "auto" else [bool(self.zero_inflation)]
        fits = [self._maximise(X, z, zi) for zi in options]
        aic = [2 * (len(theta) - ll) for theta, ll in fits]
        best = int(np.argmin(aic))
        theta, self.log_likelihood_ = fits[best]
        d = X.shape[1]
        self.coef_ = theta[:d]
        self.alpha_ = float(np.exp(theta[d]))
        self.zero_inflation_ = float(expit(theta[d + 1])) if options[best] else 0.0
        if self.coders_:
            self.marginal_means_ = np.quantile(self._means(X), np.linspace(0.0, 1.0, 101))
        logger.info("NegativeBinomialCardinality: shift=%d, mean=%.3g, alpha=%.3g, "
                    "zero inflation=%.3g over %d parents", self.shift_, float(np.exp(
                        self.coef_[0])), self.alpha_, self.zero_inflation_, len(z))

    @staticmethod
    def _maximise(X: np.ndarray, z: np.ndarray, zero_inflated: bool) -> tuple[np.ndarray, float]:
        mean, var = float(z.mean()), float(z.var())
        alpha = max((var - mean) / mean**2, 1e-3)
        start = np.zeros(X.shape[1] + 1 + zero_inflated)
        start[0] = np.log(mean)
        start[X.shape[1]] = np.log(alpha)
        bounds = [(-_BETA_BOUND, _BETA_BOUND)] * X.shape[1] + [_LOG_ALPHA_BOUNDS]
        if zero_inflated:
            start[-1] = -2.0
            bounds.append(_LOGIT_PI_BOUNDS)
        scale = float(len(z))
        result = minimize(lambda t: -_log_likelihood(t, X, z, zero_inflated) / scale, start,
                          method="L-BFGS-B", bounds=bounds)
        if not np.all(np.isfinite(result.x)) or not np.isfinite(result.fun):
            raise TrainingError(
                "NegativeBinomialCardinality: the likelihood maximisation diverged "
                f"({result.message}); use EmpiricalCardinality for these counts."
            )
        return result.x, -float(result.fun) * scale

    def _means(self, X: np.ndarray) -> np.ndarray:
        """Return the mean of ``Z`` for each row of the design matrix ``X``."""
        return np.minimum(np.exp(np.clip(X @ self.coef_, -_BETA_BOUND, _BETA_BOUND)),
                          self.max_mean_)

    def _sample(self, context: pd.DataFrame | None, n: int,
                rng: np.random.Generator) -> np.ndarray:
        return self._draw(self._means(self._design(context, n)), rng)

    def _sample_marginal(self, n: int, rng: np.random.Generator) -> np.ndarray | None:
        """Return counts at means spread like the training parents' (with covariates)."""
        if not len(self.marginal_means_):
            return None
        quantile = (np.arange(n) + rng.random(n)) / n * (len(self.marginal_means_) - 1)
        return self._draw(np.interp(quantile, np.arange(len(self.marginal_means_)),
                                    self.marginal_means_), rng)

    def _draw(self, mu: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Draw one count per mean of ``Z`` in ``mu``."""
        n = len(mu)
        r = 1.0 / max(self.alpha_, np.exp(_LOG_ALPHA_BOUNDS[0]))
        draws = rng.negative_binomial(r, r / (r + mu))
        extra_zero = rng.random(n) < self.zero_inflation_
        return self.shift_ + np.where(extra_zero, 0, draws)

    def _to_state(self) -> dict[str, Any]:
        state = self._base_state()
        if isinstance(self.covariates, tuple):
            state["params"]["covariates"] = list(self.covariates)
        return {**state, "coders": [c.to_state() for c in self.coders_],
                "shift": self.shift_, "coef": self.coef_, "alpha": self.alpha_,
                "zero_inflation": self.zero_inflation_, "log_likelihood": self.log_likelihood_,
                "max_mean": self.max_mean_, "marginal_means": self.marginal_means_}

    @classmethod
    def _from_state(cls, state: dict[str, Any]) -> NegativeBinomialCardinality:
        estimator = cls._from_base_state(state)
        estimator.coders_ = [ColumnCoder.from_state(c) for c in state["coders"]]
        estimator.shift_ = int(state["shift"])
        estimator.coef_ = np.asarray(state["coef"], dtype=np.float64)
        estimator.alpha_ = float(state["alpha"])
        estimator.zero_inflation_ = float(state["zero_inflation"])
        estimator.log_likelihood_ = float(state["log_likelihood"])
        estimator.max_mean_ = float(state["max_mean"])
        estimator.marginal_means_ = np.asarray(state["marginal_means"], dtype=np.float64)
        return estimator
