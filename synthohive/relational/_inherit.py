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
A ruled column is neither learned nor resampled. If every training row copied, every
generated row takes its parent's value. Otherwise the table's model learns a 0/1 flag per
rule (:attr:`InheritRule.flag`, conditioned like any other column on the parents' context):
rows flagged 1 that have a parent copy it, the others draw from the pool of values of the
training rows that did not copy (with their null rate).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd

from synthohive.exceptions import DataValidationError
from synthohive.relational._plan import InheritRule, TablePlan
from synthohive.relational._values import observed_values, resample

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.9


def detect_rules(plan: TablePlan, frame: pd.DataFrame, plans: Mapping[str, TablePlan],
                 tables: Mapping[str, pd.DataFrame], positions: Mapping[str, np.ndarray],
                 threshold: float) -> tuple[tuple[InheritRule, ...], dict[str, np.ndarray]]:
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
        Non-null values of the rows that do not copy, per flagged rule's column.
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
                if _kind(parent[source]) != _kind(child):
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
                    agreement=float(agreement), flagged=not copied.all(),
                    exception_null_rate=float(child[~copied].isna().mean())
                    if not copied.all() else 0.0)
                best[column] = (agreement, rule, copied)
    rules = tuple(best[c][1] for c in plan.output_columns if c in best)
    for rule in rules:
        logger.info("Table %r: column %r copies %s.%s in %.1f%% of rows (agreement %.3f); "
                    "generated as a copy of the parent's value%s", plan.name, rule.column,
                    rule.parent_table, rule.parent_column, 100 * rule.copy_rate,
                    rule.agreement, ", with a learned copy flag" if rule.flagged else "")
    pools = {rule.column: observed_values(frame[rule.column][~best[rule.column][2]])
             for rule in rules if rule.flagged}
    return rules, pools


def copy_flags(plan: TablePlan, frame: pd.DataFrame, tables: Mapping[str, pd.DataFrame],
               positions: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Compute the 0/1 copy flags of a training table, the extra columns its model learns.

    Parameters
    ----------
    plan : TablePlan
        The table's plan, with its rules.
    frame : DataFrame
        The training table.
    tables : mapping of str to DataFrame
        Training tables (the parents).
    positions : mapping of str to ndarray of int64
        Parent row position of every row per foreign key column.

    Returns
    -------
    DataFrame
        One int64 column per flagged rule, named :attr:`InheritRule.flag`.
    """
    flags = {}
    for rule in plan.inherited:
        if rule.flag is None:
            continue
        where = positions[rule.relation]
        linked = where >= 0
        copied = np.zeros(len(frame), dtype=np.int64)
        copied[linked] = matches(frame[rule.column][linked],
                                 tables[rule.parent_table][rule.parent_column].take(where[linked]))
        flags[rule.flag] = copied
    return pd.DataFrame(flags, index=range(len(frame)))


def apply_rules(plan: TablePlan, parts: dict[str, pd.Series], flags: pd.DataFrame | None,
                positions: Mapping[str, np.ndarray], parent_frames: Mapping[str, pd.DataFrame],
                pools: Mapping[str, np.ndarray], rng: np.random.Generator) -> None:
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
    flags : DataFrame or None
        The copy flags the model generated (None when the table has no flagged rule).
    positions : mapping of str to ndarray of int64
        Parent row position of every row of the chunk per foreign key column.
    parent_frames : mapping of str to DataFrame
        Generated rows of the parents, indexed by those positions.
    pools : mapping of str to ndarray
        Values of the non-copying training rows, per flagged rule's column.
    rng : numpy.random.Generator
        Draws the values of the rows that do not copy.
    """
    for rule in plan.inherited:
        where = positions[rule.relation]
        copy = where >= 0
        if rule.flag is not None:
            copy &= flags[rule.flag].to_numpy() == 1
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
        The table's learned columns and the columns its children's rules copy, in the
        table's column order (the primary key excluded).
    """
    plan = plans[table]
    copied = {r.parent_column for child in plans.values() for r in child.inherited
              if r.parent_table == table}
    keep = set(plan.model_columns) | copied
    return tuple(c for c in plan.output_columns if c in keep)


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


def _kind(values: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if pd.api.types.is_numeric_dtype(values):
        return "number"
    return "text"
