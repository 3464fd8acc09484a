"""``GaussianCopula``: per-column marginals joined by a Gaussian copula, optionally conditional."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from synthohive.exceptions import DataValidationError
from synthohive.models.base import ConditionalGenerativeModel
from synthohive.models.copula._latent import inside, latent_correlation
from synthohive.models.copula._marginals import Marginal
from synthohive.persistence import register_persistable
from synthohive.privacy import PrivacyConfig
from synthohive.schema._kinds import DISCRETE_INT_THRESHOLD, check_roles
from synthohive.utils._random import derive_seed, numpy_generator
from synthohive.utils._validation import Interval, check_params


@register_persistable("GaussianCopula")
class GaussianCopula(ConditionalGenerativeModel):
    """Gaussian copula over the columns of a table (and its parent context).

    Each column gets its own marginal (category shares, or the quantiles of its values;
    see :mod:`synthohive.models.copula._marginals`), which maps every value to an interval
    of normal scores. The correlation of the latent scores, estimated by Gibbs sampling
    inside those intervals (Hoff's extended rank likelihood, so a category that determines a
    number shows as strongly correlated with it) and shrunk towards the identity with the
    Ledoit–Wolf formula, ties the columns together. With context, the context columns are
    dimensions of the same copula, and rows are drawn from the conditional normal
    distribution given each context row's scores. ``sample(conditions={column: value})``
    fixes discrete columns the same way.

    The model has no training loop: ``fit`` is one pass over the data. Marginals are exact
    (up to interpolation between training quantiles) even on tables of a few rows, where a
    GAN has too few steps to learn them; dependence is limited to what one correlation
    matrix of normal scores can express (no multi-modal interactions). It is what
    :class:`~synthohive.RelationalSynthesizer` uses for small tables by default.

    Parameters
    ----------
    discrete_int_threshold : int, default=10
        Integer columns with at most this many distinct values are treated as categories.
    roles : dict of str to str or None, default=None
        Declared roles ``{column: "categorical" | "numeric" | "datetime"}`` of columns of
        ``X`` (the schema's roles): ``"categorical"`` learns the column's categories seen in
        training whatever its dtype, ``"numeric"`` its quantiles. Other columns are decided
        from their dtype and data by :mod:`synthohive.schema._kinds`.
    constraints : dict of str to dict or None, default=None
        Declared constraints ``{column: {"min": …, "max": …, "allowed": […]}}`` (the
        schema's format): ``fit`` refuses training data that breaks one, listing every
        breach, and ``sample`` checks its output (``ConstraintViolationError``). The
        marginals only produce values inside the training range and categories seen in
        training, so output is inside by construction.
    stratified : bool, default=True
        Without context, draw each column's uniforms stratified (one in each ``1/n`` of
        ``(0, 1)``, in the order of the copula's draws): rows keep the copula's rank
        dependence and a sample of ``n`` rows reproduces every marginal up to one
        ``1/n`` step (a 9-row table gets its 9 quantiles, a category its share to within one
        row) instead of i.i.d. noise. Rows are then exchangeable but not independent; set
        False for i.i.d. rows. Rows drawn with context are always i.i.d. given the context.
    random_state : int, RandomState instance or None, default=None
        Seed of every random draw.
    privacy : PrivacyConfig or None, default=None
        What ``fit`` does with personal and identifier-like columns before training (see
        :mod:`synthohive.privacy`); None protects by default (detected columns faked). Not
        stored in the artifact (the secret never is).

    Attributes
    ----------
    marginals_ : list of Marginal
        Marginal of each column of ``X``, in order.
    context_marginals_ : list of Marginal
        Marginal of each context column (empty without context).
    correlation_ : ndarray of shape (n_dims, n_dims)
        Correlation of the normal scores, context dimensions first.
    correlation_changes_ : ndarray
        Largest change of an entry of ``correlation_`` at each Gibbs sweep of the fit
        (see :meth:`training_metrics`).
    columns_, dtypes_, context_columns_, n_rows_, seed_
        See :class:`~synthohive.ConditionalGenerativeModel`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from synthohive import GaussianCopula
    >>> iris = load_iris(as_frame=True).frame
    >>> GaussianCopula(random_state=0).fit(iris).sample(5).shape
    (5, 5)
    """

    def __init__(
        self,
        *,
        discrete_int_threshold: int = DISCRETE_INT_THRESHOLD,
        roles: dict[str, str] | None = None,
        constraints: dict[str, dict[str, Any]] | None = None,
        stratified: bool = True,
        random_state: int | np.random.RandomState | None = None,
        privacy: PrivacyConfig | None = None,
    ) -> None:
        self.discrete_int_threshold = discrete_int_threshold
        self.roles = roles
        self.constraints = constraints
        self.stratified = stratified
        self.random_state = random_state
        self.privacy = privacy

    _parameter_constraints: dict[str, list[Any]] = {
        "discrete_int_threshold": [Interval(Integral, 0, None, closed="left")],
        "roles": [dict, None],
        "constraints": [dict, None],
        "stratified": ["boolean"],
        "random_state": ["random_state"],
        "privacy": [PrivacyConfig, None],
    }

    def _fit(self, X: pd.DataFrame, context: pd.DataFrame | None) -> None:
        check_params(self)
        roles = check_roles(self.roles, [str(c) for c in X.columns], "GaussianCopula")
        self.context_marginals_ = [] if context is None else self._fit_marginals(context, {})
        self.marginals_ = self._fit_marginals(X, roles)
        parts = [(X, self.marginals_)]
        if context is not None:
            parts.insert(0, (context, self.context_marginals_))
        bounds = [m.bounds(frame[m.name]) for frame, marginals in parts for m in marginals]
        low = np.column_stack([b[0] for b in bounds])
        high = np.column_stack([b[1] for b in bounds])
        rng = numpy_generator(derive_seed(self.seed_, "fit"))
        self.correlation_, self.correlation_changes_ = latent_correlation(low, high, rng)

    def training_metrics(self) -> pd.DataFrame:
        """Return the fitting steps: one row per Gibbs sweep of the latent correlation.

        Returns
        -------
        DataFrame
            ``sweep`` (1, 2, …) and ``correlation_change``, the largest absolute change of
            an entry of the latent correlation during that sweep: it shrinks as the
            estimate settles. Empty for a one-row table.
        """
        self._check_fitted()
        changes = np.asarray(self.correlation_changes_, dtype=np.float64)
        return pd.DataFrame({"sweep": np.arange(1, len(changes) + 1),
                             "correlation_change": changes})

    def _fit_marginals(self, frame: pd.DataFrame, roles: dict[str, str]) -> list[Marginal]:
        return [Marginal.fit(frame[c], str(c), int(self.discrete_int_threshold),
                             role=roles.get(str(c)))
                for c in frame.columns]

    def _check_conditions(self, conditions: Any) -> dict[str, Any]:
        """Validate ``sample(conditions=...)``: discrete columns and values seen in training.

        Every generated row then holds those values, and the other columns are drawn from
        the copula's conditional distribution given them (like context columns).

        Returns
        -------
        dict
            The conditions.

        Raises
        ------
        DataValidationError
            Not a non-empty dict, a column that is not discrete, or a value unseen in fit.
        """
        if not isinstance(conditions, Mapping) or not conditions:
            raise DataValidationError(
                f"conditions must be a non-empty dict {{column: value}}, got {conditions!r}."
            )
        marginals = {m.name: m for m in self.marginals_}
        discrete = [m.name for m in self.marginals_ if m.encoder is not None]
        for column, value in conditions.items():
            if column not in discrete:
                raise DataValidationError(
                    f"conditions column {column!r} is not a discrete column of this table; "
                    f"discrete columns: {discrete}."
                )
            encoder = marginals[column].encoder
            if encoder.encode(np.array([value], dtype=object))[0] < 0:
                raise DataValidationError(
                    f"conditions value {value!r} of column {column!r} was not seen in fit; "
                    f"seen values include {encoder.categories[:10].tolist()!r}."
                )
        return dict(conditions)

    def _sample(self, n_samples: int, context: pd.DataFrame | None, seed: int,
                conditions: Mapping[str, Any] | None = None) -> pd.DataFrame:
        rng = numpy_generator(seed)
        context_dims, own_dims = self._dims()
        n_context = sum(len(d) for d in context_dims)
        # Known columns, as (copula dimensions, interval lows, interval highs).
        known = [] if context is None else [
            (dims, *m.bounds(context[m.name]))
            for m, dims in zip(self.context_marginals_, context_dims, strict=True)]
        position = {m.name: i for i, m in enumerate(self.marginals_)}
        fixed = [(own_dims[position[c]], *self.marginals_[position[c]].bounds(
                    pd.Series([v] * n_samples, dtype=object)))
                 for c, v in (conditions or {}).items()]
        scores = self._scores(n_samples, [*known, *fixed], rng)[:, n_context:]
        if not known and not fixed and self.stratified:
            # Each column's uniforms take one draw per 1/n stratum, in the order of its
            # scores: the copula's rank dependence is kept and the marginals lose their noise.
            order = scores.argsort(axis=0)
            strata = np.empty_like(scores)
            np.put_along_axis(strata, order, np.arange(n_samples, dtype=np.float64)[:, None],
                              axis=0)
            uniforms = (strata + rng.random(scores.shape)) / n_samples
        else:
            uniforms = ndtr(scores)
        for dims, low, high in fixed:  # the middle of the value's interval decodes exactly
            uniforms[:, dims - n_context] = (low + high) / 2
        return pd.DataFrame({m.name: m.from_uniform(uniforms[:, dims - n_context])
                             for m, dims in zip(self.marginals_, own_dims, strict=True)})

    def _dims(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Return the copula dimensions of each context column and of each own column."""
        marginals = [*self.context_marginals_, *self.marginals_]
        edges = np.cumsum([0] + [m.width for m in marginals])
        dims = [np.arange(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]
        return dims[:len(self.context_marginals_)], dims[len(self.context_marginals_):]

    def _scores(self, n_samples: int, known: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
                rng: np.random.Generator) -> np.ndarray:
        """Draw the normal scores of every dimension.

        ``known`` lists ``(dimensions, lows, highs)``: those dimensions are drawn inside
        their intervals, the others from the conditional normal distribution given them.
        """
        given = np.concatenate([dims for dims, _, _ in known] or [np.zeros(0, np.int64)])
        n_context = sum(m.width for m in self.context_marginals_)
        free = np.setdiff1d(np.arange(n_context, len(self.correlation_)), given)
        scores = np.zeros((n_samples, len(self.correlation_)))
        covariance = self.correlation_[np.ix_(free, free)]
        if len(given):
            scores[:, given] = inside(np.column_stack([low for _, low, _ in known]),
                                      np.column_stack([high for _, _, high in known]), rng)
            cross = self.correlation_[np.ix_(given, free)]
            weights = np.linalg.solve(self.correlation_[np.ix_(given, given)], cross)
            scores[:, free] = scores[:, given] @ weights
            covariance = covariance - cross.T @ weights
        if len(free):
            scores[:, free] += rng.standard_normal((n_samples, len(free))) @ _root(covariance).T
        return scores

    def _to_state(self) -> dict[str, Any]:
        random_state = self.random_state if isinstance(self.random_state, int) else None
        return {
            "params": {"discrete_int_threshold": int(self.discrete_int_threshold),
                       "roles": None if self.roles is None else {
                           str(c): str(r) for c, r in self.roles.items()},
                       "constraints": None if self.constraints is None else {
                           str(c): dict(r) for c, r in self.constraints.items()},
                       "stratified": bool(self.stratified), "random_state": random_state},
            **self._base_state(),
            "marginals": [m.to_state() for m in self.marginals_],
            "context_marginals": [m.to_state() for m in self.context_marginals_],
            "correlation": self.correlation_,
            "correlation_changes": np.asarray(self.correlation_changes_, dtype=np.float64),
        }

    @classmethod
    def _from_state(cls, state: dict[str, Any]) -> GaussianCopula:
        model = cls(**state["params"])
        model._restore_base_state(state)
        model.marginals_ = [Marginal.from_state(s) for s in state["marginals"]]
        model.context_marginals_ = [Marginal.from_state(s) for s in state["context_marginals"]]
        model.correlation_ = np.asarray(state["correlation"], dtype=np.float64)
        model.correlation_changes_ = np.asarray(state.get("correlation_changes", []),
                                                dtype=np.float64)
        return model


def _root(covariance: np.ndarray) -> np.ndarray:
    """Return ``R`` with ``R @ R.T == covariance`` (rounding's negative eigenvalues cut)."""
    values, vectors = np.linalg.eigh((covariance + covariance.T) / 2)
    return vectors * np.sqrt(np.clip(values, 0.0, None))
