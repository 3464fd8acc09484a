"""Columns a child table copies from its parent row (denormalised attributes).

Real schemas often repeat a parent's attributes in the child: northwind's
``orders.ship_country`` is the customer's ``country`` in every row, chinook's
``invoices.billing_city`` the customer's ``city``. Learned independently, such columns lose
their equality with the parent, and with it the pair trends inside the child and across the
relation. At ``fit``, :func:`detect_rules` finds them; at generation, :func:`apply_rules`
copies the generated parent's value.

Detection
---------
For every foreign key of a table, every non-key child column is compared with every non-key
column of the same kind (number, datetime, bool, text) of the parent, on the rows whose
foreign key is not null. A value *copies* when it equals the parent row's value (both null
counts as equal). The pair becomes a rule when the agreement beyond chance
(Cohen's kappa: ``(p - e) / (1 - e)``, ``p`` the share of copying rows and ``e`` the share
expected if the columns were independent with the same marginals) is at least the
threshold; a column with one value in both tables never qualifies. A child column takes the
rule with the highest agreement (ties: declaration order of the foreign keys, then the
parent's column order). Each rule is logged at INFO.

Generation
----------
A ruled column is neither learned nor resampled. If every training row with a parent
copied, every generated row with a parent takes its parent's value. Otherwise
(:attr:`InheritRule.partial`) each generated row draws a *copy pattern* (which of the
table's partial rules it follows) from the patterns of the training rows that have all
the parents involved, stratified like :func:`._values.resample` so the copy rates and their
co-occurrence (an order shipped elsewhere changes its city, region and postal code
together) are those of the training data. Rows that do not copy, or have no parent, draw
their value from the pool of the training rows that did not copy (with their null rate).

Which rows copy does not depend on the other columns. A copy flag learned by the table's
model was tried: CTGAN's training conditions on rare categories by log-frequency, so a
few 0/1 flags with 2-5 % exceptions made it train mostly on the exception rows and
degraded every other column (northwind ``orders.order_date`` KS complement 0.80 to 0.54).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd

from synthohive.exceptions import DataValidationError
from synthohive.relational._plan import InheritRule, TablePlan
from synthohive.relational._values import observed_values, resample
from synthohive.schema._validate import value_kind

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.9


def detect_rules(plan: TablePlan, frame: pd.DataFrame, plans: Mapping[str, TablePlan],
                 tables: Mapping[str, pd.DataFrame], positions: Mapping[str, np.ndarray],
                 threshold: float,
                ) -> tuple[tuple[InheritRule, ...], dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Find the columns of a table that copy a parent column.

    Parameters
    ----------
    plan : TablePlan
        The child table's plan (before rules).
    frame : DataFrame
        The child training table.
    plans : mapping of str to TablePlan
        Plans of every table (the parents' candidate columns).
    tables : mapping of str to DataFrame
        Training tables.
    positions : mapping of str to ndarray of int64
        Parent row position of every child row per foreign key column, ``-1`` for null.
    threshold : float
        Minimum agreement beyond chance (see the module docstring).

    Returns
    -------
    rules : tuple of InheritRule
        One rule per copied column, in the table's column order.
    pools : dict of str to ndarray
        Non-null values of the rows that do not copy, per rule's column (empty when all
        copy).
    patterns : ndarray of bool, shape (n_patterns, n_partial)
        The distinct copy patterns of the training rows that have every parent of the
        partial rules (one column per partial rule, in rule order); empty without any.
    counts : ndarray of int64
        Training rows of each pattern.
    """
    best: dict[str, tuple[float, InheritRule, np.ndarray]] = {}
    candidates = [*plan.model_columns, *plan.id_like_columns]
    for relation in plan.relations:
        where = positions[relation.column]
        linked = where >= 0
        if not linked.any():
            continue
        parent_plan = plans[relation.parent_table]
        parent = tables[relation.parent_table]
        sources = [*parent_plan.model_columns, *parent_plan.id_like_columns,
                   *(r.column for r in parent_plan.inherited)]
        for column in candidates:
            child = frame[column]
            for source in (s for s in parent_plan.output_columns if s in sources):
                if value_kind(parent[source]) != value_kind(child):
                    continue
                parent_values = parent[source].take(where[linked])
                copies = matches(child[linked], parent_values)
                agreement = _agreement(child[linked], parent_values, copies, threshold)
                if agreement < threshold or (column in best and agreement <= best[column][0]):
                    continue
                copied = np.zeros(len(frame), dtype=bool)
                copied[linked] = copies
                rule = InheritRule(
                    column=column, relation=relation.column, parent_table=relation.parent_table,
                    parent_column=source, copy_rate=float(copied.mean()),
                    agreement=float(agreement), partial=not copies.all(),
                    exception_null_rate=float(child[~copied].isna().mean())
                    if not copied.all() else 0.0)
                best[column] = (agreement, rule, copied)
    rules = tuple(best[c][1] for c in plan.output_columns if c in best)
    for rule in rules:
        logger.info("Table %r: column %r copies %s.%s in %.1f%% of rows (agreement %.3f); "
                    "generated as a copy of the parent's value%s", plan.name, rule.column,
                    rule.parent_table, rule.parent_column, 100 * rule.copy_rate,
                    rule.agreement, " where the training pattern says so" if rule.partial else "")
    pools = {rule.column: observed_values(frame[rule.column][~best[rule.column][2]])
             for rule in rules}
    partial = [r for r in rules if r.partial]
    complete = np.ones(len(frame), dtype=bool)
    for rule in partial:
        complete &= positions[rule.relation] >= 0
    matrix = np.column_stack([best[r.column][2][complete] for r in partial]) if partial \
        else np.zeros((0, 0), dtype=bool)
    patterns, counts = np.unique(matrix, axis=0, return_counts=True) if len(matrix) \
        else (np.zeros((0, len(partial)), dtype=bool), np.zeros(0, dtype=np.int64))
    return rules, pools, patterns, counts.astype(np.int64)


def apply_rules(plan: TablePlan, parts: dict[str, pd.Series], positions: Mapping[str, np.ndarray],
                parent_frames: Mapping[str, pd.DataFrame], pools: Mapping[str, np.ndarray],
                patterns: np.ndarray, counts: np.ndarray, rng: np.random.Generator) -> None:
    """Generate the inherited columns of a chunk into ``parts``.

    This is the post-processing step of every generated chunk, on one machine or on Spark
    executors: ``parent_frames`` must hold, for every parent table, the columns that
    :func:`parent_columns` names.

    Parameters
    ----------
    plan : TablePlan
        The table's plan.
    parts : dict of str to Series
        Generated columns of the chunk (``RangeIndex``); the inherited ones are added.
    positions : mapping of str to ndarray of int64
        Parent row position of every row of the chunk per foreign key column.
    parent_frames : mapping of str to DataFrame
        Generated rows of the parents, indexed by those positions.
    pools : mapping of str to ndarray
        Values of the non-copying training rows, per rule's column.
    patterns, counts : ndarray
        Training copy patterns of the partial rules and their counts (see
        :func:`detect_rules`).
    rng : numpy.random.Generator
        Draws the copy patterns and the values of the rows that do not copy.
    """
    n_rows = len(next(iter(positions.values())))
    partial = [r.column for r in plan.inherited if r.partial]
    drawn_patterns = _draw_patterns(patterns, counts, n_rows, rng) if partial else None
    for rule in plan.inherited:
        where = positions[rule.relation]
        copy = where >= 0
        if rule.partial:
            copy &= drawn_patterns[:, partial.index(rule.column)]
        parent = parent_frames[rule.parent_table]
        if rule.parent_column not in parent.columns:
            raise DataValidationError(
                f"Column {plan.name}.{rule.column} copies {rule.parent_table}."
                f"{rule.parent_column}, which the generated parent rows passed to the chunk "
                "lack; pass every column that parent_columns() names for the parent."
            )
        source = parent[rule.parent_column]
        values = (source.take(np.where(copy, where, 0)).reset_index(drop=True) if len(source)
                  else pd.Series([None] * len(where), dtype=object))
        if not copy.all():
            drawn = resample(pools.get(rule.column, np.array([])), rule.exception_null_rate,
                             len(where), rng)
            values = values.where(copy, drawn)
        parts[rule.column] = values


def parent_columns(plans: Mapping[str, TablePlan], table: str) -> tuple[str, ...]:
    """Columns of a generated table that its children need: learned and copied-from ones.

    Parameters
    ----------
    plans : mapping of str to TablePlan
        Plans of every table.
    table : str
        The parent table.

    Returns
    -------
    tuple of str
        The table's learned columns, those filled from them (:mod:`._dependencies`) and
        the columns its children's rules copy, in the table's column order (the primary
        key excluded).
    """
    plan = plans[table]
    copied = {r.parent_column for child in plans.values() for r in child.inherited
              if r.parent_table == table}
    keep = set(plan.model_columns) | {r.column for r in plan.dependencies} | copied
    return tuple(c for c in plan.output_columns if c in keep)


def _draw_patterns(patterns: np.ndarray, counts: np.ndarray, n: int,
                   rng: np.random.Generator) -> np.ndarray:
    """Draw ``n`` copy patterns in the training proportions (stratified)."""
    if len(patterns) == 0:
        return np.zeros((n, patterns.shape[1]), dtype=bool)
    pool = np.repeat(np.arange(len(patterns), dtype=np.int64), counts)
    return np.asarray(patterns, dtype=bool)[resample(pool, 0.0, n, rng).to_numpy(np.int64)]


def matches(child: pd.Series, parent: pd.Series) -> np.ndarray:
    """Whether each child value equals its parent's (two nulls are equal)."""
    child, parent = child.reset_index(drop=True), parent.reset_index(drop=True)
    both_null = child.isna().to_numpy() & parent.isna().to_numpy()
    equal = child.eq(parent).fillna(False).to_numpy(dtype=bool)
    return both_null | equal


def _agreement(child: pd.Series, parent: pd.Series, copies: np.ndarray,
               threshold: float) -> float:
    """Cohen's kappa of two aligned columns; ``-inf`` when chance alone explains them.

    Below ``threshold`` of copying rows, that share is returned (an upper bound of kappa).
    """
    observed = float(copies.mean())
    if observed < threshold:
        return observed  # kappa never exceeds the share of copying rows
    shares = child.value_counts(normalize=True, dropna=False)
    other = parent.value_counts(normalize=True, dropna=False)
    chance = float((shares * other.reindex(shares.index, fill_value=0.0)).sum())
    if chance >= 1.0 - 1e-12:
        return -np.inf
    return (observed - chance) / (1.0 - chance)
