"""Guessing primary and foreign keys from table and column names, uniqueness and values.

The guesses are heuristics: every one is logged at INFO on logger
``synthohive.schema._infer`` with its evidence, and the result must be reviewed
(``schema.to_dict()``) before it is trusted.

Primary key of table ``t``: the first of ``id``, ``<t>_id``, ``<singular t>_id``,
``<t>id``, ``<singular t>id`` that exists; failing that, the first column whose name ends in
``id`` (case-insensitive). The column must be non-null, unique and hold integers or strings.

Foreign key ``c.col -> p.pk``: ``col`` is named like ``p``'s key (``col == pk`` or
``col`` in ``<p>_id``/``<singular p>_id``), ``c`` is not ``p`` (no self-references), both
hold the same kind of values, and at least ``min_containment`` of the non-null values of
``col`` exist in ``p.pk``. A foreign key that would close a cycle is skipped (and logged).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pandas as pd

from synthohive.exceptions import DataValidationError
from synthohive.schema._validate import value_kind

logger = logging.getLogger(__name__)

_KEY_KINDS = ("numeric", "string")


def _singular(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith("ies"):
        return name[:-3] + "y"
    if lowered.endswith(("ses", "xes", "ches", "shes")):
        return name[:-2]
    if lowered.endswith("s") and not lowered.endswith("ss"):
        return name[:-1]
    return name


def _key_names(table: str) -> list[str]:
    """Column names that would be the key of ``table``, most specific first."""
    single = _singular(table)
    names = [f"{table}_id", f"{single}_id", f"{table}id", f"{single}id"]
    return list(dict.fromkeys(n.lower() for n in names))


def _is_key_like(values: pd.Series) -> bool:
    if value_kind(values) not in _KEY_KINDS or values.isna().any() or not values.is_unique:
        return False
    if pd.api.types.is_float_dtype(values.dtype):
        return bool((values == values.round()).all())
    return True


def _guess_primary_key(name: str, frame: pd.DataFrame) -> str | None:
    named = [c for c in frame.columns if isinstance(c, str)]
    lowered = {c.lower(): c for c in named}
    by_name = [lowered[n] for n in ["id", *_key_names(name)] if n in lowered]
    by_suffix = [c for c in named if c.lower().endswith("id")]
    for column in dict.fromkeys([*by_name, *by_suffix]):
        if _is_key_like(frame[column]):
            logger.info("Schema.infer: primary key of %r guessed as %r (%s, unique, non-null, "
                        "%d rows)", name, column,
                        "named like the table's key" if column in by_name else "ends in 'id'",
                        len(frame))
            return column
    logger.info("Schema.infer: no primary key found for %r (no unique, non-null, id-named "
                "column); declare one if the table has children", name)
    return None


def _references(column: str, parent: str, parent_key: str) -> bool:
    lowered = column.lower()
    if lowered == parent_key.lower() and parent_key.lower() != "id":
        return True
    return lowered in _key_names(parent)[:2]


def _containment(child: pd.Series, parent: pd.Series) -> float | None:
    """Share of non-null child values found in ``parent``; None if none or kinds differ."""
    values = child.dropna()
    if values.empty or value_kind(child) != value_kind(parent):
        return None
    return float(values.isin(parent).mean())


def _reaches(graph: Mapping[str, set[str]], start: str, target: str) -> bool:
    """Whether ``target`` is an ancestor of ``start`` following child -> parent links."""
    stack, seen = [start], set()
    while stack:
        node = stack.pop()
        if node == target:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(graph.get(node, ()))
    return False


def infer_schema(tables: Mapping[str, pd.DataFrame],
                 min_containment: float = 1.0) -> dict[str, Any]:
    """Guess a schema from the tables (see the module docstring for the rules).

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The tables, by name.
    min_containment : float, default=1.0
        Minimum share of a candidate foreign key's non-null values that must exist in the
        parent key. Lower it (e.g. 0.99) to also find foreign keys with a few orphans.

    Returns
    -------
    dict
        The guessed schema in the dictionary format of :meth:`Schema.from_dict` (this module
        does not import :class:`Schema`, which calls it); review it before using it.

    Raises
    ------
    DataValidationError
        If ``tables`` is not a mapping of DataFrames or ``min_containment`` is not in (0, 1].
    """
    if not isinstance(tables, Mapping) or not tables or not all(
            isinstance(frame, pd.DataFrame) for frame in tables.values()):
        raise DataValidationError(
            "Schema.infer expects a non-empty dict {table name: pandas DataFrame}.")
    if not 0.0 < float(min_containment) <= 1.0:
        raise DataValidationError(
            f"min_containment must be in (0, 1], got {min_containment!r}.")
    keys = {name: _guess_primary_key(name, frame) for name, frame in tables.items()}
    graph: dict[str, set[str]] = {name: set() for name in tables}
    foreign_keys: dict[str, list[dict[str, str]]] = {name: [] for name in tables}
    for name, frame in tables.items():
        for column in frame.columns:
            if not isinstance(column, str) or column == keys[name]:
                continue
            parent = _guess_foreign_key(name, column, frame[column], tables, keys,
                                        min_containment)
            if parent is None:
                continue
            if _reaches(graph, parent[0], name):
                logger.info("Schema.infer: %s.%s -> %s.%s skipped, it would close a cycle",
                            name, column, *parent)
                continue
            graph[name].add(parent[0])
            foreign_keys[name].append({"column": column, "references": ".".join(parent)})
    logger.info("Schema.infer: %d table(s), %d primary key(s), %d foreign key(s) guessed; "
                "review schema.to_dict() before use", len(tables),
                sum(k is not None for k in keys.values()),
                sum(len(fks) for fks in foreign_keys.values()))
    return {"tables": {name: {"primary_key": keys[name], "foreign_keys": foreign_keys[name]}
                       for name in tables}}


def _guess_foreign_key(name: str, column: str, values: pd.Series,
                       tables: Mapping[str, pd.DataFrame], keys: Mapping[str, str | None],
                       min_containment: float) -> tuple[str, str] | None:
    """Return the parent table and key that ``name.column`` references, or None."""
    candidates = [(parent, key) for parent, key in keys.items()
                  if key is not None and parent != name and _references(column, parent, key)]
    for parent, key in candidates:
        share = _containment(values, tables[parent][key])
        if share is None or share < min_containment:
            logger.info("Schema.infer: %s.%s is named like %s.%s but %s; not a foreign key",
                        name, column, parent, key,
                        "holds no comparable values" if share is None
                        else f"only {share:.1%} of its values exist there")
            continue
        logger.info("Schema.infer: foreign key %s.%s -> %s.%s guessed (named like the parent "
                    "key, %.1f%% of %d non-null values found in the parent)", name, column,
                    parent, key, 100 * share, int(values.notna().sum()))
        return parent, key
    return None
