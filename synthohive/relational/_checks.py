"""Parameter and input checks of :class:`RelationalSynthesizer` (``fit`` and ``sample``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real
from typing import Any

import pandas as pd

from synthohive.connectors.base import Connector
from synthohive.exceptions import (
    ConstraintViolationError,
    DataValidationError,
    NotFittedError,
    SchemaValidationError,
)
from synthohive.metrics import constraint_violations
from synthohive.models.base import ConditionalGenerativeModel
from synthohive.relational._plan import TablePlan
from synthohive.schema import Schema
from synthohive.utils._validation import check_column_labels
from synthohive.utils._validation import check_params as validate_params


def check_fitted(synth: Any) -> None:
    """Raise :class:`NotFittedError` unless ``synth`` (a RelationalSynthesizer) is fitted."""
    if not hasattr(synth, "plans_"):
        raise NotFittedError(
            "This RelationalSynthesizer is not fitted yet; call fit(tables) before "
            "sample() or save()."
        )


def check_schema(schema: Any) -> Schema:
    """Return ``schema`` as a :class:`Schema` (a dict is read with ``Schema.from_dict``)."""
    if isinstance(schema, Schema):
        return schema
    if isinstance(schema, Mapping):
        return Schema.from_dict(schema)
    raise SchemaValidationError(
        f"schema must be a synthohive.Schema or its dict format, got "
        f"{type(schema).__name__}."
    )


def check_params(synth: Any, schema: Schema) -> None:
    """Check the parameters of a :class:`RelationalSynthesizer` against its schema."""
    validate_params(synth)
    overrides = dict(synth.models or {})
    unknown = sorted(set(overrides) - set(schema.tables))
    if unknown:
        raise SchemaValidationError(
            f"models= names tables that are not in the schema: {unknown}; known tables: "
            f"{schema.table_names}."
        )
    relations = {f"{fk.child_table}.{fk.column}" for fk in schema.foreign_keys}
    unknown = sorted(set(synth.cardinalities or {}) - relations)
    if unknown:
        raise SchemaValidationError(
            f"cardinalities= names relations that are not in the schema: {unknown}; use "
            f"'<child table>.<fk column>' keys among {sorted(relations)}."
        )
    for name, estimator in [("model", synth.model),
                            *((f"models[{t!r}]", m) for t, m in overrides.items())]:
        if estimator is not None and not isinstance(estimator, ConditionalGenerativeModel):
            raise DataValidationError(
                f"{name} must be a ConditionalGenerativeModel, got "
                f"{type(estimator).__name__}; subclass synthohive.ConditionalGenerativeModel."
            )
    for fk in schema.foreign_keys:
        parent = schema[fk.parent_table]
        if parent.primary_key != fk.parent_column:
            raise SchemaValidationError(
                f"Foreign key {fk.name} must reference the primary key of "
                f"{fk.parent_table!r} ({parent.primary_key!r}); declare "
                f"{fk.parent_column!r} as its primary key or fix the reference."
            )


def validated_tables(schema: Schema, tables: Mapping[str, pd.DataFrame] | Connector,
                     on_orphans: str) -> dict[str, pd.DataFrame]:
    """Read a connector, check the tables against the schema and validate them."""
    if isinstance(tables, Connector):
        tables = tables.read_tables(schema.table_names)
    if not isinstance(tables, Mapping):
        raise DataValidationError(
            "fit expects a dict {table name: pandas DataFrame} or a Connector, got "
            f"{type(tables).__name__}."
        )
    for name, frame in tables.items():
        if not isinstance(frame, pd.DataFrame):
            raise DataValidationError(
                f"Table {name!r} must be a pandas DataFrame, got {type(frame).__name__}; pass "
                "{table name: DataFrame} for every table of the schema."
            )
        check_column_labels(frame, f"Table {name!r}")
    missing = [name for name in schema.table_names if name not in tables]
    extra = [name for name in tables if name not in schema.tables]
    if missing or extra:
        raise SchemaValidationError(
            "The tables passed to fit do not match the schema.",
            [f"table {t!r} is in the schema but was not passed" for t in missing]
            + [f"table {t!r} was passed but is not in the schema; remove it or add it to "
               "the schema" for t in extra],
        )
    tables = {name: tables[name] for name in schema.table_names}
    _check_empty(schema, tables)
    validate = getattr(schema, "validate", None)
    if validate is not None:
        validated = validate(tables, on_orphans=on_orphans)
        if validated is not None:
            tables = dict(validated)
    _check_training_constraints(schema, tables)
    return {name: frame.reset_index(drop=True) for name, frame in tables.items()}


def _check_training_constraints(schema: Schema, tables: Mapping[str, pd.DataFrame]) -> None:
    """Refuse training tables that break their declared constraints, listing every breach.

    A model learns the data it is given; output inside the declared bounds needs training
    data inside them.
    """
    violations = [violation for name, frame in tables.items()
                  for violation in constraint_violations(frame, schema[name], name)]
    if violations:
        raise ConstraintViolationError(
            "The training tables break constraints declared in the schema; fix the data "
            "(filter or correct those rows) or the constraints, then fit again.",
            violations,
        )


def _check_empty(schema: Schema, tables: Mapping[str, pd.DataFrame]) -> None:
    """Refuse empty root tables and empty parents; an empty leaf table stays empty."""
    problems = []
    for name, frame in tables.items():
        if len(frame):
            continue
        children = sorted({fk.child_table for fk in schema.children(name)})
        if not schema[name].foreign_keys:
            problems.append(f"table {name!r} has no rows: a root table needs rows to learn "
                            "from; pass its rows or remove it from the schema")
        elif children:
            problems.append(f"table {name!r} has no rows but is the parent of {children}: "
                            "pass its rows or remove it and its children from the schema")
    if problems:
        raise DataValidationError(
            "Empty tables cannot be learned: " + "; ".join(problems) + "."
        )


def check_threshold(plans: Mapping[str, TablePlan], quality_threshold: Any) -> None:
    """Refuse gate keys that name no table, learned column or ``table.column``."""
    if not isinstance(quality_threshold, Mapping):
        return
    known = {"*"}
    for name, plan in plans.items():
        learned = [*plan.model_columns, *(r.column for r in plan.dependencies)]
        known |= {name, *learned, *(f"{name}.{c}" for c in learned)}
    unknown = sorted(set(quality_threshold) - known)
    if unknown:
        raise DataValidationError(
            f"quality_threshold names {unknown}, which are neither tables nor learned "
            "columns; use 'table.column', 'column', 'table' or '*' keys."
        )


def check_scale(scale: Any) -> float:
    """Return ``scale`` as a float; raise unless it is a positive finite number."""
    if isinstance(scale, bool) or not isinstance(scale, Real) or not math.isfinite(scale) \
            or scale <= 0:
        raise DataValidationError(f"scale must be a positive finite number, got {scale!r}.")
    return float(scale)
