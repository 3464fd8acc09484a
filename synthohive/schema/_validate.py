"""Checking a :class:`~synthohive.schema.Schema` and a dict of tables against it (REL-03).

Two layers, both collecting *every* problem before raising one
:class:`~synthohive.exceptions.SchemaValidationError`:

- :func:`structure_problems`: the schema alone (unknown parent tables, foreign keys to a
  non-primary-key column, self-references, cycles, composite keys);
- :func:`validate_tables`: the tables against the schema (missing or extra tables and
  columns, null or duplicate primary keys, foreign/primary key dtype kinds, orphaned
  foreign key values). Orphans are raised, or dropped with ``on_orphans="drop"``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from synthohive.exceptions import DataValidationError, SchemaValidationError

if TYPE_CHECKING:
    from synthohive.schema._schema import ForeignKey, Schema

logger = logging.getLogger(__name__)

ON_ORPHANS = ("raise", "drop")
_MAX_EXAMPLES = 3


def structure_problems(schema: Schema) -> list[str]:
    """List what the schema declares that is unsupported or inconsistent.

    Parameters
    ----------
    schema : Schema
        The schema to check.

    Returns
    -------
    list of str
        One readable line per problem, each saying what to do; empty when the schema is fine.
    """
    problems: list[str] = []
    for table in schema.tables.values():
        if table.primary_key is not None and not isinstance(table.primary_key, str):
            problems.append(
                f"table {table.name!r}: composite primary key {list(table.primary_key)} is not "
                "supported yet; add a single surrogate key column (e.g. a row number) and declare "
                "it as the primary key"
            )
        for fk in table.foreign_keys:
            problems.extend(_foreign_key_problems(schema, fk))
    problems.extend(_cycle_problems(schema))
    return problems


def _foreign_key_problems(schema: Schema, fk: ForeignKey) -> list[str]:
    if not isinstance(fk.column, str) or not isinstance(fk.parent_column, str):
        return [f"foreign key {fk.name}: composite foreign keys are not supported yet; reference "
                "a single surrogate key column of the parent instead"]
    if fk.parent_table == fk.child_table:
        return [f"foreign key {fk.name} is a self-reference, which is not supported yet; remove "
                "it from the schema and keep the column as a plain attribute (or move the "
                "hierarchy into a separate link table)"]
    parent = schema.tables.get(fk.parent_table)
    if parent is None:
        return [f"foreign key {fk.name} references table {fk.parent_table!r}, which is not in "
                f"the schema; add it or remove the foreign key (tables: {schema.table_names})"]
    if parent.primary_key is None:
        return [f"foreign key {fk.name} references table {fk.parent_table!r}, which has no "
                "primary key; declare its primary key"]
    if fk.parent_column != parent.primary_key:
        return [f"foreign key {fk.name} references {fk.parent_table}.{fk.parent_column}, which "
                f"is not the primary key of {fk.parent_table!r} ({parent.primary_key!r}); "
                "foreign keys must reference the parent's primary key"]
    return []


def _cycle_problems(schema: Schema) -> list[str]:
    """Report the tables of foreign key cycles (self-references are reported elsewhere)."""
    remaining = {
        name: {fk.parent_table for fk in spec.foreign_keys
               if fk.parent_table in schema.tables and fk.parent_table != name}
        for name, spec in schema.tables.items()
    }
    changed = True
    while changed:
        ready = [name for name, parents in remaining.items() if not parents]
        changed = bool(ready)
        for name in ready:
            del remaining[name]
        for parents in remaining.values():
            parents.difference_update(ready)
    if not remaining:
        return []
    links = sorted(fk.name for fk in schema.foreign_keys
                   if fk.child_table in remaining and fk.parent_table in remaining
                   and fk.child_table != fk.parent_table)
    return [f"the foreign keys form a cycle, which is not supported yet, between tables "
            f"{sorted(remaining)} ({'; '.join(links)}); remove one foreign key of the cycle "
            "from the schema and keep its column as a plain attribute"]


def check_structure(schema: Schema) -> None:
    """Raise if the schema itself is unsupported or inconsistent.

    Parameters
    ----------
    schema : Schema
        The schema to check.

    Raises
    ------
    SchemaValidationError
        Listing every problem of :func:`structure_problems`.
    """
    problems = structure_problems(schema)
    if problems:
        raise SchemaValidationError("The schema is not supported as declared.", problems)


def value_kind(values: pd.Series) -> str:
    """Kind of a column's values for key comparisons.

    Parameters
    ----------
    values : Series
        A column.

    Returns
    -------
    str
        ``"numeric"`` (ints and floats, nullable or not), ``"string"``, ``"datetime"``,
        ``"bool"``, ``"timedelta"`` or ``"mixed"`` (an object column of several kinds).
    """
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return value_kind(pd.Series(dtype.categories))
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "timedelta"
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    return {"string": "string", "empty": "string", "integer": "numeric",
            "floating": "numeric", "mixed-integer-float": "numeric", "decimal": "numeric",
            "boolean": "bool", "datetime": "datetime", "datetime64": "datetime",
            "date": "datetime"}.get(inferred, "mixed")


def _examples(values: Any) -> str:
    shown = [repr(v.item() if isinstance(v, np.generic) else v)
             for v in list(values)[:_MAX_EXAMPLES]]
    return ", ".join(shown)


def _table_problems(schema: Schema, tables: Mapping[str, pd.DataFrame]) -> list[str]:
    problems = [f"table {name!r} is in the schema but missing from the tables; pass it too"
                for name in schema.table_names if name not in tables]
    problems += [f"table {name!r} is not in the schema; remove it from the tables or add it to "
                 "the schema" for name in tables if name not in schema.tables]
    for name, spec in schema.tables.items():
        frame = tables.get(name)
        if frame is None:
            continue
        wanted = [*spec.key_columns, *spec.columns, *spec.constraints]
        missing = [c for c in dict.fromkeys(wanted)
                   if isinstance(c, str) and c not in frame.columns]
        problems += [f"table {name!r}: column {c!r} is declared in the schema but missing from "
                     f"the table (columns: {list(frame.columns)})" for c in missing]
        if isinstance(spec.primary_key, str) and spec.primary_key in frame.columns:
            problems += _primary_key_problems(name, spec.primary_key, frame[spec.primary_key])
    return problems


def _primary_key_problems(table: str, column: str, values: pd.Series) -> list[str]:
    problems = []
    n_null = int(values.isna().sum())
    if n_null:
        problems.append(f"table {table!r}: primary key {column!r} has {n_null} null value(s); "
                        "every row needs a key: fill them or drop those rows")
    duplicated = values[values.duplicated(keep="first") & values.notna()]
    if len(duplicated):
        problems.append(
            f"table {table!r}: primary key {column!r} has {len(duplicated)} duplicated value(s) "
            f"(e.g. {_examples(duplicated.unique())}); primary keys must be unique: deduplicate "
            "the rows or declare another key"
        )
    return problems


def _checkable_foreign_keys(schema: Schema, tables: Mapping[str, pd.DataFrame],
                            problems: list[str]) -> list[ForeignKey]:
    """Foreign keys whose columns exist and whose kinds match; kind mismatches are reported."""
    usable = []
    for fk in schema.foreign_keys:
        child, parent = tables.get(fk.child_table), tables.get(fk.parent_table)
        if child is None or parent is None or fk.column not in child.columns \
                or fk.parent_column not in parent.columns:
            continue
        child_kind = value_kind(child[fk.column])
        parent_kind = value_kind(parent[fk.parent_column])
        if child_kind != parent_kind or child_kind == "mixed":
            problems.append(
                f"foreign key {fk.name}: the column holds {child_kind} values "
                f"({child[fk.column].dtype}) but the parent key holds {parent_kind} values "
                f"({parent[fk.parent_column].dtype}); convert one so both have the same type"
            )
            continue
        usable.append(fk)
    return usable


def _orphan_mask(child: pd.Series, parent_keys: pd.Series) -> np.ndarray:
    """Mark the rows whose non-null foreign key value has no parent row."""
    return (child.notna() & ~child.isin(parent_keys.dropna())).to_numpy(dtype=bool)


def validate_tables(schema: Schema, tables: Mapping[str, pd.DataFrame],
                    on_orphans: str = "raise") -> dict[str, pd.DataFrame]:
    """Check ``tables`` against ``schema``, collecting every problem.

    Parameters
    ----------
    schema : Schema
        The schema.
    tables : mapping of str to DataFrame
        One DataFrame per schema table.
    on_orphans : {"raise", "drop"}, default="raise"
        What to do with child rows whose (non-null) foreign key value has no parent row:
        report them as problems, or drop them (logged at WARNING with counts). Dropping
        cascades: rows whose parent row was dropped are dropped too.

    Returns
    -------
    dict of str to DataFrame
        The tables in schema order; tables that lost orphan rows are new frames with a fresh
        ``RangeIndex``, the others are the frames passed in.

    Raises
    ------
    DataValidationError
        If ``tables`` is not a mapping of DataFrames or ``on_orphans`` is unknown.
    SchemaValidationError
        Listing every problem found.
    """
    if on_orphans not in ON_ORPHANS:
        raise DataValidationError(f"on_orphans must be one of {ON_ORPHANS}, got {on_orphans!r}.")
    if not isinstance(tables, Mapping) or not all(
            isinstance(frame, pd.DataFrame) for frame in tables.values()):
        raise DataValidationError(
            "Schema.validate expects a dict {table name: pandas DataFrame}, got "
            f"{type(tables).__name__}."
        )
    problems = structure_problems(schema) + _table_problems(schema, tables)
    foreign_keys = _checkable_foreign_keys(schema, tables, problems)
    out = {name: tables[name] for name in schema.table_names if name in tables}
    if not problems:
        _handle_orphans(schema, out, foreign_keys, on_orphans, problems)
    elif on_orphans == "raise":
        problems += _orphan_problems(out, foreign_keys)
    if problems:
        raise SchemaValidationError(
            f"The tables do not match the schema ({len(problems)} problem(s)); nothing was "
            "trained.", problems)
    return out


def _orphan_problems(tables: Mapping[str, pd.DataFrame],
                     foreign_keys: list[ForeignKey]) -> list[str]:
    problems = []
    for fk in foreign_keys:
        child = tables[fk.child_table][fk.column]
        mask = _orphan_mask(child, tables[fk.parent_table][fk.parent_column])
        if mask.any():
            orphans = child[mask]
            problems.append(
                f"foreign key {fk.name}: {int(mask.sum())} row(s) of {fk.child_table!r} hold "
                f"{orphans.nunique()} value(s) missing from {fk.parent_table}.{fk.parent_column} "
                f"(e.g. {_examples(orphans.unique())}); fix the data, set them to null, or pass "
                "on_orphans='drop' to drop those rows"
            )
    return problems


def _handle_orphans(schema: Schema, tables: dict[str, pd.DataFrame],
                    foreign_keys: list[ForeignKey], on_orphans: str,
                    problems: list[str]) -> None:
    """Report orphans, or drop them in topological order so the drop cascades."""
    if on_orphans == "raise":
        problems += _orphan_problems(tables, foreign_keys)
        return
    for name in schema.topological_order():
        frame = tables[name]
        drop = np.zeros(len(frame), dtype=bool)
        for fk in (fk for fk in foreign_keys if fk.child_table == name):
            mask = _orphan_mask(frame[fk.column], tables[fk.parent_table][fk.parent_column])
            if mask.any():
                logger.warning(
                    "Dropping %d row(s) of %r whose %s value has no parent row (%d distinct "
                    "value(s), e.g. %s)", int(mask.sum()), name, fk.name,
                    frame[fk.column][mask].nunique(), _examples(frame[fk.column][mask].unique()))
            drop |= mask
        if drop.any():
            tables[name] = frame.loc[~drop].reset_index(drop=True)
            logger.warning("Table %r: %d of %d row(s) dropped as orphans, %d kept", name,
                           int(drop.sum()), len(frame), len(tables[name]))
