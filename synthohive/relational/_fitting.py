"""Fitting of :class:`RelationalSynthesizer`: table plans, then per-table models and counts.

:func:`plan_tables` decides how every table is learned (``doc/relational.md``, "Fitting":
column kinds, relations, columns copied from a parent, columns that follow from another,
datetime offsets);
:func:`fit_tables` then fits, in topological order, one cardinality estimator per foreign
key and one model per table that has learned columns.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from synthohive.exceptions import DataValidationError, SynthoHiveError, TrainingError
from synthohive.privacy import PrivacyConfig
from synthohive.relational._anchor import choose_anchor
from synthohive.relational._dependencies import detect_dependencies
from synthohive.relational._guard import ContextGuard
from synthohive.relational._inherit import detect_rules
from synthohive.relational._keys import children_counts, parent_positions
from synthohive.relational._offsets import detect_offsets, to_offsets
from synthohive.relational._plan import TablePlan, build_plan, gather_context
from synthohive.schema import Schema
from synthohive.schema._kinds import MODEL_ROLES
from synthohive.utils._random import derive_seed

logger = logging.getLogger(__name__)


@dataclass
class Layout:
    """How every table is learned, and the links between the training tables.

    Attributes
    ----------
    order : list of str
        Tables in topological order.
    plans : dict of str to TablePlan
        Plan of every table, with its inherited columns and datetime offsets.
    keys : dict of str to Index
        Primary keys of every table that has one.
    linked : dict of str to dict of str to ndarray
        Per table and foreign key column, the parent row position of every row (-1: null).
    inherit_values : dict of str to dict of str to ndarray
        Per table and inherited column, the values of the rows that do not copy.
    copy_patterns : dict of str to dict of str to ndarray
        Per table with partially copied columns, its copy patterns and their counts.
    roles : dict of str to dict of str to str
        Per table, the roles declared in the schema for the columns its model learns
        (``categorical``, ``numeric``, ``datetime``), passed to models that take ``roles``.
    constraints : dict of str to dict
        Per table, the declared constraints of the columns its model learns, passed to
        models that take ``constraints`` (they generate inside them by construction).
    """

    order: list[str]
    plans: dict[str, TablePlan]
    keys: dict[str, pd.Index]
    linked: dict[str, dict[str, np.ndarray]]
    inherit_values: dict[str, dict[str, np.ndarray]]
    copy_patterns: dict[str, dict[str, np.ndarray]]
    roles: dict[str, dict[str, str]] = field(default_factory=dict)
    constraints: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Fitted:
    """The estimators fitted by :func:`fit_tables` (see the synthesizer's attributes)."""

    models: dict[str, Any]
    guards: dict[str, ContextGuard]
    cardinality: dict[str, Any]
    fit_seconds: dict[str, float]


def plan_tables(schema: Schema, tables: Mapping[str, pd.DataFrame],
                inherit_threshold: float | None, datetime_offsets: bool,
                personal: Mapping[str, Collection[str]]) -> Layout:
    """Compute the plan of every validated training table.

    Parameters
    ----------
    schema : Schema
        The schema.
    tables : mapping of str to DataFrame
        Validated training tables (``RangeIndex``).
    inherit_threshold : float or None
        Detection threshold of copied columns (:mod:`._inherit`); None detects none.
    datetime_offsets : bool
        Whether to detect datetime offsets (:mod:`._offsets`).
    personal : mapping of str to collection of str
        Per table, the columns the privacy sanitiser replaced: the children counts never
        depend on them (:class:`~._plan.TablePlan`).

    Returns
    -------
    Layout
        Plans and links.
    """
    order = schema.topological_order()
    sizes = {name: len(frame) for name, frame in tables.items()}
    plans = {name: build_plan(schema, name, tables[name], sizes, personal.get(name, ()))
             for name in order}
    keys = {name: pd.Index(tables[name][plans[name].primary_key])
            for name in order if plans[name].primary_key is not None}
    linked = {name: {r.column: parent_positions(tables[name][r.column], keys[r.parent_table])
                     for r in plans[name].relations} for name in order}
    inherit_values: dict[str, dict[str, np.ndarray]] = {name: {} for name in order}
    copy_patterns: dict[str, dict[str, np.ndarray]] = {}
    if inherit_threshold is not None:
        for name in order:
            rules, inherit_values[name], patterns, counts = detect_rules(
                plans[name], tables[name], plans, tables, linked[name], inherit_threshold)
            plans[name] = plans[name].with_inherited(rules)
            if len(patterns):
                copy_patterns[name] = {"patterns": patterns, "counts": counts}
    plans = {name: plan.with_dependencies(detect_dependencies(tables[name], plan.model_columns))
             for name, plan in plans.items()}
    if datetime_offsets:
        plans = {name: replace(plan, offsets=detect_offsets(plan, tables[name]))
                 for name, plan in plans.items()}
    plans = {name: replace(plan, id_anchor=choose_anchor(
                 tables[name], plan.id_like_columns,
                 [*plan.model_columns, *(r.column for r in plan.dependencies)]))
             for name, plan in plans.items()}
    roles = {name: {c: schema[name].role(c) for c in _unchanged(plans[name])
                    if schema[name].role(c) in MODEL_ROLES} for name in order}
    constraints = {name: {c: dict(schema[name].constraints[c]) for c in _unchanged(plans[name])
                          if c in schema[name].constraints} for name in order}
    return Layout(order, plans, keys, linked, inherit_values, copy_patterns, roles,
                  constraints)


def _unchanged(plan: TablePlan) -> list[str]:
    """Return the columns a table's model learns as they are (not as datetime offsets)."""
    offsets = {rule.column for rule in plan.offsets}
    return [c for c in plan.model_columns if c not in offsets]


def fit_tables(layout: Layout, tables: Mapping[str, pd.DataFrame], seed: int,
               model_template: Callable[[str, int], Any],
               cardinality_template: Callable[[str, str], Any],
               checkpoint_dir: str | os.PathLike[str] | None = None) -> Fitted:
    """Fit every relation's cardinality estimator and every table's model, in order.

    Parameters
    ----------
    layout : Layout
        From :func:`plan_tables`.
    tables : mapping of str to DataFrame
        Validated training tables.
    seed : int
        The synthesizer's seed; each clone gets ``derive_seed(seed, table[, fk column])``.
    model_template : callable
        ``model_template(table, n_rows)`` returns the (unfitted) model template of a table
        of ``n_rows`` training rows.
    cardinality_template : callable
        ``cardinality_template(table, fk column)`` returns a relation's estimator template.
    checkpoint_dir : path-like, optional
        Each model with a ``checkpoint_dir`` parameter checkpoints into
        ``<checkpoint_dir>/<table>``: a refit resumes it, or skips its training when done.

    Returns
    -------
    Fitted
        The fitted estimators and the training time of each table.
    """
    plans, keys = layout.plans, layout.keys
    fitted = Fitted(models={}, guards={}, cardinality={}, fit_seconds={})
    for name in layout.order:
        started = time.perf_counter()
        plan, frame, positions = plans[name], tables[name], layout.linked[name]
        for relation in plan.relations:
            estimator = seeded(clone(cardinality_template(name, relation.column)),
                               derive_seed(seed, name, relation.column))
            counts = children_counts(positions[relation.column],
                                     len(keys[relation.parent_table]))
            fitted.cardinality[f"{name}.{relation.column}"] = estimator.fit(
                counts, context=parent_context(plans[relation.parent_table],
                                               tables[relation.parent_table]))
        if plan.fitted_columns and len(frame):
            context = gather_context(plan, plans, tables, positions)
            model = seeded(clone(model_template(name, len(frame))), derive_seed(seed, name))
            params = model.get_params(deep=False)
            hints = {"roles": layout.roles.get(name), "constraints": layout.constraints.get(name)}
            model.set_params(**{k: v for k, v in hints.items() if v and k in params})
            if "privacy" in params:  # the tables are sanitised already
                model.set_params(privacy=PrivacyConfig(detect=False))
            if checkpoint_dir is not None and "checkpoint_dir" in params:
                model.set_params(checkpoint_dir=table_directory(checkpoint_dir, name))
            logger.info("Fitting %s on table %r (%d rows, %d columns, %d context columns)",
                        type(model).__name__, name, len(frame), len(plan.fitted_columns),
                        0 if context is None else context.shape[1])
            X = to_offsets(plan.offsets, frame[list(plan.model_columns)])
            if context is not None:
                fitted.guards[name] = ContextGuard.learn(context)
            with _about_table(name):
                fitted.models[name] = model.fit(X, context=context)
        fitted.fit_seconds[name] = time.perf_counter() - started
    return fitted


def seeded(estimator: Any, seed: int) -> Any:
    """Set ``random_state`` of a fresh clone when it has one."""
    if "random_state" in estimator.get_params(deep=False):
        estimator.set_params(random_state=seed)
    return estimator


def table_directory(checkpoint_dir: Any, table: str) -> str:
    """Return the checkpoint sub-directory of ``table``.

    Raises
    ------
    DataValidationError
        If ``checkpoint_dir`` is not a path.
    """
    if not isinstance(checkpoint_dir, str | os.PathLike):
        raise DataValidationError(
            f"checkpoint_dir must be a path or None, got {checkpoint_dir!r}."
        )
    return os.path.join(os.fspath(checkpoint_dir), table)


def parent_context(plan: TablePlan, frame: pd.DataFrame) -> pd.DataFrame | None:
    """Learned columns of a parent table, but personal ones: its cardinality estimators' context."""
    if not plan.count_columns:
        return None
    return frame[list(plan.count_columns)].reset_index(drop=True)


@contextlib.contextmanager
def _about_table(name: str) -> Iterator[None]:
    """Name the table in errors of its model's ``fit``; type the untyped ones."""
    try:
        yield
    except SynthoHiveError as exc:
        exc.add_note(f"(while fitting the model of table {name!r})")
        raise
    except (ValueError, TypeError, RuntimeError, ArithmeticError, LookupError) as exc:
        raise TrainingError(
            f"The model of table {name!r} failed to fit: {exc!r}. Check the table's columns, "
            "or pass another model for it with models={...}."
        ) from exc
