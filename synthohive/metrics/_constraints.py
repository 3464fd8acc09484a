"""Checking declared column constraints on generated tables (QUAL-04).

Constraints are declared per column in the schema (``TableSpec.constraints``), e.g.
``{"amount": {"min": 0, "max": 10000}, "status": {"allowed": ["open", "paid"]}}``:

``min`` / ``max``
    Smallest / largest value allowed (numbers, or anything ``pandas.Timestamp`` reads for
    datetime columns); nulls are not checked.
``allowed``
    List of the only non-null values allowed.
``not_null``
    ``True``: no null value.
``unique``
    ``True``: no non-null value appears twice.
``dtype``
    The exact dtype string of the column (``"int64"``, ``"string"``, ``"category"`` …).

Violations are reported, never repaired: no clipping, no resampling.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_datetime64_any_dtype

from synthohive.exceptions import (
    ConstraintViolationError,
    DataValidationError,
    SchemaValidationError,
)
from synthohive.schema import TableSpec

__all__ = [
    "CONSTRAINT_KEYS",
    "check_constraints",
    "check_training_constraints",
    "constraint_violations",
]


def _bound(series: pd.Series, value: Any) -> Any:
    return pd.Timestamp(value) if is_datetime64_any_dtype(series.dtype) else value


def _below_min(series: pd.Series, value: Any) -> tuple[pd.Series, str]:
    present = series.dropna()
    return present[present < _bound(series, value)].sort_values(), f"below min {value!r}"


def _above_max(series: pd.Series, value: Any) -> tuple[pd.Series, str]:
    present = series.dropna()
    offending = present[present > _bound(series, value)].sort_values(ascending=False)
    return offending, f"above max {value!r}"


def _not_allowed(series: pd.Series, value: Any) -> tuple[pd.Series, str]:
    present = series.dropna()
    return present[~present.isin(list(value))], f"not in allowed values {list(value)!r}"


def _nulls(series: pd.Series, value: Any) -> tuple[pd.Series, str]:
    return (series[series.isna()] if value else series.iloc[:0]), "null"


def _duplicates(series: pd.Series, value: Any) -> tuple[pd.Series, str]:
    present = series.dropna()
    return (present[present.duplicated(keep=False)] if value else present.iloc[:0]), "duplicated"


def _dtype(series: pd.Series, value: Any) -> tuple[pd.Series, str]:
    observed = str(series.dtype)
    offending = pd.Series([observed] if observed != str(value) else [], dtype=object)
    return offending, f"dtype {observed} instead of {value}"


_CHECKS: dict[str, Callable[[pd.Series, Any], tuple[pd.Series, str]]] = {
    "min": _below_min,
    "max": _above_max,
    "allowed": _not_allowed,
    "not_null": _nulls,
    "unique": _duplicates,
    "dtype": _dtype,
}
CONSTRAINT_KEYS = tuple(_CHECKS)
"""Constraint names understood by :func:`check_constraints`."""


def check_constraints(
    frame: pd.DataFrame,
    constraints: TableSpec | Mapping[str, Mapping[str, Any]],
    table: str | None = None,
) -> None:
    """Raise if ``frame`` violates a declared column constraint; never changes ``frame``.

    Parameters
    ----------
    frame : DataFrame
        Generated rows.
    constraints : TableSpec or dict
        A schema table (its ``constraints`` and name are used) or ``{column: {name: value}}``
        with names among ``min``, ``max``, ``allowed``, ``not_null``, ``unique``, ``dtype``.
    table : str, optional
        Table name for messages (defaults to the ``TableSpec``'s name).

    Raises
    ------
    ConstraintViolationError
        Listing every violated constraint with table, column, an observed offending value
        and the number of offending rows (``error.violations`` holds them as dicts).
    SchemaValidationError
        If a constraint name is unknown or cannot apply to the column's values.
    DataValidationError
        If a constrained column is missing from ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> check_constraints(pd.DataFrame({"x": [1, 2]}), {"x": {"min": 0, "max": 5}})
    """
    if isinstance(constraints, TableSpec):
        table = constraints.name if table is None else table
    violations = constraint_violations(frame, constraints, table)
    if violations:
        raise ConstraintViolationError(
            f"Generated table{'' if table is None else f' {table!r}'} violates "
            f"{len(violations)} declared constraint(s); nothing was clipped or repaired: "
            "train longer, or fix the constraints or the training data.",
            violations,
        )


def constraint_violations(
    frame: pd.DataFrame,
    constraints: TableSpec | Mapping[str, Mapping[str, Any]],
    table: str | None = None,
) -> list[dict[str, Any]]:
    """Return every declared constraint ``frame`` violates, as :func:`check_constraints` lists.

    Parameters
    ----------
    frame : DataFrame
        The rows to check (generated or training rows).
    constraints : TableSpec or dict
        As for :func:`check_constraints`.
    table : str, optional
        Table name for messages.

    Returns
    -------
    list of dict
        One dict per violated constraint with keys ``table``, ``column``, ``constraint``,
        ``value`` (an offending value), ``count`` and ``text``; empty when all hold.

    Raises
    ------
    SchemaValidationError
        If a constraint name is unknown or cannot apply to the column's values.
    DataValidationError
        If a constrained column is missing from ``frame``.
    """
    if isinstance(constraints, TableSpec):
        table = constraints.name if table is None else table
        constraints = constraints.constraints
    where = "" if table is None else f"{table}."
    violations = []
    for column, rules in constraints.items():
        unknown = sorted(set(rules) - set(_CHECKS))
        if unknown:
            raise SchemaValidationError(
                f"Column {where}{column} declares unknown constraints {unknown}; use "
                f"{list(CONSTRAINT_KEYS)}."
            )
        if column not in frame.columns:
            raise DataValidationError(
                f"Column {where}{column} has constraints but is missing from the generated "
                "table; check the schema's column names."
            )
        for name, value in rules.items():
            try:
                offending, description = _CHECKS[name](frame[column], value)
            except (TypeError, ValueError) as exc:
                raise SchemaValidationError(
                    f"Constraint {name}={value!r} of column {where}{column} cannot apply to its "
                    f"{frame[column].dtype} values ({exc}); fix the constraint in the schema."
                ) from exc
            if len(offending):
                example = offending.iloc[0]
                if isinstance(example, np.generic):
                    example = example.item()
                shown = str(example) if isinstance(example, pd.Timestamp) else repr(example)
                count = len(frame) if name == "dtype" else len(offending)
                violations.append(
                    {
                        "table": table,
                        "column": str(column),
                        "constraint": name,
                        "value": example,
                        "count": count,
                        "text": f"{where}{column}: {count} row(s) {description}, e.g. {shown}",
                    }
                )
    return violations


def check_training_constraints(
    frame: pd.DataFrame,
    constraints: TableSpec | Mapping[str, Mapping[str, Any]],
    owner: str,
    table: str | None = None,
) -> None:
    """Refuse training rows that break declared constraints, listing every breach.

    A model learns the data it is given: output inside declared bounds needs training data
    inside them, so ``fit`` checks first.

    Parameters
    ----------
    frame : DataFrame
        Training rows.
    constraints : TableSpec or dict
        As for :func:`check_constraints`.
    owner : str
        What is being fitted, for the message (e.g. ``"GaussianCopula"``).
    table : str, optional
        Table name for messages.

    Raises
    ------
    ConstraintViolationError
        Listing every violated constraint (table, column, offending value, count).
    """
    violations = constraint_violations(frame, constraints, table)
    if violations:
        raise ConstraintViolationError(
            f"The training data of {owner} breaks {len(violations)} declared constraint(s); "
            "fix the data (filter or correct those rows) or the constraints, then fit again.",
            violations,
        )
