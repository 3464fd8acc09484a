"""Primary key generation, foreign key assignment and the referential integrity check.

Keys are never produced by a model. Primary keys are ``1..n`` for numeric key columns and
``"<table>_<i>"`` (``i`` from 1) for text key columns. A foreign key is set by picking a
*position* in the generated parent table and copying that row's primary key, so it always
exists; :func:`check_integrity` verifies it anyway on every generated chunk, and a failure
raises instead of being repaired.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from synthohive.exceptions import ConstraintViolationError, DataValidationError
from synthohive.relational._plan import RelationPlan, TablePlan
from synthohive.utils._random import derive_seed, numpy_generator


def primary_keys(table: str, dtype: str, start: int, stop: int) -> pd.Series:
    """Generate the primary keys of rows ``start..stop-1`` of a table.

    Parameters
    ----------
    table : str
        Table name (used in text keys).
    dtype : str
        dtype of the input key column.
    start, stop : int
        Row range, 0-based.

    Returns
    -------
    Series
        ``start+1 .. stop`` for numeric dtypes, ``"<table>_<i>"`` otherwise, in ``dtype``.

    Raises
    ------
    DataValidationError
        If the key dtype is neither numeric nor text.
    """
    numbers = np.arange(start + 1, stop + 1, dtype=np.int64)
    kind = pd.api.types.pandas_dtype(dtype)
    if pd.api.types.is_numeric_dtype(kind) and not pd.api.types.is_bool_dtype(kind):
        return pd.Series(numbers).astype(kind)
    if pd.api.types.is_object_dtype(kind) or pd.api.types.is_string_dtype(kind):
        return pd.Series([f"{table}_{i}" for i in numbers], dtype=object).astype(kind)
    raise DataValidationError(
        f"Primary key of table {table!r} has dtype {dtype}; only integer, float and text keys "
        "are generated. Convert the key column to int64 or str."
    )


def parent_positions(values: pd.Series, parent_keys: pd.Index) -> np.ndarray:
    """Position in the parent table of each foreign key value, ``-1`` for nulls.

    Parameters
    ----------
    values : Series
        Foreign key values of the child rows.
    parent_keys : Index
        Primary keys of the parent rows, in row order.

    Returns
    -------
    ndarray of int64
        One position per child row.
    """
    return np.asarray(parent_keys.get_indexer(values), dtype=np.int64)


def draw_counts(estimator: Any, context: pd.DataFrame | None, n: int, seed: int) -> np.ndarray:
    """Children counts of ``n`` parent rows: the context says which, the fit how many.

    ``estimator.sample`` draws one count per parent, conditioned on its context (generated
    parent columns). When the estimator also has ``sample_marginal`` and it returns counts
    (a conditional estimator, see :class:`~synthohive.cardinality.CardinalityEstimator`),
    ``n`` counts drawn from the fitted distribution over all training parents are handed
    out instead, rank for rank: the parent with the largest conditional draw gets the
    largest count (ties in random order). The conditioning thus decides *which* parents get
    children, and the fitted distribution *how many* there are in total and how many
    parents get none, however far the generated parent columns drifted from the real ones.

    Parameters
    ----------
    estimator : CardinalityEstimator or compatible
        The fitted estimator of the relation.
    context : DataFrame or None
        Learned columns of the ``n`` parent rows.
    n : int
        Number of parent rows.
    seed : int
        Seed of the draw.

    Returns
    -------
    ndarray
        One count per parent row.
    """
    counts = np.asarray(estimator.sample(context=context, n=n, random_state=seed))
    sample_marginal = getattr(estimator, "sample_marginal", None)
    marginal = None if sample_marginal is None else sample_marginal(
        n, random_state=derive_seed(seed, "marginal"))
    if marginal is None:
        return counts
    ties = numpy_generator(derive_seed(seed, "ties")).random(n)
    ranked = np.empty(n, dtype=np.int64)
    ranked[np.lexsort((ties, counts))] = np.sort(np.asarray(marginal, dtype=np.int64))
    return ranked


def children_counts(positions: np.ndarray, n_parents: int) -> np.ndarray:
    """Count the children of each parent row from the children's parent positions."""
    return np.bincount(positions[positions >= 0], minlength=n_parents).astype(np.int64)


def driving_positions(counts: np.ndarray, relation: RelationPlan, table: str,
                      rng: np.random.Generator) -> np.ndarray:
    """Parent positions of a table's rows from the driving relation's child counts.

    Children are grouped by parent, in parent order; rows with a null foreign key (when the
    driving relation can be null) follow, in the training proportion. Like a root table, a
    table never comes out empty while its parent has rows: if every drawn count is zero,
    one random parent row gets one child (a later table may need a row to reference).

    Parameters
    ----------
    counts : ndarray of int64
        Children drawn for each generated parent row.
    relation : RelationPlan
        The driving relation.
    table : str
        Child table name, for messages.
    rng : numpy.random.Generator
        Picks the parent of the single row of an otherwise empty table.

    Returns
    -------
    ndarray of int64
        One parent position per child row, ``-1`` for a null foreign key.
    """
    counts = _check_counts(counts, table, relation)
    if len(counts) and not counts.any():
        counts = counts.copy()
        counts[rng.integers(0, len(counts))] = 1
    linked = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    rate = relation.null_rate
    n_null = int(round(len(linked) * rate / (1.0 - rate))) if rate < 1.0 else 0
    return np.concatenate([linked, np.full(n_null, -1, dtype=np.int64)])


def secondary_positions(counts: np.ndarray, n_rows: int, relation: RelationPlan, table: str,
                        rng: np.random.Generator) -> np.ndarray:
    """Parent positions of a table's rows for a secondary relation.

    Each parent row offers ``counts[p]`` slots; ``round(null_rate * n_rows)`` random rows get
    a null foreign key and the others take the slots in random order. When the slots
    outnumber the rows the surplus is left empty (a random thinning); when they are too
    few, extra slots are drawn with probability proportional to each parent's count.

    Parameters
    ----------
    counts : ndarray of int64
        Slots drawn for each generated parent row.
    n_rows : int
        Rows of the child table.
    relation : RelationPlan
        The secondary relation.
    table : str
        Child table name, for messages.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of int64
        One parent position per child row, ``-1`` for a null foreign key.

    Raises
    ------
    ConstraintViolationError
        If rows need a parent but the generated parent table is empty.
    """
    counts = _check_counts(counts, table, relation)
    positions = np.full(n_rows, -1, dtype=np.int64)
    n_null = int(round(relation.null_rate * n_rows))
    linked = np.sort(rng.permutation(n_rows)[: n_rows - n_null])
    if len(linked) == 0:
        return positions
    if len(counts) == 0:
        raise ConstraintViolationError(
            f"Table {table!r} needs {len(linked)} parent rows in {relation.parent_table!r} for "
            f"{relation.column!r}, but none were generated; sample with a larger scale."
        )
    slots = rng.permutation(np.repeat(np.arange(len(counts), dtype=np.int64), counts))
    missing = len(linked) - len(slots)
    if missing > 0:
        weights = counts if counts.sum() > 0 else np.ones(len(counts), dtype=np.int64)
        extra = rng.choice(len(counts), size=missing, p=weights / weights.sum())
        slots = np.concatenate([slots, extra.astype(np.int64)])
    positions[linked] = slots[: len(linked)]
    return positions


def check_integrity(plan: TablePlan, chunk: pd.DataFrame,
                    parent_keys: Mapping[str, pd.Index]) -> None:
    """Raise if a generated chunk has a foreign key missing from its generated parent.

    Parameters
    ----------
    plan : TablePlan
        The table.
    chunk : DataFrame
        Generated rows.
    parent_keys : mapping of str to Index
        Generated primary keys of every parent table.

    Raises
    ------
    ConstraintViolationError
        Naming the foreign key, the number of orphans and a few of their values. This is a
        bug in the generator, never repaired silently: please report it.
    """
    for relation in plan.relations:
        values = chunk[relation.column]
        values = values[values.notna()]
        orphans = values[~values.isin(parent_keys[relation.parent_table])]
        if len(orphans):
            raise ConstraintViolationError(
                f"Generated {plan.name}.{relation.column} has {len(orphans)} value(s) missing "
                f"from the generated {relation.parent_table}.{relation.parent_column}, e.g. "
                f"{orphans.head(3).tolist()}. This is a SynthoHive bug; please report it with "
                "the schema and random_state."
            )


def check_unique(table: str, column: str, keys: pd.Index) -> None:
    """Raise if the generated primary keys of a table are not unique."""
    if not keys.is_unique:
        duplicated = keys[keys.duplicated()].unique()[:3].tolist()
        raise ConstraintViolationError(
            f"Generated primary key {table}.{column} has duplicates, e.g. {duplicated}. This is "
            "a SynthoHive bug; please report it with the schema and random_state."
        )


def _check_counts(counts: np.ndarray, table: str, relation: RelationPlan) -> np.ndarray:
    counts = np.asarray(counts)
    if counts.ndim != 1 or (counts.size and (counts.min() < 0 or
                                            not np.issubdtype(counts.dtype, np.integer))):
        raise ConstraintViolationError(
            f"The cardinality estimator of {table}.{relation.column} -> "
            f"{relation.parent_table} returned invalid counts (dtype {counts.dtype}, "
            f"min {counts.min() if counts.size else None}); it must return non-negative "
            "integers, one per parent row."
        )
    return counts.astype(np.int64, copy=False)
