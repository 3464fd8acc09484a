"""The :class:`CardinalityEstimator` ABC: how many children each parent row gets (REL-02)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from synthohive.exceptions import DataValidationError, NotFittedError
from synthohive.utils._atomic import atomic_fit
from synthohive.utils._random import draw_seed, sample_seed

__all__ = ["CardinalityEstimator"]


class CardinalityEstimator(BaseEstimator, ABC):
    """Learns the distribution of children per parent row and draws counts from it.

    The public :meth:`fit` and :meth:`sample` check their input and call the abstract
    ``_fit(counts, context)`` and ``_sample(context, n, rng)`` of subclasses, which receive
    clean arrays and a ``numpy.random.Generator``.

    :meth:`sample_marginal` draws from the fitted distribution over all training parents,
    whatever their context; :class:`~synthohive.RelationalSynthesizer` hands those counts out
    in the order of the conditional draws of :meth:`sample`, so the context decides *which*
    parents get children and the fitted distribution *how many* there are in total.

    Determinism: ``fit`` draws ``seed_`` from ``random_state``. ``sample(random_state=k)``
    is a function of ``k`` and the fitted state only; with ``random_state=None`` the n-th
    call uses a seed derived from ``seed_`` and ``n``.

    Attributes
    ----------
    n_parents_ : int
        Number of parent rows seen in ``fit``.
    context_columns_ : list of str or None
        Columns of the context passed to ``fit``, or None.
    seed_ : int
        Seed drawn from ``random_state`` at ``fit``.
    n_sample_calls_ : int
        Calls to ``sample`` without ``random_state`` so far.
    """

    @atomic_fit
    def fit(self, counts: Any, context: pd.DataFrame | None = None) -> Any:
        """Learn the children-per-parent distribution.

        Parameters
        ----------
        counts : array-like of int of shape (n_parents,)
            Number of children of each parent row (zeros included), aligned with the parents.
        context : DataFrame of shape (n_parents, n_columns), optional
            Parent attributes, row-aligned with ``counts``; used by conditional estimators.

        Returns
        -------
        self
            The fitted estimator.

        Raises
        ------
        DataValidationError
            If ``counts`` holds negative, non-integer, NaN or infinite values, is not
            one-dimensional or empty, or ``context`` has another number of rows.
        """
        counts = _check_counts(counts)
        context = _check_context(context, len(counts), "fit")
        self.seed_ = draw_seed(getattr(self, "random_state", None))
        self.n_sample_calls_ = 0
        self.n_parents_ = len(counts)
        self.context_columns_ = None if context is None else [str(c) for c in context.columns]
        self._fit(counts, context)
        return self

    def sample(
        self,
        context: pd.DataFrame | None = None,
        n: int | None = None,
        random_state: int | np.random.RandomState | None = None,
    ) -> np.ndarray:
        """Draw one children count per parent row.

        Parameters
        ----------
        context : DataFrame, optional
            Attributes of the parent rows to draw for (one count per row).
        n : int, optional
            Number of counts to draw when ``context`` is None; when both are given, ``n``
            must equal ``len(context)``.
        random_state : int, RandomState instance or None
            Seed of this draw; None derives one from the fitted ``seed_`` and the call number.

        Returns
        -------
        ndarray of int64 of shape (n_parents,)
            Non-negative counts.

        Raises
        ------
        NotFittedError
            If the estimator is not fitted.
        DataValidationError
            If neither ``context`` nor ``n`` is given, ``n`` is not a non-negative integer or
            does not match ``len(context)``.
        """
        if not hasattr(self, "seed_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet; call fit(counts) first."
            )
        context = _check_context(context, None, "sample")
        n_rows = _check_n(n, context)
        seed = sample_seed(self, random_state)
        if n_rows == 0:
            return np.zeros(0, dtype=np.int64)
        drawn = np.asarray(self._sample(context, n_rows, np.random.default_rng(seed)))
        return np.maximum(drawn.astype(np.int64, copy=False), 0)

    def sample_marginal(self, n: int,
                        random_state: int | np.random.RandomState | None = None,
                        ) -> np.ndarray | None:
        """Draw ``n`` counts from the fitted distribution over all training parents.

        The draws ignore any context: their total and zero share are those of the training
        counts (up to sampling noise), whichever parents are generated.

        Parameters
        ----------
        n : int
            Number of counts.
        random_state : int, RandomState instance or None
            Seed of this draw; None derives one from the fitted ``seed_`` and the call number.

        Returns
        -------
        ndarray of int64 of shape (n,) or None
            The counts, or None when the estimator does not use context (then :meth:`sample`
            already draws from this distribution).

        Raises
        ------
        NotFittedError
            If the estimator is not fitted.
        DataValidationError
            If ``n`` is not a non-negative integer.
        """
        if not hasattr(self, "seed_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet; call fit(counts) first."
            )
        n_rows = _check_n(n, None)
        seed = sample_seed(self, random_state)
        drawn = self._sample_marginal(n_rows, np.random.default_rng(seed))
        if drawn is None:
            return None
        return np.maximum(np.asarray(drawn).astype(np.int64, copy=False), 0)

    def _base_state(self) -> dict[str, Any]:
        """State shared by every estimator, for ``_to_state``."""
        return {"params": self.get_params(deep=False), "seed": self.seed_,
                "n_sample_calls": self.n_sample_calls_, "n_parents": self.n_parents_,
                "context_columns": self.context_columns_}

    @classmethod
    def _from_base_state(cls, state: dict[str, Any]) -> Any:
        """Rebuild an estimator from :meth:`_base_state`, before subclass attributes."""
        estimator = cls(**state["params"])
        estimator.seed_ = int(state["seed"])
        estimator.n_sample_calls_ = int(state["n_sample_calls"])
        estimator.n_parents_ = int(state["n_parents"])
        estimator.context_columns_ = state["context_columns"]
        return estimator

    def _require_context(self, context: pd.DataFrame | None, columns: list[str],
                         param: str) -> pd.DataFrame:
        """Return ``context[columns]``, or raise naming what is missing."""
        if context is None:
            raise DataValidationError(
                f"{type(self).__name__}({param}={columns}) needs a context DataFrame with "
                f"those parent columns; pass context= or set {param}=None."
            )
        missing = [c for c in columns if c not in context.columns]
        if missing:
            raise DataValidationError(
                f"{type(self).__name__}: context is missing column(s) {missing} named in "
                f"{param} (context columns: {list(context.columns)})."
            )
        return context[columns]

    def _sample_marginal(self, n: int, rng: np.random.Generator) -> np.ndarray | None:
        """Return ``n`` counts from the fitted distribution over all training parents.

        None (the default) says the estimator does not use context; a conditional estimator
        overrides it (see :meth:`sample_marginal`).
        """
        return None

    @abstractmethod
    def _fit(self, counts: np.ndarray, context: pd.DataFrame | None) -> None:
        """Learn from validated ``counts`` (int64, >= 0) and the optional ``context``."""

    @abstractmethod
    def _sample(self, context: pd.DataFrame | None, n: int,
                rng: np.random.Generator) -> np.ndarray:
        """Return ``n`` non-negative integer counts (``n == len(context)`` if given)."""


def _check_counts(counts: Any) -> np.ndarray:
    if isinstance(counts, pd.DataFrame):
        raise DataValidationError("counts must be one-dimensional (one count per parent row), "
                                  "got a DataFrame; pass one column.")
    try:
        values = np.asarray(counts, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataValidationError(
            f"counts must be numbers of children per parent row: {exc}"
        ) from exc
    if values.ndim != 1 or values.size == 0:
        raise DataValidationError(
            f"counts must be a non-empty one-dimensional array, got shape {values.shape}."
        )
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        raise DataValidationError(
            f"counts must be finite non-negative integers; {int(bad.sum())} value(s) are not "
            f"(e.g. {values[bad][0]!r} at position {int(np.flatnonzero(bad)[0])})."
        )
    return values.astype(np.int64)


def _check_context(context: Any, n_rows: int | None, where: str) -> pd.DataFrame | None:
    if context is None:
        return None
    if not isinstance(context, pd.DataFrame):
        raise DataValidationError(
            f"context must be a pandas DataFrame of parent attributes, got "
            f"{type(context).__name__}."
        )
    if n_rows is not None and len(context) != n_rows:
        raise DataValidationError(
            f"context has {len(context)} rows but counts has {n_rows}; in {where} they must be "
            "row-aligned (one context row per parent)."
        )
    return context.reset_index(drop=True)


def _check_n(n: Any, context: pd.DataFrame | None) -> int:
    if n is not None and (isinstance(n, bool) or not isinstance(n, Integral) or n < 0):
        raise DataValidationError(f"n must be a non-negative integer, got {n!r}.")
    if context is None:
        if n is None:
            raise DataValidationError("sample needs context= (one row per parent) or n=.")
        return int(n)
    if n is not None and n != len(context):
        raise DataValidationError(
            f"n={n} does not match the {len(context)} rows of context; pass one of them."
        )
    return len(context)
