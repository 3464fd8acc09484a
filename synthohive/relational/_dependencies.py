"""Text columns that are functions of another text column of the same row.

Real tables repeat facts: a customer's ``country`` follows from its ``city``, a ``region``
from its city too, a product's ``category_name`` from its ``category_code``. A per-table
model learns such columns as separate categories and, on small tables (a Gaussian copula
on 91 customers), pairs a city with another country's name: "México D.F." in "France".
Rows like that are recognised at once, and every child that copies them (orders'
``ship_city`` and ``ship_country``) carries the contradiction on.

At ``fit``, :func:`detect_dependencies` finds, among a table's learned text columns, the
pairs where one column (the *source*) determines the other (the *target*): every source
value that occurs in at least two training rows has one target value (a null counts as a
value), at least :data:`MIN_REPEATED` source values occur twice or more, and those rows show
at least two target values (a constant is not a dependency). Columns are taken by
decreasing number of distinct values; a column that is not a target yet becomes the source
of every later column it determines, so a city is the source of both region and country
and no chain forms. A source value seen once has no evidence against the rule and takes its
own row's target.

At generation, :func:`apply_dependencies` fills each target from the generated source value
through the training mapping; the model learns the source and not the target, so the
target's frequencies are those the source's bring with it. The mapping holds values of
learned columns only (sanitised identifiers never are), the same values a model's
categories hold.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_object_dtype, is_string_dtype

__all__ = ["MIN_REPEATED", "DependencyRule", "apply_dependencies", "detect_dependencies"]

logger = logging.getLogger(__name__)

MIN_REPEATED = 5
"""Fewest source values seen in two rows or more for a dependency to be trusted."""

_QUICK_ROWS = 10_000
"""Rows a candidate rule is first checked on (a rule broken there is broken)."""


@dataclass(frozen=True)
class DependencyRule:
    """A learned text column filled from another one of the same row.

    Attributes
    ----------
    column : str
        The target column (not learned).
    source : str
        The learned column it is a function of.
    sources : tuple
        The source values seen in training.
    targets : tuple
        The target value of each (None for a null).
    """

    column: str
    source: str
    sources: tuple[Any, ...]
    targets: tuple[Any, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the rule as JSON-compatible data."""
        return {"column": self.column, "source": self.source,
                "sources": list(self.sources), "targets": list(self.targets)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DependencyRule:
        """Rebuild a rule written by :meth:`to_dict`."""
        return cls(data["column"], data["source"], tuple(data["sources"]),
                   tuple(data["targets"]))


def detect_dependencies(frame: pd.DataFrame, learned: Sequence[str]
                        ) -> tuple[DependencyRule, ...]:
    """Return the dependencies among the learned text columns of a training table.

    Parameters
    ----------
    frame : DataFrame
        The (sanitised) training table.
    learned : sequence of str
        Its learned columns; object and string columns with at least two values are
        candidates.

    Returns
    -------
    tuple of DependencyRule
        One per target column, in the order of ``learned``.
    """
    candidates = [c for c in learned if _text(frame[c]) and frame[c].nunique() >= 2]
    codes = {c: pd.factorize(frame[c], use_na_sentinel=False)[0] for c in candidates}
    distinct = {c: int(codes[c].max()) + 1 for c in candidates}
    targets: dict[str, str] = {}
    for source in sorted(candidates, key=lambda c: -distinct[c]):
        if source in targets:
            continue
        counts = np.bincount(codes[source])
        repeated = np.flatnonzero(counts[codes[source]] >= 2)
        if (counts >= 2).sum() < MIN_REPEATED:
            continue
        # A rule that fails on some rows fails on all: most pairs are rejected on a few.
        first = repeated[:_QUICK_ROWS]
        for column in candidates:
            if (column == source or column in targets or distinct[column] >= distinct[source]
                    or column in targets.values()):
                continue
            if (_determines(codes[source][first], codes[column][first], distinct[column])
                    and _determines(codes[source][repeated], codes[column][repeated],
                                    distinct[column])):
                targets[column] = source
    rules = []
    for column in [c for c in learned if c in targets]:
        source = targets[column]
        pairs = frame[[source, column]].drop_duplicates(subset=[source])
        rules.append(DependencyRule(column, source, tuple(_plain(pairs[source])),
                                    tuple(_plain(pairs[column]))))
        logger.info("Column %r is a function of %r in every training row: it is filled from "
                    "it, not learned.", column, source)
    return tuple(rules)


def apply_dependencies(rules: Sequence[DependencyRule], parts: dict[str, Any]) -> None:
    """Fill every rule's target in ``parts`` from its generated source column.

    Parameters
    ----------
    rules : sequence of DependencyRule
        The table's rules.
    parts : dict of str to Series
        Generated columns by name; targets are added.
    """
    for rule in rules:
        lookup = pd.Series(rule.targets, index=pd.Index(rule.sources, dtype=object),
                           dtype=object)
        source = pd.Series(parts[rule.source]).astype(object)
        parts[rule.column] = pd.Series(
            lookup.reindex(source.where(source.notna(), None).to_numpy()).to_numpy(),
            index=source.index, dtype=object)


def _determines(source: np.ndarray, target: np.ndarray, n_targets: int) -> bool:
    """Whether each source code has one target code, and the targets are not all one."""
    if len(np.unique(target)) < 2:
        return False
    return len(np.unique(source * n_targets + target)) == len(np.unique(source))


def _text(values: pd.Series) -> bool:
    return is_object_dtype(values) or is_string_dtype(values)


def _plain(values: pd.Series) -> list[Any]:
    """Values as Python objects, nulls as None (JSON-compatible)."""
    return [None if pd.isna(v) else v for v in values.astype(object).tolist()]
