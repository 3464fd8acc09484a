"""Entry points building a :class:`QualityReport`: from rows or from stored references."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from synthohive.exceptions import DataValidationError
from synthohive.metrics._column import column_distances
from synthohive.metrics._detection import detection_table
from synthohive.metrics._gate import check_quality
from synthohive.metrics._leakage import privacy_row, sensitive_columns
from synthohive.metrics._reference import ReferenceProfile
from synthohive.metrics._relational import relational_distances
from synthohive.metrics._report import QualityReport
from synthohive.schema import Schema

__all__ = ["assess", "assess_tables", "evaluate", "pair_distances"]

logger = logging.getLogger(__name__)


def pair_distances(real: pd.DataFrame, synthetic: pd.DataFrame) -> pd.DataFrame:
    """Compare every pair of columns of ``real`` with the same pair of ``synthetic``.

    Numeric/datetime pairs by correlation delta, other pairs by contingency TVD (numeric
    columns cut into 10 bins at their real quantiles, discrete columns keeping their 20 most
    frequent categories); the NMI of each pair is reported for both tables.

    Parameters
    ----------
    real, synthetic : DataFrame
        Real and synthetic rows with the same columns.

    Returns
    -------
    DataFrame
        See :meth:`ReferenceProfile.pair_distances`.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 7.0]})
    >>> pair_distances(real, real)[["column_1", "column_2", "distance"]].values.tolist()
    [['x', 'y', 0.0]]
    """
    return ReferenceProfile.fit(real).pair_distances(synthetic)


def assess(
    reference: ReferenceProfile,
    synthetic: pd.DataFrame,
    table: str | None = None,
    max_rows: int | None = 1_000_000,
) -> QualityReport:
    """Judge a synthetic table against a stored reference (no real rows needed).

    Parameters
    ----------
    reference : ReferenceProfile
        Statistics of the real table (models keep one as ``reference_``).
    synthetic : DataFrame
        Synthetic rows.
    table : str, optional
        Table name used in the report and in gate messages.
    max_rows : int or None, default=1_000_000
        Larger tables are judged on this many evenly spaced rows (no randomness), which
        bounds the cost of judging every ``sample``; None judges every row.

    Returns
    -------
    QualityReport
        Column distances from the sketches, pair distances and plot data.

    Raises
    ------
    DataValidationError
        If ``synthetic`` lacks a reference column.
    """
    if max_rows is not None and isinstance(synthetic, pd.DataFrame) and len(synthetic) > max_rows:
        synthetic = synthetic.iloc[np.linspace(0, len(synthetic) - 1, max_rows).astype(np.int64)]
    return QualityReport.from_parts(table, *reference.measure(synthetic))


def assess_tables(
    references: Mapping[str, ReferenceProfile],
    tables: Mapping[str, pd.DataFrame],
    threshold: float | Mapping[str, float] | None = None,
) -> QualityReport:
    """Judge synthetic tables against their references, log them and apply the gate.

    The function a relational synthesizer calls after generating: one
    :func:`assess` per table that has a reference, one summary line per table on the
    ``synthohive`` logger, then :func:`check_quality` when ``threshold`` is given.

    Parameters
    ----------
    references : dict of str to ReferenceProfile
        Reference of each table (tables without one are skipped).
    tables : dict of str to DataFrame
        Synthetic tables.
    threshold : float or dict, optional
        Gate threshold (see :func:`check_quality`), e.g. ``0.15`` or
        ``{"orders": 0.2, "orders.amount": 0.1, "*": 0.15}``.

    Returns
    -------
    QualityReport
        The combined report.

    Raises
    ------
    QualityGateError
        If ``threshold`` is given and some column misses it.
    DataValidationError
        If a referenced table is missing or lacks columns.
    """
    missing = [name for name in references if name not in tables]
    if missing:
        raise DataValidationError(
            f"Tables {missing} have a reference but no synthetic rows; pass every table."
        )
    reports = []
    for name, reference in references.items():
        report = assess(reference, tables[name], table=name)
        logger.info("%s", report.summary(name))
        reports.append(report)
    report = QualityReport.combine(reports)
    if threshold is not None:
        check_quality(report, threshold)
    return report


def _schema(schema: Any) -> Schema | None:
    if schema is None or isinstance(schema, Schema):
        return schema
    if isinstance(schema, Mapping):
        return Schema.from_dict(schema)
    raise DataValidationError(
        f"schema must be a synthohive.Schema or its dict form, got {type(schema).__name__}."
    )


def _judged_columns(frame: pd.DataFrame, name: str | None, schema: Schema | None,
                    sensitive: set[str]) -> list[Any]:
    """Columns compared: all, minus keys, dropped, id, PII and identifier-like columns."""
    skipped = set(sensitive)
    if schema is not None and name in schema.tables:
        skipped |= set(schema[name].dropped_columns)
    return [c for c in frame.columns if str(c) not in skipped]


def _evaluate_table(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    table: str | None,
    schema: Schema | None,
    output: pd.DataFrame | Mapping[str, pd.DataFrame],
    holdout: pd.DataFrame | None,
    sensitive: tuple[set[str], set[str]],
) -> QualityReport:
    if len(real) == 0:
        where = "The real table" if table is None else f"The real table {table!r}"
        raise DataValidationError(
            f"{where} has no rows: there is nothing to compare the synthetic data with; pass "
            "the real rows (or leave that table out)."
        )
    columns = _judged_columns(real, table, schema, sensitive[1])
    judged = real[columns]
    _, pairs, plots = ReferenceProfile.fit(judged).compare(synthetic)
    report = QualityReport.from_parts(table, column_distances(judged, synthetic), pairs, plots)
    report.privacy = privacy_row(real, synthetic, output, table, sensitive, holdout)
    return report


def evaluate(
    real: pd.DataFrame | Mapping[str, pd.DataFrame],
    synthetic: pd.DataFrame | Mapping[str, pd.DataFrame],
    schema: Schema | Mapping[str, Any] | None = None,
    holdout: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
) -> QualityReport:
    """Compare synthetic data with the real data it imitates, and measure what it leaks.

    Column distances are exact (from rows); pair distances use the binning of
    :func:`pair_distances`. With dicts of tables and a ``schema``, key, ``id`` and dropped
    columns are left out of column and pair metrics and a relational section (orphan rate,
    missing-parent rate, children-per-parent KS, parent–child correlation delta per foreign
    key) is added. Identifier-like and personal columns (detected by
    :func:`synthohive.privacy.detect_pii`, or declared ``"id"``/``"pii"``) are never judged
    on fidelity. Every report has a privacy section (:attr:`QualityReport.privacy`, one row
    per table): ``exact_copy_share``, ``pii_reuse`` and, with ``holdout``, ``dcr_share`` and
    ``nn_distance_ratio``.
    The ``detection`` section holds, per table, the accuracy of a classifier
    telling synthetic rows from real ones (:func:`detection_score`, 0.5 ideal), child
    tables joined with their parents' columns when a schema is given.

    Parameters
    ----------
    real, synthetic : DataFrame or dict of str to DataFrame
        One table, or tables by name (every real table must have a synthetic one).
    schema : Schema or dict, optional
        Keys of the tables; enables the relational section for dicts of tables.
    holdout : DataFrame or dict of str to DataFrame, optional
        Real rows (of the same tables) that the model was not fitted on; adds the
        distance-to-closest-record share and the nearest-neighbour distance ratio.

    Returns
    -------
    QualityReport
        Scores, per-column, per-pair and per-foreign-key tables, plot data.

    Raises
    ------
    DataValidationError
        If the inputs are not DataFrames (or dicts of them) with matching tables and
        columns, or a real table has no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "a", "b", "b"]})
    >>> evaluate(real, real).score
    1.0
    """
    schema = _schema(schema)
    if isinstance(real, pd.DataFrame) and isinstance(synthetic, pd.DataFrame):
        if holdout is not None and not isinstance(holdout, pd.DataFrame):
            raise DataValidationError("With one real table, holdout must be a DataFrame.")
        sensitive = sensitive_columns(real, None)[None]
        report = _evaluate_table(real, synthetic, None, None, synthetic, holdout, sensitive)
        report.detection = detection_table({None: real}, {None: synthetic}, None,
                                           {None: _judged_columns(real, None, None,
                                                                  sensitive[1])})
        return report
    if not (isinstance(real, Mapping) and isinstance(synthetic, Mapping)):
        raise DataValidationError(
            "evaluate needs two DataFrames or two dicts of DataFrames, got "
            f"{type(real).__name__} and {type(synthetic).__name__}."
        )
    missing = [name for name in real if name not in synthetic]
    if missing:
        raise DataValidationError(
            f"The synthetic tables lack tables {missing}; pass one synthetic table per real one."
        )
    if holdout is not None and not isinstance(holdout, Mapping):
        raise DataValidationError("With dicts of tables, holdout must be a dict of DataFrames.")
    sensitive = sensitive_columns(real, schema)
    reports = [
        _evaluate_table(frame, synthetic[name], name, schema, synthetic,
                        None if holdout is None else holdout.get(name), sensitive[name])
        for name, frame in real.items()
    ]
    columns = {name: _judged_columns(frame, name, schema, sensitive[name][1])
               for name, frame in real.items()}
    relational = None if schema is None else relational_distances(real, synthetic, schema)
    report = QualityReport.combine(reports, relational)
    report.detection = detection_table(real, synthetic, schema, columns)
    return report
