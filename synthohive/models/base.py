"""The interface every per-table generative model implements.

:class:`ConditionalGenerativeModel` is the extension point of SynthoHive: the relational
meta-estimator only talks to this interface, so any subclass (CTGAN, TVAE, or a user's own
model) can generate any table of a schema.
"""

from __future__ import annotations

import logging
import os
from abc import ABC, abstractmethod
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from synthohive.exceptions import DataValidationError, NotFittedError
from synthohive.metrics import (
    QualityReport,
    ReferenceProfile,
    assess,
    check_constraints,
    check_quality,
    check_threshold,
    check_training_constraints,
)
from synthohive.models._numeric_text import learn_formats, to_numbers, to_text
from synthohive.persistence import load_artifact, save_artifact
from synthohive.privacy import PIISanitizer
from synthohive.utils._atomic import atomic_fit
from synthohive.utils._memory import check_allocation
from synthohive.utils._random import derive_seed, draw_seed, sample_seed
from synthohive.utils._validation import check_column_labels

logger = logging.getLogger(__name__)

# Rows of each sample that the per-sample quality report judges (evenly spaced).
_JUDGED_ROWS = 10_000
# Bytes one generated cell takes at its peak (latent draws, decoded arrays, the frame).
_BYTES_PER_CELL = 64


class ConditionalGenerativeModel(BaseEstimator, ABC):
    """Base class of generative models for one table, optionally conditioned on context.

    Contract
    --------
    ``fit(X, context=None)``
        ``X`` is a DataFrame (a 2-D numpy array is accepted and gets string column names
        ``"0", "1", …``). ``context``, when given, is a DataFrame **row-aligned with X**:
        row ``i`` holds the attributes of the parent row(s) of child row ``i``. The model
        learns ``p(X | context)``; without context it learns ``p(X)``.
    ``sample(n_samples=None, context=None, random_state=None)``
        Returns a DataFrame with exactly the columns of ``X`` in the same order and with the
        same dtypes. With ``context`` it returns one row per context row (``n_samples`` may
        be omitted or must equal ``len(context)``); a model fitted with context requires
        context at sample time. Without ``n_samples`` and context it returns as many rows as
        it was trained on.
    Determinism
        ``fit`` is a function of ``(X, context, random_state)``; ``sample(random_state=k)``
        is a function of the fitted model and ``k``, whatever was sampled before. With
        ``random_state=None`` the n-th call to ``sample`` uses a seed derived from the
        model's ``random_state`` and ``n``, so a whole script is reproducible too. On CPU
        both are bit-identical across processes.
    Persistence
        ``save(path)`` writes one artifact file; ``load(path)`` rebuilds the model without
        unpickling (see :mod:`synthohive.persistence`). Subclasses implement
        ``_to_state``/``_from_state`` and register with
        :func:`synthohive.persistence.register_persistable`; they put :meth:`_base_state`
        in their state and call :meth:`_restore_base_state` on load, which keeps the
        bookkeeping attributes and the quality reference. ``joblib`` also works.
    Quality
        ``fit`` stores :class:`~synthohive.metrics.ReferenceProfile` statistics of ``X``
        (no rows; sanitised columns left out) as ``reference_``; every ``sample`` compares
        its output with them, logs one summary line, keeps the
        :class:`~synthohive.metrics.QualityReport` as ``last_quality_`` and, with
        ``quality_threshold``, raises ``QualityGateError`` naming every column whose
        KS/TVD or null-rate difference is above the threshold,
        also after ``load()``.

    Privacy
        Before anything else sees ``X``, ``fit`` runs a
        :class:`~synthohive.privacy.PIISanitizer` with the model's ``privacy`` parameter
        (a :class:`~synthohive.privacy.PrivacyConfig`; a subclass without that parameter,
        or None, gets ``PrivacyConfig()``): detected personal and identifier-like text
        columns are replaced by fakes (or hashed, masked, dropped as configured), so
        neither the model, its reference nor its artifact holds their real values.

    Subclasses implement :meth:`_fit` and :meth:`_sample`; the public methods here validate
    input, keep the bookkeeping attributes below and restore the input layout.

    Attributes
    ----------
    columns_ : list of str
        Columns of ``X`` seen in ``fit``.
    dtypes_ : dict of str to str
        dtype of each column of ``X`` seen in ``fit``, as a string.
    context_columns_ : list of str or None
        Columns of ``context`` seen in ``fit``, or None when fitted without context.
    n_rows_ : int
        Number of training rows.
    seed_ : int
        Integer seed drawn from ``random_state`` at ``fit``; every later draw derives from it.
    reference_ : ReferenceProfile
        Statistics of ``X`` (quantile sketches, category frequencies, pair summaries) that
        the quality of samples is measured against.
    text_numbers_ : dict of str to dict
        Text columns declared ``"numeric"`` in ``roles`` (models that take ``roles=``): they
        are learned as numbers and written back as text in their format (see
        :mod:`synthohive.models._numeric_text`).
    privacy_ : dict of str to dict
        Kind, strategy and evidence of every sanitised column (no values).
    last_quality_ : QualityReport
        Quality report of the last ``sample`` call (set by ``sample``).
    """

    @atomic_fit
    def fit(self, X: pd.DataFrame | np.ndarray, context: pd.DataFrame | None = None) -> Any:
        """Learn the distribution of ``X``, conditionally on ``context`` when given.

        Parameters
        ----------
        X : DataFrame or ndarray of shape (n_rows, n_columns)
            Training rows.
        context : DataFrame of shape (n_rows, n_context_columns), optional
            Parent attributes of each row of ``X``.

        Returns
        -------
        self
            The fitted model.

        Raises
        ------
        DataValidationError
            If ``X`` is empty or ``context`` is not row-aligned with it.
        ConstraintViolationError
            If the model has a ``constraints`` parameter and ``X`` breaks one (all listed).
        """
        frame = self._as_frame(X, "X")
        if len(frame) == 0 or frame.shape[1] == 0:
            raise DataValidationError(
                f"X is empty ({frame.shape[0]} rows, {frame.shape[1]} columns); pass at least "
                "one row and one column."
            )
        if context is not None:
            context = self._as_frame(context, "context")
            if len(context) != len(frame):
                raise DataValidationError(
                    f"context has {len(context)} rows but X has {len(frame)}; pass one context "
                    "row per row of X (row-aligned)."
                )
            context = context.reset_index(drop=True)
        frame = frame.reset_index(drop=True)
        if getattr(self, "constraints", None):
            check_training_constraints(frame, self.constraints, type(self).__name__)
        self.seed_ = draw_seed(getattr(self, "random_state", None))
        frame = self._sanitized(frame)
        self.columns_ = [str(c) for c in frame.columns]
        self.dtypes_ = {str(c): str(t) for c, t in frame.dtypes.items()}
        self.text_numbers_ = learn_formats(frame, getattr(self, "roles", None),
                                           type(self).__name__)
        frame = to_numbers(frame, self.text_numbers_)
        self.context_columns_ = None if context is None else [str(c) for c in context.columns]
        self.n_rows_ = len(frame)
        self.n_sample_calls_ = 0
        self._fit(frame, context)
        self.reference_ = ReferenceProfile.fit(frame.drop(columns=list(self.privacy_),
                                                          errors="ignore"))
        return self

    def sample(
        self,
        n_samples: int | None = None,
        context: pd.DataFrame | None = None,
        random_state: int | np.random.RandomState | None = None,
        conditions: dict[str, Any] | None = None,
        quality_threshold: float | dict[str, float] | None = None,
    ) -> pd.DataFrame:
        """Generate synthetic rows.

        Parameters
        ----------
        n_samples : int, optional
            Number of rows. Defaults to ``len(context)`` with context, else to the number of
            training rows.
        context : DataFrame, optional
            One row of parent attributes per row to generate, with the columns seen in
            ``fit``. Required when the model was fitted with context.
        random_state : int, RandomState instance or None
            Seed for this call. None derives one from the model's seed and call count.
        conditions : dict, optional
            ``{column: value}`` that every generated row must hold, for models that support
            it (see :meth:`_check_conditions`); others raise ``DataValidationError``.
        quality_threshold : float or dict, optional
            Largest KS/TVD distance (and null-rate difference) to the training data allowed
            per column, e.g. ``0.15``, or a dict per column (``"*"`` for the default); see
            :func:`synthohive.metrics.check_quality`. Every sample is judged (and kept as
            ``last_quality_``) on at most 10,000 evenly spaced rows: distances within about
            0.01 of the full sample's, at a cost that does not grow with ``n_samples``.

        Returns
        -------
        DataFrame
            Synthetic rows with the training columns and dtypes.

        Raises
        ------
        NotFittedError
            If called before ``fit``.
        DataValidationError
            If ``n_samples`` is not a positive integer, ``context`` does not match or
            ``conditions`` cannot be honoured, or ``quality_threshold`` is not a number in
            ``[0, 1]`` or names unknown columns (checked before generating).
        QualityGateError
            If ``quality_threshold`` is given and some column misses it.
        ConstraintViolationError
            If the model has a ``constraints`` parameter and a generated value breaks one
            (column, observed value, count); values are never patched.
        """
        self._check_fitted()
        context = self._check_sample_context(context)
        n_samples = self._check_n_samples(n_samples, context)
        width = len(self.columns_) + len(self.context_columns_ or [])
        check_allocation(
            float(_BYTES_PER_CELL) * n_samples * width,
            f"{type(self).__name__}.sample of {n_samples:,} rows x {width} columns",
            "sample fewer rows per call and concatenate or write them as you go, or use "
            "RelationalSynthesizer.sample(output_path=...), which streams chunks to disk.",
        )
        if conditions is not None:
            conditions = self._check_conditions(conditions)
        if quality_threshold is not None:
            check_threshold(quality_threshold, [None] * len(self.columns_), self.columns_)
        seed = sample_seed(self, random_state)
        if conditions is None:
            result = self._sample(n_samples, context, seed)
        else:
            result = self._sample(n_samples, context, seed, conditions=conditions)
        if result.columns.tolist() != list(self.columns_):  # a copy only when needed
            result = result[self.columns_]
        if getattr(self, "constraints", None):
            check_constraints(result, self.constraints)
        self._judge(result, quality_threshold)
        return to_text(result, getattr(self, "text_numbers_", {}), self.dtypes_)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the fitted model to one artifact file.

        Parameters
        ----------
        path : str or path-like
            Destination file; written atomically.

        Raises
        ------
        NotFittedError
            If called before ``fit``.
        SerializationError
            If the file cannot be written.
        """
        self._check_fitted()
        save_artifact(path, self)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Any:
        """Read a model written by :meth:`save`; no code from the file is run.

        Parameters
        ----------
        path : str or path-like
            Artifact file.

        Returns
        -------
        ConditionalGenerativeModel
            The fitted model, ready to sample.

        Raises
        ------
        SerializationError
            If the file is missing, corrupt, of another format version or another class.
        """
        return load_artifact(path, expected=cls)

    def training_metrics(self) -> pd.DataFrame:
        """Return per-epoch training numbers (one row per epoch).

        Returns
        -------
        DataFrame
            Empty for models that do not train in epochs.
        """
        self._check_fitted()
        return pd.DataFrame()

    @abstractmethod
    def _fit(self, X: pd.DataFrame, context: pd.DataFrame | None) -> None:
        """Fit on validated input (``X`` non-empty, ``context`` aligned, both 0-indexed)."""

    @abstractmethod
    def _sample(self, n_samples: int, context: pd.DataFrame | None, seed: int) -> pd.DataFrame:
        """Generate ``n_samples`` rows with all randomness drawn from ``seed``."""

    def _sanitized(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Replace personal and identifier-like values before anything sees them (PRIV-01)."""
        sanitizer = PIISanitizer(getattr(self, "privacy", None),
                                 random_state=derive_seed(self.seed_, "privacy"))
        frame = sanitizer.fit_transform(frame, roles=getattr(self, "roles", None))
        self.privacy_ = sanitizer.columns_
        return frame

    def _judge(self, result: pd.DataFrame, quality_threshold: Any) -> None:
        """Measure ``result`` against ``reference_``, log it, keep it and apply the gate."""
        reference = getattr(self, "reference_", None)
        if reference is None:
            if quality_threshold is not None:
                raise DataValidationError(
                    f"This {type(self).__name__} has no quality reference (its artifact was "
                    "saved without one); fit it again to use quality_threshold."
                )
            return
        report: QualityReport = assess(reference, result, max_rows=_JUDGED_ROWS)
        self.last_quality_ = report
        if logger.isEnabledFor(logging.INFO):  # the summary is built only when it is logged
            logger.info("%s sample of %d rows: %s", type(self).__name__, len(result),
                        report.summary())
        if quality_threshold is not None:
            check_quality(report, quality_threshold)

    def _base_state(self) -> dict[str, Any]:
        """State of the attributes this base class sets in ``fit``, for ``_to_state``."""
        return {
            "columns": list(self.columns_),
            "dtypes": dict(self.dtypes_),
            "context_columns": self.context_columns_,
            "n_rows": int(self.n_rows_),
            "seed": int(self.seed_),
            "n_sample_calls": int(self.n_sample_calls_),
            "reference": getattr(self, "reference_", None),
            "text_numbers": getattr(self, "text_numbers_", {}),
            "privacy": getattr(self, "privacy_", {}),
        }

    def _restore_base_state(self, state: dict[str, Any]) -> None:
        """Set the attributes saved by :meth:`_base_state`, for ``_from_state``."""
        self.columns_ = list(state["columns"])
        self.dtypes_ = dict(state["dtypes"])
        self.context_columns_ = state["context_columns"]
        self.n_rows_ = int(state["n_rows"])
        self.seed_ = int(state["seed"])
        self.n_sample_calls_ = int(state["n_sample_calls"])
        self.text_numbers_ = dict(state.get("text_numbers", {}))
        if state.get("reference") is not None:
            self.reference_ = state["reference"]
        self.privacy_ = dict(state.get("privacy") or {})

    def _check_conditions(self, conditions: Any) -> Any:
        """Validate ``sample(conditions=...)``; return what ``_sample(conditions=)`` receives.

        Models that support conditions override this and accept a ``conditions`` keyword
        in ``_sample``; by default conditions are refused.
        """
        raise DataValidationError(
            f"{type(self).__name__} does not support sample(conditions=...); sample without "
            "conditions and filter the rows instead."
        )

    def _check_fitted(self) -> None:
        if not hasattr(self, "columns_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet; call fit(X) before using it."
            )

    @staticmethod
    def _as_frame(data: Any, name: str) -> pd.DataFrame:
        if isinstance(data, pd.DataFrame):
            check_column_labels(data, name)
            return data
        if isinstance(data, np.ndarray) and data.ndim == 2:
            return pd.DataFrame(data, columns=[str(i) for i in range(data.shape[1])])
        raise DataValidationError(
            f"{name} must be a pandas DataFrame or a 2-D numpy array, got {type(data).__name__}."
        )

    def _check_sample_context(self, context: Any) -> pd.DataFrame | None:
        if context is None:
            if self.context_columns_ is not None:
                raise DataValidationError(
                    f"{type(self).__name__} was fitted with context columns "
                    f"{self.context_columns_}; pass context= with one row per row to generate."
                )
            return None
        if self.context_columns_ is None:
            raise DataValidationError(
                f"{type(self).__name__} was fitted without context; call sample() without it."
            )
        context = self._as_frame(context, "context")
        missing = [c for c in self.context_columns_ if c not in context.columns]
        if missing:
            raise DataValidationError(
                f"context lacks columns {missing} seen in fit; pass columns "
                f"{self.context_columns_}."
            )
        if len(context) == 0:
            raise DataValidationError("context is empty; pass at least one row.")
        return context[self.context_columns_].reset_index(drop=True)

    def _check_n_samples(self, n_samples: Any, context: pd.DataFrame | None) -> int:
        if n_samples is None:
            return self.n_rows_ if context is None else len(context)
        if isinstance(n_samples, bool) or not isinstance(n_samples, Integral) or n_samples <= 0:
            raise DataValidationError(
                f"n_samples must be a positive integer, got {n_samples!r}."
            )
        if context is not None and int(n_samples) != len(context):
            raise DataValidationError(
                f"n_samples={n_samples} but context has {len(context)} rows; with context, "
                "omit n_samples or pass len(context)."
            )
        return int(n_samples)
