"""Relational metrics (QUAL-07): integrity and shape of each foreign key.

For a foreign key ``child.column -> parent.parent_column``:

- **orphan rate**: share of the child rows whose (non-null) key matches no parent row
  (should be 0 in synthetic data);
- **missing-parent rate**: share of the child rows whose key is null (a child without a
  parent), reported for the real and the synthetic data;
- **cardinality KS**: KS statistic between the real and synthetic distributions of the number
  of children per parent (parents without children count as 0);
- **attribute correlation delta**: mean of ``|r_real - r_synthetic| / 2`` over every pair
  (numeric child column, numeric parent column) joined through the key, key columns left out.

All are in ``[0, 1]``, lower is better. A foreign key's ``score`` is one minus the mean of
the orphan rate, the missing-parent rate difference, the cardinality KS and (when defined)
the attribute correlation delta.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthohive.exceptions import DataValidationError
from synthohive.metrics._column import column_metric, ks_statistic
from synthohive.metrics._pairs import correlation_matrix
from synthohive.schema import Schema

__all__ = [
    "children_per_parent",
    "missing_parent_rate",
    "orphan_rate",
    "relational_distances",
]

RELATIONAL_COLUMNS = [
    "foreign_key",
    "child_table",
    "column",
    "parent_table",
    "parent_column",
    "orphan_rate",
    "missing_parent_rate",
    "real_missing_parent_rate",
    "cardinality_ks",
    "attribute_correlation_delta",
    "score",
]


def orphan_rate(child_keys: pd.Series, parent_keys: pd.Series) -> float:
    """Share of non-null child keys that match no parent key.

    Parameters
    ----------
    child_keys : Series
        Foreign key column of the child table.
    parent_keys : Series
        Referenced (primary key) column of the parent table.

    Returns
    -------
    float
        In ``[0, 1]``; 0 when every key joins (or there is no non-null key). Lower is better.

    Examples
    --------
    >>> import pandas as pd
    >>> orphan_rate(pd.Series([1, 2, 3, None]), pd.Series([1, 2]))
    0.3333333333333333
    """
    present = child_keys.dropna()
    if present.empty:
        return 0.0
    return float((~present.isin(parent_keys.dropna())).mean())


def missing_parent_rate(child_keys: pd.Series) -> float:
    """Share of child rows whose foreign key is null (rows without a parent).

    Parameters
    ----------
    child_keys : Series
        Foreign key column of the child table.

    Returns
    -------
    float
        In ``[0, 1]`` (0 for an empty table).

    Examples
    --------
    >>> import pandas as pd
    >>> missing_parent_rate(pd.Series([1, None, 2, None]))
    0.5
    """
    return float(child_keys.isna().mean()) if len(child_keys) else 0.0


def children_per_parent(child_keys: pd.Series, parent_keys: pd.Series) -> np.ndarray:
    """Count the child rows referencing each parent row (0 for childless parents).

    Parameters
    ----------
    child_keys : Series
        Foreign key column of the child table.
    parent_keys : Series
        Referenced column of the parent table.

    Returns
    -------
    ndarray of int64
        One count per parent row, in parent order. Orphans and null keys are not counted.

    Examples
    --------
    >>> import pandas as pd
    >>> children_per_parent(pd.Series([1, 1, 3]), pd.Series([1, 2, 3])).tolist()
    [2, 0, 1]
    """
    index = pd.Index(parent_keys)
    if not index.is_unique:
        index = index.drop_duplicates()
    positions = index.get_indexer(child_keys.dropna())
    counts = np.bincount(positions[positions >= 0], minlength=len(index))
    return counts[index.get_indexer(parent_keys)].astype(np.int64)


def _numeric_attributes(table: pd.DataFrame, keys: list[str]) -> list[str]:
    return [str(c) for c in table.columns if c not in keys and column_metric(table[c]) == "KS"]


def _joined_correlation(
    child: pd.DataFrame,
    parent: pd.DataFrame,
    column: str,
    parent_column: str,
    child_attributes: list[str],
    parent_attributes: list[str],
) -> np.ndarray:
    """Correlations between child and parent attributes over child rows joined to parents."""
    parent_index = pd.Index(parent[parent_column]).drop_duplicates()
    positions = parent_index.get_indexer(child[column])
    joined = positions >= 0
    first = parent.drop_duplicates(subset=parent_column)
    frame = pd.concat(
        [
            child.loc[joined, child_attributes].reset_index(drop=True).add_prefix("c."),
            first.iloc[positions[joined]][parent_attributes]
            .reset_index(drop=True)
            .add_prefix("p."),
        ],
        axis=1,
    )
    return correlation_matrix(frame)[: len(child_attributes), len(child_attributes) :]


def relational_distances(
    real: dict[str, pd.DataFrame], synthetic: dict[str, pd.DataFrame], schema: Schema
) -> pd.DataFrame:
    """Compare every foreign key of ``schema`` between real and synthetic tables.

    Parameters
    ----------
    real, synthetic : dict of str to DataFrame
        Tables by name; each must hold the tables of ``schema``.
    schema : Schema
        The tables' keys.

    Returns
    -------
    DataFrame
        One row per foreign key with the columns ``foreign_key``, ``child_table``,
        ``column``, ``parent_table``, ``parent_column``, ``orphan_rate``,
        ``missing_parent_rate``, ``real_missing_parent_rate``, ``cardinality_ks``,
        ``attribute_correlation_delta`` (NaN without numeric attribute pairs) and ``score``.

    Raises
    ------
    DataValidationError
        If a table or key column of the schema is missing.
    """
    rows = []
    for fk in schema.foreign_keys:
        tables = []
        for side, data in (("real", real), ("synthetic", synthetic)):
            for name, key in ((fk.child_table, fk.column), (fk.parent_table, fk.parent_column)):
                if name not in data or key not in data[name].columns:
                    raise DataValidationError(
                        f"The {side} tables lack column {name}.{key} of foreign key {fk.name}; "
                        "pass every table of the schema with its key columns."
                    )
            tables.append((data[fk.child_table], data[fk.parent_table]))
        (real_child, real_parent), (synthetic_child, synthetic_parent) = tables
        child_keys = schema[fk.child_table].key_columns
        parent_keys = schema[fk.parent_table].key_columns
        child_attributes = _numeric_attributes(real_child, child_keys)
        parent_attributes = _numeric_attributes(real_parent, parent_keys)
        delta = np.nan
        if child_attributes and parent_attributes:
            real_r, synthetic_r = (
                _joined_correlation(
                    child,
                    parent,
                    fk.column,
                    fk.parent_column,
                    child_attributes,
                    parent_attributes,
                )
                for child, parent in tables
            )
            delta = float(np.mean(np.abs(real_r - synthetic_r)) / 2.0)
        orphans = orphan_rate(synthetic_child[fk.column], synthetic_parent[fk.parent_column])
        missing = missing_parent_rate(synthetic_child[fk.column])
        real_missing = missing_parent_rate(real_child[fk.column])
        cardinality = ks_statistic(
            pd.Series(children_per_parent(real_child[fk.column], real_parent[fk.parent_column])),
            pd.Series(
                children_per_parent(synthetic_child[fk.column], synthetic_parent[fk.parent_column])
            ),
        )
        parts = [orphans, abs(missing - real_missing), cardinality]
        parts += [] if np.isnan(delta) else [delta]
        rows.append(
            (
                fk.name,
                fk.child_table,
                fk.column,
                fk.parent_table,
                fk.parent_column,
                orphans,
                missing,
                real_missing,
                cardinality,
                delta,
                1.0 - float(np.mean(parts)),
            )
        )
    return pd.DataFrame(rows, columns=RELATIONAL_COLUMNS)
