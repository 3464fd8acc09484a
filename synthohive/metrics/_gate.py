"""The quality gate (QUAL-01): stop when a column's KS/TVD exceeds its threshold."""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real
from typing import Any

from synthohive.exceptions import DataValidationError, QualityGateError
from synthohive.metrics._report import QualityReport, column_label

__all__ = ["check_quality", "check_threshold"]

DEFAULT_KEY = "*"


def _check_limit(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0.0 <= float(value) <= 1.0:
        raise DataValidationError(
            f"quality_threshold{where} must be a number in [0, 1] (the largest KS/TVD or "
            f"null-rate distance allowed), got {value!r}."
        )
    return float(value)


def check_threshold(
    threshold: float | Mapping[str, float], tables: list[Any], columns: list[str]
) -> dict[str, float] | float:
    """Validate a quality threshold before generating; return it as a float or dict.

    Parameters
    ----------
    threshold : float or dict
        See :func:`check_quality`.
    tables, columns : list
        Table (None for an unnamed table) and column of each gated column.

    Returns
    -------
    float or dict
        The threshold with float values.

    Raises
    ------
    DataValidationError
        If a value is not a number in ``[0, 1]`` or a key names no table or column.
    """
    if not isinstance(threshold, Mapping):
        return _check_limit(threshold, "")
    limits = {str(k): _check_limit(v, f"[{k!r}]") for k, v in threshold.items()}
    known = {DEFAULT_KEY} | set(columns) | {t for t in tables if isinstance(t, str)}
    known |= {column_label(t, c) for t, c in zip(tables, columns, strict=True)}
    unknown = sorted(set(limits) - known)
    if unknown:
        raise DataValidationError(
            f"quality_threshold names {unknown}, which are neither tables nor columns of the "
            f"data; use 'table.column', 'column', 'table' or {DEFAULT_KEY!r} keys."
        )
    return limits


def _limits(report: QualityReport, threshold: Any) -> list[float | None]:
    """Threshold of each row of ``report.details`` (None: not gated)."""
    tables = report.details["table"].tolist()
    columns = report.details["column"].tolist()
    limits = check_threshold(threshold, tables, columns)
    if not isinstance(limits, dict):
        return [limits] * len(columns)
    resolved = []
    for table, column in zip(tables, columns, strict=True):
        keys = (column_label(table, column), column, table, DEFAULT_KEY)
        resolved.append(next((limits[k] for k in keys if k in limits), None))
    return resolved


def check_quality(
    report: QualityReport, threshold: float | Mapping[str, float], table: str | None = None
) -> None:
    """Raise when a column of ``report`` is further from the real data than allowed.

    A column fails when its distance (KS or TVD over the non-null values, see
    ``report.details``) or its null-rate difference is strictly above its threshold. Every
    failure is listed, not just the first.

    Parameters
    ----------
    report : QualityReport
        The report to gate.
    threshold : float or dict
        Largest distance allowed, in ``[0, 1]`` (e.g. ``0.15``). A dict gives thresholds per
        ``"table.column"``, per ``"column"``, per ``"table"`` and by default (key ``"*"``),
        the most specific key winning; columns matching no key are not gated.
    table : str, optional
        Gate only this table's columns.

    Raises
    ------
    QualityGateError
        Listing every failing ``table.column`` with its metric (KS, TVD or null rate
        difference), value and threshold.
    DataValidationError
        If ``threshold`` is not a number in ``[0, 1]`` or names unknown tables/columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from synthohive.metrics import evaluate
    >>> real = pd.DataFrame({"c": ["a", "a", "b", "b"]})
    >>> check_quality(evaluate(real, real), 0.15)
    """
    failures = []
    rows = report.details
    for limit, (_, row) in zip(_limits(report, threshold), rows.iterrows(), strict=True):
        if table is not None and row["table"] != table:
            continue
        if limit is None:
            continue
        label = column_label(row["table"], row["column"])
        for metric, value in (
            (row["metric"], row["distance"]),
            ("null rate difference", row["null_rate_difference"]),
        ):
            if float(value) > limit or math.isnan(float(value)):
                failures.append(f"{label}: {metric} {float(value):.4f} > threshold {limit:g}")
    if failures:
        where = "" if table is None else f" of table {table!r}"
        raise QualityGateError(
            f"The synthetic data{where} misses the quality gate in {len(failures)} column(s) "
            "(distance to the real data above the threshold); train longer, use a larger "
            "model or raise quality_threshold.",
            failures,
        )
