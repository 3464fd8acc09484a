"""Datetime columns learned as offsets from another datetime column of the same row.

Business tables often hold several dates of one event: northwind's orders have an
``order_date``, a ``required_date`` four weeks later and a ``shipped_date`` a few days later;
sakila's rentals a ``rental_date`` and a ``return_date``. A model that learns each date on its
own scale reproduces their marginals but hardly their order and spacing (a shipped date before
the order date). Learned as *offsets* from the first date, they keep both.

Detection (at ``fit``, per table)
---------------------------------
The *anchor* is the first learned datetime column without nulls and with more than one
value. Every other learned datetime column whose offset from the anchor (over its non-null
rows) has a standard deviation below ``MAX_SPREAD`` times its own is learned as that offset,
in the coarsest unit (day, hour, minute, second, else nanosecond) that divides every training
offset: the model sees a float column ``<column>__offset`` instead of the date (a date
whose offset name is already a column of the table is learned on its own). At
generation the date is the generated anchor plus the offset rounded to that unit; a null
offset gives a null date.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from synthohive.relational._plan import OffsetRule, TablePlan

logger = logging.getLogger(__name__)

MAX_SPREAD = 0.5
_UNITS = (("D", 86_400 * 10**9), ("h", 3_600 * 10**9), ("min", 60 * 10**9), ("s", 10**9),
          ("ns", 1))


def detect_offsets(plan: TablePlan, frame: pd.DataFrame) -> tuple[OffsetRule, ...]:
    """Find the learned datetime columns of a table that are better learned as offsets.

    Parameters
    ----------
    plan : TablePlan
        The table's plan.
    frame : DataFrame
        The training table.

    Returns
    -------
    tuple of OffsetRule
        One rule per such column, in the table's column order; empty without an anchor.
    """
    dates = [c for c in plan.model_columns if pd.api.types.is_datetime64_any_dtype(frame[c])]
    anchors = [c for c in dates if frame[c].notna().all() and frame[c].nunique() > 1]
    if not anchors:
        return ()
    anchor = anchors[0]
    rules = []
    for column in dates:
        values = frame[column]
        known = values.notna().to_numpy()
        if column == anchor or known.sum() < 2:
            continue
        if OffsetRule(column=column, anchor=anchor, unit="D").fitted in frame.columns:
            logger.info("Table %r: column %r is learned on its own: the name of its offset "
                        "column is taken by another column", plan.name, column)
            continue
        offsets = _nanoseconds(values[known]) - _nanoseconds(frame[anchor][known])
        spread = float(np.std(_nanoseconds(values[known]).astype(np.float64)))
        if spread == 0 or float(np.std(offsets.astype(np.float64))) >= MAX_SPREAD * spread:
            continue
        unit = next(name for name, size in _UNITS if not (offsets % size).any())
        rules.append(OffsetRule(column=column, anchor=anchor, unit=unit))
        logger.info("Table %r: column %r is learned as its offset from %r (in %s)",
                    plan.name, column, anchor, unit)
    return tuple(rules)


def to_offsets(rules: tuple[OffsetRule, ...], frame: pd.DataFrame) -> pd.DataFrame:
    """Replace each ruled date of ``frame`` by its float offset column (in the rule's unit).

    Parameters
    ----------
    rules : tuple of OffsetRule
        The table's offset rules.
    frame : DataFrame
        Learned columns, anchors included.

    Returns
    -------
    DataFrame
        ``frame`` with each ruled column replaced, in place, by :attr:`OffsetRule.fitted`.
    """
    if not rules:
        return frame
    out = frame.copy()
    for rule in rules:
        delta = out[rule.column] - out[rule.anchor]
        out[rule.column] = delta / pd.Timedelta(1, unit=rule.unit)
    return out.rename(columns={r.column: r.fitted for r in rules})


def from_offsets(rules: tuple[OffsetRule, ...], generated: pd.DataFrame) -> pd.DataFrame:
    """Turn the generated offset columns back into dates (the inverse of :func:`to_offsets`).

    Parameters
    ----------
    rules : tuple of OffsetRule
        The table's offset rules.
    generated : DataFrame
        The model's output, anchors included.

    Returns
    -------
    DataFrame
        ``generated`` with each offset column replaced by its date column.
    """
    if not rules:
        return generated
    out = generated.rename(columns={r.fitted: r.column for r in rules})
    for rule in rules:
        steps = pd.to_numeric(out[rule.column], errors="raise").round()
        anchor = out[rule.anchor]
        if not pd.api.types.is_datetime64_any_dtype(anchor):  # converting datetimes is slow
            anchor = pd.to_datetime(anchor)
        out[rule.column] = anchor + pd.to_timedelta(steps, unit=rule.unit)
    return out


def _nanoseconds(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="datetime64[ns]").astype(np.int64)
