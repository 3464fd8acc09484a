"""The one place that decides a column's *kind* from its dtype, declared role and data.

Kinds
-----
``"discrete"``
    Categories: text, ``category``, bool, integers with at most ``discrete_int_threshold``
    distinct values, and any column with role ``"categorical"``.
``"continuous"``
    Numbers: floats, integers with more distinct values, and role ``"numeric"``.
``"datetime"``
    ``datetime64`` columns (role ``"datetime"`` names them explicitly).
``"id"``
    Identifiers and labels resampled rather than learned: role ``"id"``, and (in relational
    tables, see :func:`is_id_like`) constants and high-cardinality text.
``"pii"``
    Personal data (role ``"pii"``), for the privacy layer to protect before any model sees
    it. Detection of undeclared PII belongs to :mod:`synthohive.privacy`; it reports its
    findings as this role.
``"drop"``
    Neither learned nor generated (role ``"drop"``).

The transformer, the copula's marginals, the relational plan and the metrics all ask
:func:`decide_kind` (or :func:`column_kind` for a pandas Series), so a role declared in the
schema, or passed as ``roles=`` to a single-table model, means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_integer_dtype,
    is_numeric_dtype,
)

from synthohive.exceptions import DataValidationError

__all__ = [
    "DISCRETE_INT_THRESHOLD",
    "KINDS",
    "ROLE_KINDS",
    "check_roles",
    "column_kind",
    "decide_kind",
    "is_guarded_category",
    "is_id_like",
    "is_unique_text",
]

DISCRETE_INT_THRESHOLD = 10
"""Integer columns with at most this many distinct values are discrete by default."""
ID_LIKE_MIN_DISTINCT = 100
ID_LIKE_MIN_RATIO = 0.2
UNIQUE_TEXT_MIN_DISTINCT = 10
UNIQUE_TEXT_MIN_RATIO = 0.95
GUARDED_INT_MAX_DISTINCT = 20
"""Whole-number context columns with at most this many values are guarded as categories:
twice the models' default ``DISCRETE_INT_THRESHOLD``, so a model with a wider threshold
is still never handed a code it did not see (see :mod:`synthohive.relational._guard`)."""

ROLE_KINDS: dict[str, str] = {
    "categorical": "discrete",
    "numeric": "continuous",
    "datetime": "datetime",
    "id": "id",
    "pii": "pii",
    "drop": "drop",
}
"""Kind of each declarable role."""
KINDS = ("discrete", "continuous", "datetime", "id", "pii", "drop")
# Roles a single-table model can honour itself (the others need the relational layer).
MODEL_ROLES = ("categorical", "numeric", "datetime")


def decide_kind(*, is_text: bool, is_bool: bool, is_integer: bool, is_datetime: bool,
                n_distinct: int, role: str | None = None,
                discrete_int_threshold: int = DISCRETE_INT_THRESHOLD,
                column: str = "") -> str:
    """Return the kind of a column from facts about it.

    Parameters
    ----------
    is_text, is_bool, is_integer, is_datetime : bool
        What its values are (text covers ``object``, ``string`` and ``category`` dtypes).
    n_distinct : int
        Distinct non-null values.
    role : str, optional
        Declared role; it decides when given.
    discrete_int_threshold : int, default=10
        Integer columns with at most this many distinct values are discrete.
    column : str, optional
        Column name, for messages.

    Returns
    -------
    str
        One of :data:`KINDS`.

    Raises
    ------
    DataValidationError
        If ``role`` is unknown, or ``"numeric"``/``"datetime"`` on values that are not
        numbers/datetimes.
    """
    if role is not None:
        if role not in ROLE_KINDS:
            raise DataValidationError(
                f"Column {column!r} has role {role!r}; use one of {sorted(ROLE_KINDS)}."
            )
        numeric = not (is_text or is_datetime)
        if (role == "numeric" and not numeric) or (role == "datetime" and not is_datetime):
            wanted = "pd.to_numeric" if role == "numeric" else "pd.to_datetime"
            raise DataValidationError(
                f"Column {column!r} has role {role!r} but its values are not "
                f"{'numbers' if role == 'numeric' else 'datetimes'}; convert it with "
                f"{wanted} first, or declare another role."
            )
        return ROLE_KINDS[role]
    if is_datetime:
        return "datetime"
    if is_text or is_bool or (is_integer and n_distinct <= discrete_int_threshold):
        return "discrete"
    return "continuous"


def column_kind(values: pd.Series, role: str | None = None,
                discrete_int_threshold: int = DISCRETE_INT_THRESHOLD) -> str:
    """Return the kind of a pandas column (see :func:`decide_kind`).

    Parameters
    ----------
    values : Series
        The column.
    role : str, optional
        Declared role.
    discrete_int_threshold : int, default=10
        Integer columns with at most this many distinct values are discrete.

    Returns
    -------
    str
        One of :data:`KINDS`.
    """
    dtype = values.dtype
    is_integer = is_integer_dtype(dtype)
    return decide_kind(
        is_text=not (is_numeric_dtype(dtype) or is_datetime64_any_dtype(dtype)),
        is_bool=is_bool_dtype(dtype),
        is_integer=is_integer,
        is_datetime=is_datetime64_any_dtype(dtype),
        n_distinct=int(values.nunique(dropna=True)) if is_integer else 0,
        role=role,
        discrete_int_threshold=discrete_int_threshold,
        column=str(values.name),
    )


def is_id_like(values: pd.Series, role: str | None = None) -> bool:
    """Whether a non-key column of a relational table is resampled instead of learned.

    Parameters
    ----------
    values : Series
        The column.
    role : str or None
        Role declared in the schema.

    Returns
    -------
    bool
        True for role ``"id"`` or ``"pii"``; without a declared role, for columns with at most one
        distinct non-null value (constants, e.g. a ``last_update`` stamp) and for
        high-cardinality text columns (object or string dtype): at least
        ``ID_LIKE_MIN_DISTINCT`` distinct values, making up at least ``ID_LIKE_MIN_RATIO`` of
        the non-null values.
    """
    if role is not None:
        return ROLE_KINDS.get(role) in ("id", "pii")
    if values.nunique(dropna=True) <= 1:
        return True
    if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
        return False
    non_null = values.dropna()
    n_distinct = non_null.nunique()
    return n_distinct >= ID_LIKE_MIN_DISTINCT and n_distinct >= ID_LIKE_MIN_RATIO * len(non_null)


def is_guarded_category(values: pd.Series) -> bool:
    """Whether a context column's unseen values are replaced as categories (not by a median).

    Parameters
    ----------
    values : Series
        The non-null training values of a context column.

    Returns
    -------
    bool
        True for text, booleans, and whole numbers (in any numeric dtype) with at most
        ``GUARDED_INT_MAX_DISTINCT`` distinct values.
    """
    if is_bool_dtype(values.dtype):
        return True
    if is_datetime64_any_dtype(values.dtype):
        return False
    if not is_numeric_dtype(values.dtype):
        return True
    numbers = values.to_numpy(dtype=float)
    return bool(np.all(numbers == np.round(numbers))) and \
        len(np.unique(numbers)) <= GUARDED_INT_MAX_DISTINCT


def is_unique_text(values: pd.Series) -> bool:
    """Whether a text column holds a distinct value per row (names, phone numbers).

    The relational plan resamples such columns of small tables like id-like ones, unless
    they are all the table has to learn.

    Parameters
    ----------
    values : Series
        The column.

    Returns
    -------
    bool
        True for object or string columns with at least ``UNIQUE_TEXT_MIN_DISTINCT``
        distinct values making up at least ``UNIQUE_TEXT_MIN_RATIO`` of the non-null values.
    """
    if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
        return False
    non_null = values.dropna()
    n_distinct = non_null.nunique()
    return (n_distinct >= UNIQUE_TEXT_MIN_DISTINCT
            and n_distinct >= UNIQUE_TEXT_MIN_RATIO * len(non_null))


def check_roles(roles: Any, columns: list[str], owner: str) -> dict[str, str]:
    """Validate a single-table model's ``roles=`` against the columns of ``X``.

    Parameters
    ----------
    roles : dict of str to str or None
        ``{column: role}`` with roles among ``"categorical"``, ``"numeric"``,
        ``"datetime"``.
    columns : list of str
        Columns of ``X``.
    owner : str
        Estimator name, for messages.

    Returns
    -------
    dict of str to str
        The roles (empty for None).

    Raises
    ------
    DataValidationError
        If ``roles`` is not a dict, names unknown columns or a role a single-table model
        cannot honour.
    """
    if roles is None:
        return {}
    if not isinstance(roles, Mapping):
        raise DataValidationError(
            f"{owner} roles must be a dict {{column: role}}, got {type(roles).__name__}."
        )
    unknown = sorted(set(map(str, roles)) - set(columns))
    if unknown:
        raise DataValidationError(
            f"{owner} roles names {unknown}, which are not columns of X ({columns[:10]})."
        )
    bad = {c: r for c, r in roles.items() if r not in MODEL_ROLES}
    if bad:
        raise DataValidationError(
            f"{owner} roles {bad} cannot be honoured by a single-table model (it accepts "
            f"{list(MODEL_ROLES)}); drop such columns, or declare 'id'/'drop' roles in a "
            "schema for RelationalSynthesizer."
        )
    return {str(c): r for c, r in roles.items()}
