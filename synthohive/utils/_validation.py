"""Input checks shared by SynthoHive estimators.

This is the only module that imports private scikit-learn helpers; everything else goes
through the wrappers here, which also turn scikit-learn's ``ValueError`` into
:class:`~synthohive.exceptions.DataValidationError` with a hint on what to do.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.validation import (
    _check_feature_names,
    _check_feature_names_in,
    _check_n_features,
)

from synthohive.exceptions import DataValidationError
from synthohive.persistence import is_reserved

__all__ = [
    "HasMethods",
    "Interval",
    "StrOptions",
    "check_column_labels",
    "check_feature_names_in",
    "check_features",
    "check_params",
    "check_reserved_names",
]


def check_params(estimator: BaseEstimator) -> None:
    """Check ``estimator.get_params()`` against its ``_parameter_constraints``.

    Parameters
    ----------
    estimator : BaseEstimator
        An estimator with a ``_parameter_constraints`` class attribute in scikit-learn's
        format (built from :class:`Interval`, :class:`StrOptions`, type names …).

    Raises
    ------
    DataValidationError
        If a parameter has an invalid type or value; the message names it.
    """
    params = estimator.get_params(deep=False)
    for name, constraints in estimator._parameter_constraints.items():
        value = params.get(name)
        # scikit-learn's Interval(Integral/Real) accepts True and False as 1 and 0.
        if isinstance(value, bool | np.bool_) and not any(
                c in ("boolean", "verbose") or c is bool for c in constraints):
            raise DataValidationError(
                f"The {name!r} parameter of {type(estimator).__name__} got the bool "
                f"{value!r}; pass a number. Fix the parameter and fit again."
            )
    try:
        validate_parameter_constraints(
            estimator._parameter_constraints, params, caller_name=type(estimator).__name__,
        )
    except InvalidParameterError as exc:
        raise DataValidationError(f"{exc} Fix the parameter and fit again.") from exc


def check_column_labels(frame: pd.DataFrame, what: str) -> None:
    """Refuse column labels a model cannot name: nested, duplicated or not strings.

    Parameters
    ----------
    frame : DataFrame
        The input table.
    what : str
        How to name the table in the message (e.g. ``"X"`` or ``"table 'orders'"``).

    Raises
    ------
    DataValidationError
        For MultiIndex columns, duplicated labels or labels that are not strings; the
        message names the offending labels and how to fix them.
    """
    columns = frame.columns
    if isinstance(columns, pd.MultiIndex):
        raise DataValidationError(
            f"{what} has MultiIndex columns (e.g. {columns[0]!r}); flatten them to strings, "
            "e.g. df.columns = ['_'.join(map(str, c)) for c in df.columns]."
        )
    if not columns.is_unique:
        duplicated = columns[columns.duplicated()].unique().tolist()[:5]
        raise DataValidationError(
            f"{what} has duplicated column names {duplicated}; give each column a unique name."
        )
    bad = [c for c in columns if not isinstance(c, str)][:5]
    if bad:
        raise DataValidationError(
            f"{what} has column labels that are not strings: {bad}; rename them, e.g. "
            "df.columns = df.columns.astype(str)."
        )
    check_reserved_names(columns, what)


def check_reserved_names(columns: Any, what: str) -> None:
    """Refuse column names of the ``__name__`` form, which saved models reserve.

    Parameters
    ----------
    columns : iterable
        Column labels.
    what : str
        How to name the table in the message.

    Raises
    ------
    DataValidationError
        If a label is a string that starts and ends with two underscores.
    """
    reserved = [c for c in columns if isinstance(c, str) and is_reserved(c)][:5]
    if reserved:
        raise DataValidationError(
            f"{what} has columns named {reserved}: names that start and end with '__' are "
            "reserved for SynthoHive's saved models; rename them (e.g. strip the "
            "underscores)."
        )


def check_features(estimator: BaseEstimator, X: Any, *, reset: bool) -> None:
    """Set (``reset=True``) or check ``feature_names_in_`` and ``n_features_in_``.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator whose input is checked.
    X : array-like or DataFrame of shape (n_samples, n_features)
        The input.
    reset : bool
        ``True`` in ``fit`` (record the names and count), ``False`` afterwards (check them).

    Raises
    ------
    DataValidationError
        If the column names or their number differ from those seen in ``fit``.
    """
    try:
        _check_feature_names(estimator, X, reset=reset)
        _check_n_features(estimator, X, reset=reset)
    except ValueError as exc:
        raise DataValidationError(
            f"{exc} Pass the same columns, in the same order, as during fit."
        ) from exc


def check_feature_names_in(estimator: BaseEstimator, input_features: Any = None) -> np.ndarray:
    """Return the input feature names, checked against those seen in ``fit``.

    Parameters
    ----------
    estimator : BaseEstimator
        A fitted estimator.
    input_features : array-like of str or None
        Names given by the caller; ``None`` uses ``feature_names_in_`` or ``x0, x1, …``.

    Returns
    -------
    ndarray of str
        The input feature names.

    Raises
    ------
    DataValidationError
        If ``input_features`` does not match the names seen in ``fit``.
    """
    try:
        return _check_feature_names_in(estimator, input_features)
    except ValueError as exc:
        raise DataValidationError(
            f"{exc} Pass input_features=None or the column names seen during fit."
        ) from exc
