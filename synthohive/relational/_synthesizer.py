"""The :class:`RelationalSynthesizer` meta-estimator (see ``doc/relational.md``)."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from synthohive.connectors.base import Connector
from synthohive.exceptions import (
    DataValidationError,
    NotFittedError,
    SchemaValidationError,
    SynthoHiveError,
    TrainingError,
)
from synthohive.metrics import QualityReport, assess, check_quality
from synthohive.models.base import ConditionalGenerativeModel
from synthohive.persistence import load_artifact, register_persistable, save_artifact
from synthohive.relational._guard import ContextGuard
from synthohive.relational._inherit import (
    DEFAULT_THRESHOLD,
    apply_rules,
    detect_rules,
    parent_columns,
)
from synthohive.relational._keys import (
    check_integrity,
    check_unique,
    children_counts,
    driving_positions,
    parent_positions,
    primary_keys,
    secondary_positions,
)
from synthohive.relational._offsets import detect_offsets, from_offsets, to_offsets
from synthohive.relational._plan import TablePlan, build_plan, gather_context
from synthohive.relational._values import observed_values, resample
from synthohive.relational._writer import (
    ConnectorSink,
    FileSink,
    MemorySink,
    check_output,
    empty_frame,
)
from synthohive.schema import Schema
from synthohive.utils._random import derive_seed, draw_seed, numpy_generator

logger = logging.getLogger(__name__)


@register_persistable("RelationalSynthesizer")
class RelationalSynthesizer(BaseEstimator):
    """Learn a whole relational dataset and generate a synthetic copy whose keys join.

    One clone of ``model`` is fitted per table (in topological order, each child
    conditioned on the attributes of its parent rows) and one clone of ``cardinality`` per
    foreign key (how many children each parent row has). Generation follows the same order:
    root tables first, then children attached to generated parent rows.

    Parameters
    ----------
    schema : Schema or dict
        Tables, primary keys, foreign keys and column roles (a dict is read with
        :meth:`Schema.from_dict`).
    model : ConditionalGenerativeModel, optional
        Template of the per-table model, cloned for every table. None uses
        :func:`synthohive.models.default_model` (CTGAN).
    models : dict of str to ConditionalGenerativeModel, optional
        Per-table overrides of ``model``, e.g. ``{"orders": TVAE()}``.
    cardinality : CardinalityEstimator, optional
        Template of the children-per-parent estimator, cloned for every foreign key. None
        uses :class:`synthohive.EmpiricalCardinality`. Estimators get the parent's learned
        columns as ``context`` (unprefixed), so a conditional one can use them.
    cardinalities : dict of str to CardinalityEstimator, optional
        Per-relation overrides of ``cardinality``, keyed ``"<child table>.<fk column>"``,
        e.g. ``{"orders.customer_id": EmpiricalCardinality(conditional_on="segment")}``.
    random_state : int, RandomState instance or None
        Seeds everything: each clone gets a seed derived from it and its table (and foreign
        key) name, so a table's seed does not depend on the other tables.
    on_orphans : {"raise", "drop"}, default="raise"
        What :meth:`Schema.validate` does with input foreign keys whose parent is missing.
    chunk_size : int, default=50_000
        Rows generated per model call; bounds the memory of :meth:`sample`. Output for a
        seed depends on it.
    inherit_threshold : float or None, default=0.9
        Columns of a child table that copy a column of their parent row (e.g. an order's
        ``ship_country`` is its customer's ``country``) with an agreement beyond chance
        (Cohen's kappa) of at least this value are generated as copies of the generated
        parent's value instead of being learned; the model learns which rows copy. None
        turns the detection off. See ``doc/relational.md``.
    datetime_offsets : bool, default=True
        Learn each datetime column that closely follows the table's first complete datetime
        column (e.g. a shipped date a few days after the order date) as its offset from it,
        which keeps their order and spacing. False learns every date on its own.

    Attributes
    ----------
    schema_ : Schema
        The validated schema.
    order_ : list of str
        Tables in generation order.
    plans_ : dict of str to TablePlan
        How each table is learned and generated (columns, relations, driving relation).
    models_ : dict of str to ConditionalGenerativeModel
        Fitted model of each table that has learned columns.
    guards_ : dict of str to ContextGuard
        For each model fitted with context, the replacement of context values it never saw
        (categories of childless parents, unexpected nulls) by a training value.
    cardinality_ : dict of str to CardinalityEstimator
        Fitted estimator of each foreign key, keyed ``"<table>.<fk column>"``.
    dtypes_ : dict of str to dict of str to str
        Output dtype of every column of every table (the input dtypes).
    id_values_ : dict of str to dict of str to ndarray
        Observed non-null values of the id-like columns, resampled at generation.
    id_null_rates_ : dict of str to dict of str to float
        Null rate of the id-like columns.
    inherit_values_ : dict of str to dict of str to ndarray
        Per table and inherited column, the non-null values of the training rows that did
        not copy their parent, drawn for the generated rows that do not.
    copy_patterns_ : dict of str to dict of str to ndarray
        Per table with partially copied columns, the distinct training copy patterns
        (``"patterns"``, bool, one column per partial rule) and their row counts
        (``"counts"``).
    seed_ : int
        Seed drawn from ``random_state`` at ``fit``.
    fit_seconds_ : dict of str to float
        Training time of each table.
    last_quality_ : QualityReport
        Quality of the last :meth:`sample` (set by ``sample``): every table's learned
        columns against the reference statistics of its model.

    Examples
    --------
    >>> import pandas as pd
    >>> from synthohive import RelationalSynthesizer, Schema
    >>> schema = Schema.from_dict({"tables": {
    ...     "customers": {"primary_key": "id"},
    ...     "orders": {"primary_key": "id", "foreign_keys": [
    ...         {"column": "customer_id", "references": "customers.id"}]}}})
    >>> synth = RelationalSynthesizer(schema, random_state=0)  # doctest: +SKIP
    >>> synth.fit({"customers": customers, "orders": orders})  # doctest: +SKIP
    >>> fake = synth.sample(scale=2.0)  # doctest: +SKIP
    """

    def __init__(
        self,
        schema: Schema | Mapping[str, Any],
        *,
        model: ConditionalGenerativeModel | None = None,
        models: Mapping[str, ConditionalGenerativeModel] | None = None,
        cardinality: Any = None,
        cardinalities: Mapping[str, Any] | None = None,
        random_state: int | np.random.RandomState | None = None,
        on_orphans: str = "raise",
        chunk_size: int = 50_000,
        inherit_threshold: float | None = DEFAULT_THRESHOLD,
        datetime_offsets: bool = True,
    ) -> None:
        self.schema = schema
        self.model = model
        self.models = models
        self.cardinality = cardinality
        self.cardinalities = cardinalities
        self.random_state = random_state
        self.on_orphans = on_orphans
        self.chunk_size = chunk_size
        self.inherit_threshold = inherit_threshold
        self.datetime_offsets = datetime_offsets

    # ------------------------------------------------------------------ fit

    def fit(self, tables: Mapping[str, pd.DataFrame] | Connector) -> RelationalSynthesizer:
        """Validate the tables against the schema, then fit every table and relation.

        Parameters
        ----------
        tables : dict of str to DataFrame, or Connector
            One DataFrame per schema table; a connector is read for the schema's tables.

        Returns
        -------
        self
            The fitted synthesizer.

        Raises
        ------
        SchemaValidationError
            If the tables do not match the schema (listing every problem), ``models`` names
            an unknown table, or a foreign key does not reference its parent's primary key.
        DataValidationError
            If a parameter has the wrong type or value.
        """
        schema = self._check_schema()
        self._check_params(schema)
        tables = self._validated_tables(schema, tables)
        order = schema.topological_order()
        seed = draw_seed(self.random_state)
        sizes = {name: len(frame) for name, frame in tables.items()}
        plans = {name: build_plan(schema, name, tables[name], sizes) for name in order}
        keys = {name: pd.Index(tables[name][plans[name].primary_key])
                for name in order if plans[name].primary_key is not None}
        linked = {name: {r.column: parent_positions(tables[name][r.column],
                                                    keys[r.parent_table])
                         for r in plans[name].relations} for name in order}
        inherit_values: dict[str, dict[str, np.ndarray]] = {name: {} for name in order}
        copy_patterns: dict[str, dict[str, np.ndarray]] = {}
        if self.inherit_threshold is not None:
            for name in order:
                rules, inherit_values[name], patterns, counts = detect_rules(
                    plans[name], tables[name], plans, tables, linked[name],
                    self.inherit_threshold)
                plans[name] = plans[name].with_inherited(rules)
                if len(patterns):
                    copy_patterns[name] = {"patterns": patterns, "counts": counts}
        if self.datetime_offsets:
            plans = {name: replace(plan, offsets=detect_offsets(plan, tables[name]))
                     for name, plan in plans.items()}
        models: dict[str, ConditionalGenerativeModel] = {}
        guards: dict[str, ContextGuard] = {}
        cardinality: dict[str, Any] = {}
        fit_seconds: dict[str, float] = {}
        for name in order:
            started = time.perf_counter()
            plan, frame, positions = plans[name], tables[name], linked[name]
            for relation in plan.relations:
                estimator = _seeded(clone(self._cardinality_template(name, relation.column)),
                                    derive_seed(seed, name, relation.column))
                counts = children_counts(positions[relation.column],
                                         len(keys[relation.parent_table]))
                cardinality[f"{name}.{relation.column}"] = estimator.fit(
                    counts, context=_parent_context(plans[relation.parent_table],
                                                    tables[relation.parent_table]))
            if plan.fitted_columns:
                context = gather_context(plan, plans, tables, positions)
                model = _seeded(clone(self._model_template(name)), derive_seed(seed, name))
                logger.info("Fitting %s on table %r (%d rows, %d columns, %d context columns)",
                            type(model).__name__, name, len(frame), len(plan.fitted_columns),
                            0 if context is None else context.shape[1])
                X = to_offsets(plan.offsets, frame[list(plan.model_columns)])
                if context is not None:
                    guards[name] = ContextGuard.learn(context)
                with _about_table(name):
                    models[name] = model.fit(X, context=context)
            fit_seconds[name] = time.perf_counter() - started
        self.schema_ = schema
        self.order_ = order
        self.plans_ = plans
        self.models_ = models
        self.guards_ = guards
        self.cardinality_ = cardinality
        self.dtypes_ = {name: {c: str(tables[name][c].dtype) for c in plans[name].output_columns}
                        for name in order}
        self.id_values_ = {name: {c: observed_values(tables[name][c])
                                  for c in plans[name].id_like_columns} for name in order}
        self.id_null_rates_ = {name: {c: float(tables[name][c].isna().mean())
                                      for c in plans[name].id_like_columns} for name in order}
        self.inherit_values_ = inherit_values
        self.copy_patterns_ = copy_patterns
        self.seed_ = seed
        self.n_sample_calls_ = 0
        self.fit_seconds_ = fit_seconds
        return self

    # --------------------------------------------------------------- sample

    def sample(
        self,
        scale: float = 1.0,
        output_path: str | os.PathLike[str] | None = None,
        format: str = "parquet",
        output: Connector | None = None,
        random_state: int | np.random.RandomState | None = None,
        if_exists: str = "fail",
        quality_threshold: float | Mapping[str, float] | None = None,
        engine: Any = None,
        n_partitions: int | None = None,
    ) -> dict[str, Any]:
        """Generate every table of the schema.

        Parameters
        ----------
        scale : float, default=1.0
            Root tables get ``round(scale * n_rows)`` rows (at least 1); other tables follow
            from the drawn children counts, so every table scales by about ``scale``.
        output_path : str or path-like, optional
            Stream each table to ``output_path/<table>.<format>`` in chunks instead of
            returning it; only parent keys and context columns stay in memory.
        format : {"parquet", "csv"}, default="parquet"
            File format with ``output_path``.
        output : Connector, optional
            Write each table through this connector (parents first) instead of returning it.
        random_state : int, RandomState instance or None
            Seed of this call. None derives one from ``seed_`` and the number of calls.
        if_exists : {"fail", "replace", "append"}, default="fail"
            Passed to the connector with ``output``.
        quality_threshold : float or dict, optional
            Quality gate (QUAL-01): each table's learned columns are compared with the
            reference statistics its model kept at ``fit`` (no real rows needed, so this works
            after :meth:`load`); a column whose KS/TVD exceeds the threshold raises
            ``QualityGateError`` naming every failing ``table.column``. A float, or a dict keyed
            by ``"table.column"``, ``"column"``, ``"table"`` or ``"*"``. Tables are judged on
            their first chunk (``chunk_size`` rows), before it is written; tables generated
            before a failing one are kept.
        engine : SparkSession, optional
            Generate on this session's executors instead (``doc/spark.md``): ``format`` may be
            ``"parquet"`` or ``"delta"``, ``output`` a ``SparkConnector`` (Hive tables) or a
            ``DeltaConnector``. The output is the same for any partitioning; child tables
            differ from the single-machine output for the same seed.
        n_partitions : int, optional
            Partitions of the root tables with ``engine``; the default parallelism when None.

        Returns
        -------
        dict
            ``{table: DataFrame}``; with ``output_path`` ``{table: Path}`` of the written
            files; with ``output`` ``{table: number of rows written}``. With ``engine``:
            ``{table: number of rows written}``, or lazy Spark DataFrames without an output.

        Raises
        ------
        NotFittedError
            If called before ``fit``.
        DataValidationError
            If ``scale`` is not a positive number or an output option is invalid.
        ConstraintViolationError
            If a generated foreign key misses its parent or a primary key repeats (a bug,
            never repaired silently).
        QualityGateError
            If ``quality_threshold`` is given and a column misses it.
        """
        self._check_fitted()
        if engine is not None:
            if quality_threshold is not None:
                raise DataValidationError(
                    "quality_threshold is not supported with engine=; sample a small scale "
                    "without engine to check quality first."
                )
            from synthohive.relational._spark import sample_on_spark

            return sample_on_spark(self, engine, scale=scale, output_path=output_path,
                                   format=format, output=output, mode=if_exists,
                                   n_partitions=n_partitions, random_state=random_state)
        scale = _check_scale(scale)
        check_output(output_path, format, output)
        self._check_threshold(quality_threshold)
        if random_state is None:
            seed = derive_seed(self.seed_, "sample", self.n_sample_calls_)
            self.n_sample_calls_ += 1
        else:
            seed = draw_seed(random_state)
        pending_children = {name: len(self.schema_.children(name)) for name in self.order_}
        kept: dict[str, tuple[pd.Index, pd.DataFrame]] = {}
        result: dict[str, Any] = {}
        reports: list[QualityReport] = []
        for name in self.order_:
            started = time.perf_counter()
            plan = self.plans_[name]
            sink = self._sink(name, output_path, format, output, if_exists)
            keep = bool(self.schema_.children(name))
            carried = list(parent_columns(self.plans_, name))
            parts: list[pd.DataFrame] = []
            try:
                for number, chunk in enumerate(self._generate(plan, scale, seed, kept)):
                    if number == 0:
                        reports.extend(self._judge(plan, chunk, quality_threshold))
                    sink.write(chunk)
                    if keep:
                        parts.append(chunk[[plan.primary_key, *carried]])
            except BaseException:
                sink.abort()
                raise
            result[name] = sink.close()
            if keep:
                frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
                kept[name] = (pd.Index(frame[plan.primary_key]),
                              frame[carried].reset_index(drop=True))
            for relation in plan.relations:
                pending_children[relation.parent_table] -= 1
                if pending_children[relation.parent_table] == 0:
                    kept.pop(relation.parent_table, None)
            logger.info("Generated table %r in %.2fs", name, time.perf_counter() - started)
        self.last_quality_ = QualityReport.combine(reports)
        return result

    def _judge(self, plan: TablePlan, chunk: pd.DataFrame,
               quality_threshold: Any) -> list[QualityReport]:
        """Compare a table's learned columns with its model's reference; apply the gate."""
        model = self.models_.get(plan.name)
        if model is None or len(chunk) == 0:
            return []
        reference = getattr(model, "reference_", None)
        if reference is None:
            if quality_threshold is not None:
                raise DataValidationError(
                    f"The model of table {plan.name!r} ({type(model).__name__}) keeps no "
                    "quality reference; refit it to use quality_threshold."
                )
            return []
        judged = to_offsets(plan.offsets, chunk[list(plan.model_columns)])
        report = assess(reference, judged, table=plan.name)
        logger.info("%s", report.summary(plan.name))
        if isinstance(quality_threshold, Mapping):
            quality_threshold = {
                key: limit for key, limit in quality_threshold.items()
                if key in ("*", plan.name) or key in plan.model_columns
                or key in {f"{plan.name}.{c}" for c in plan.model_columns}} or None
        if quality_threshold is not None:
            check_quality(report, quality_threshold)
        return [report]

    def _check_threshold(self, quality_threshold: Any) -> None:
        """Refuse gate keys that name no table, learned column or ``table.column``."""
        if not isinstance(quality_threshold, Mapping):
            return
        known = {"*"}
        for name, plan in self.plans_.items():
            known |= {name, *plan.model_columns, *(f"{name}.{c}" for c in plan.model_columns)}
        unknown = sorted(set(quality_threshold) - known)
        if unknown:
            raise DataValidationError(
                f"quality_threshold names {unknown}, which are neither tables nor learned "
                "columns; use 'table.column', 'column', 'table' or '*' keys."
            )

    def _generate(self, plan: TablePlan, scale: float, seed: int,
                  kept: Mapping[str, tuple[pd.Index, pd.DataFrame]]) -> Iterator[pd.DataFrame]:
        """Yield the generated rows of one table, chunk by chunk, checked."""
        name = plan.name
        positions = self._positions(plan, scale, seed, kept)
        n_rows = (len(positions[plan.driving.column]) if plan.driving is not None
                  else max(1, round(plan.n_rows * scale)))
        columns, dtypes = list(plan.output_columns), self.dtypes_[name]
        if plan.primary_key is not None:
            check_unique(name, plan.primary_key,
                         pd.Index(primary_keys(name, dtypes[plan.primary_key], 0, n_rows)))
        if n_rows == 0:
            yield empty_frame(columns, dtypes)
            return
        parent_keys = {t: index for t, (index, _) in kept.items()}
        parent_frames = {t: frame for t, (_, frame) in kept.items()}
        for number, start in enumerate(range(0, n_rows, self.chunk_size)):
            stop = min(start + self.chunk_size, n_rows)
            where = {column: p[start:stop] for column, p in positions.items()}
            yield self._chunk(plan, seed, (number,), start, stop, where, parent_keys,
                              parent_frames)

    def _chunk(self, plan: TablePlan, seed: int, key: tuple[int, ...], start: int, stop: int,
               positions: Mapping[str, np.ndarray], parent_keys: Mapping[str, pd.Index],
               parent_frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
        """Generate rows ``start..stop-1`` of a table, checked, with seeds keyed by ``key``.

        ``positions`` gives, per foreign key column, the parent position of each of these
        rows; ``parent_keys`` and ``parent_frames`` the generated primary keys and the
        :func:`~._inherit.parent_columns` of the parents. ``sample`` calls it with
        ``key=(chunk number,)``; the Spark sampler with its own block keys.
        """
        name, dtypes = plan.name, self.dtypes_[plan.name]
        parts: dict[str, pd.Series] = {}
        if plan.primary_key is not None:
            parts[plan.primary_key] = primary_keys(name, dtypes[plan.primary_key], start, stop)
        for relation in plan.relations:
            parts[relation.column] = _foreign_keys(parent_keys[relation.parent_table],
                                                   positions[relation.column])
        if name in self.models_:
            context = gather_context(plan, self.plans_, parent_frames, positions)
            if context is not None:
                context = self.guards_[name].apply(context)
            generated = self.models_[name].sample(
                n_samples=stop - start if context is None else None, context=context,
                random_state=derive_seed(seed, name, "rows", *key))
            learned = from_offsets(plan.offsets, generated)
            parts.update({c: learned[c] for c in plan.model_columns})
        rng = numpy_generator(derive_seed(seed, name, "id_like", *key))
        for column in plan.id_like_columns:
            parts[column] = resample(self.id_values_[name][column],
                                     self.id_null_rates_[name][column], stop - start, rng)
        if plan.inherited:
            patterns = self.copy_patterns_.get(name, {})
            apply_rules(plan, parts, positions, parent_frames, self.inherit_values_[name],
                        patterns.get("patterns", np.zeros((0, 0), dtype=bool)),
                        patterns.get("counts", np.zeros(0, dtype=np.int64)),
                        numpy_generator(derive_seed(seed, name, "inherited", *key)))
        chunk = _with_dtypes(
            pd.DataFrame({c: pd.Series(parts[c]).reset_index(drop=True)
                          for c in plan.output_columns}), dtypes, name)
        check_integrity(plan, chunk, parent_keys)
        return chunk

    def _positions(self, plan: TablePlan, scale: float, seed: int,
                   kept: Mapping[str, tuple[pd.Index, pd.DataFrame]]) -> dict[str, np.ndarray]:
        """Parent position of every row of a table for each of its relations."""
        positions: dict[str, np.ndarray] = {}
        for rank, relation in enumerate(plan.relations):
            parent_keys, parent_frame = kept[relation.parent_table]
            estimator = self.cardinality_[f"{plan.name}.{relation.column}"]
            counts = estimator.sample(
                context=_parent_context(self.plans_[relation.parent_table], parent_frame),
                n=len(parent_keys), random_state=derive_seed(seed, plan.name, relation.column)
            ) if len(parent_keys) else np.zeros(0, dtype=np.int64)
            rng = numpy_generator(derive_seed(seed, plan.name, relation.column, "slots"))
            if rank == 0:
                positions[relation.column] = driving_positions(counts, relation, plan.name, rng)
            else:
                n_rows = len(positions[plan.relations[0].column])
                positions[relation.column] = secondary_positions(counts, n_rows, relation,
                                                                 plan.name, rng)
        return positions

    def _sink(self, name: str, output_path: Any, file_format: str, output: Any,
              if_exists: str) -> Any:
        columns, dtypes = list(self.plans_[name].output_columns), self.dtypes_[name]
        if output_path is not None:
            return FileSink(Path(output_path), name, file_format, columns, dtypes)
        if output is not None:
            return ConnectorSink(output, name, if_exists, columns, dtypes)
        return MemorySink(columns, dtypes)

    # ----------------------------------------------------------- persistence

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the fitted synthesizer (every model, cardinality model and the schema).

        Parameters
        ----------
        path : str or path-like
            Destination file, written atomically.

        Raises
        ------
        NotFittedError
            If called before ``fit``.
        SerializationError
            If a model cannot be stored or the file cannot be written.
        """
        self._check_fitted()
        save_artifact(path, self)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RelationalSynthesizer:
        """Read a synthesizer written by :meth:`save`; no code from the file is run.

        The fitted models come back; the templates ``model``, ``models`` and
        ``cardinality`` are not stored and are None on the loaded object.

        Parameters
        ----------
        path : str or path-like
            Artifact file.

        Returns
        -------
        RelationalSynthesizer
            Ready to :meth:`sample`.

        Raises
        ------
        SerializationError
            If the file is missing, corrupt or of another format version.
        """
        return load_artifact(path, expected=cls)

    def _to_state(self) -> dict[str, Any]:
        self._check_fitted()
        random_state = self.random_state if isinstance(self.random_state, Integral) else None
        return {
            "params": {"random_state": random_state, "on_orphans": self.on_orphans,
                       "chunk_size": self.chunk_size,
                       "inherit_threshold": self.inherit_threshold,
                       "datetime_offsets": self.datetime_offsets},
            "schema": self.schema_.to_dict(),
            "order": list(self.order_),
            "plans": {name: plan.to_dict() for name, plan in self.plans_.items()},
            "models": dict(self.models_),
            "guards": {name: guard.to_state() for name, guard in self.guards_.items()},
            "cardinality": dict(self.cardinality_),
            "dtypes": self.dtypes_,
            "id_values": self.id_values_,
            "id_null_rates": self.id_null_rates_,
            "inherit_values": self.inherit_values_,
            "copy_patterns": self.copy_patterns_,
            "seed": self.seed_,
            "n_sample_calls": self.n_sample_calls_,
            "fit_seconds": self.fit_seconds_,
        }

    @classmethod
    def _from_state(cls, state: dict[str, Any]) -> RelationalSynthesizer:
        schema = Schema.from_dict(state["schema"])
        synth = cls(schema, **state["params"])
        synth.schema_ = schema
        synth.order_ = list(state["order"])
        synth.plans_ = {name: TablePlan.from_dict(p) for name, p in state["plans"].items()}
        synth.models_ = dict(state["models"])
        synth.guards_ = {name: ContextGuard.from_state(g) for name, g in state["guards"].items()}
        synth.cardinality_ = dict(state["cardinality"])
        synth.dtypes_ = state["dtypes"]
        synth.id_values_ = state["id_values"]
        synth.id_null_rates_ = state["id_null_rates"]
        synth.inherit_values_ = state["inherit_values"]
        synth.copy_patterns_ = state["copy_patterns"]
        synth.seed_ = int(state["seed"])
        synth.n_sample_calls_ = int(state["n_sample_calls"])
        synth.fit_seconds_ = state["fit_seconds"]
        return synth

    # ------------------------------------------------------------- checking

    def _check_fitted(self) -> None:
        if not hasattr(self, "plans_"):
            raise NotFittedError(
                "This RelationalSynthesizer is not fitted yet; call fit(tables) before "
                "sample() or save()."
            )

    def _check_schema(self) -> Schema:
        if isinstance(self.schema, Schema):
            return self.schema
        if isinstance(self.schema, Mapping):
            return Schema.from_dict(self.schema)
        raise SchemaValidationError(
            f"schema must be a synthohive.Schema or its dict format, got "
            f"{type(self.schema).__name__}."
        )

    def _check_params(self, schema: Schema) -> None:
        overrides = dict(self.models or {})
        unknown = sorted(set(overrides) - set(schema.tables))
        if unknown:
            raise SchemaValidationError(
                f"models= names tables that are not in the schema: {unknown}; known tables: "
                f"{schema.table_names}."
            )
        relations = {f"{fk.child_table}.{fk.column}" for fk in schema.foreign_keys}
        unknown = sorted(set(self.cardinalities or {}) - relations)
        if unknown:
            raise SchemaValidationError(
                f"cardinalities= names relations that are not in the schema: {unknown}; use "
                f"'<child table>.<fk column>' keys among {sorted(relations)}."
            )
        for name, estimator in [("model", self.model),
                                *((f"models[{t!r}]", m) for t, m in overrides.items())]:
            if estimator is not None and not isinstance(estimator, ConditionalGenerativeModel):
                raise DataValidationError(
                    f"{name} must be a ConditionalGenerativeModel, got "
                    f"{type(estimator).__name__}; subclass synthohive.ConditionalGenerativeModel."
                )
        if isinstance(self.chunk_size, bool) or not isinstance(self.chunk_size, Integral) \
                or self.chunk_size <= 0:
            raise DataValidationError(
                f"chunk_size must be a positive integer, got {self.chunk_size!r}."
            )
        if not isinstance(self.datetime_offsets, bool):
            raise DataValidationError(
                f"datetime_offsets must be True or False, got {self.datetime_offsets!r}."
            )
        threshold = self.inherit_threshold
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(
                threshold, Real) or not 0 < threshold <= 1):
            raise DataValidationError(
                f"inherit_threshold must be a number in (0, 1] or None (no copied columns), "
                f"got {threshold!r}."
            )
        for fk in schema.foreign_keys:
            parent = schema[fk.parent_table]
            if parent.primary_key != fk.parent_column:
                raise SchemaValidationError(
                    f"Foreign key {fk.name} must reference the primary key of "
                    f"{fk.parent_table!r} ({parent.primary_key!r}); declare "
                    f"{fk.parent_column!r} as its primary key or fix the reference."
                )

    def _validated_tables(self, schema: Schema,
                          tables: Mapping[str, pd.DataFrame] | Connector,
                          ) -> dict[str, pd.DataFrame]:
        if isinstance(tables, Connector):
            tables = tables.read_tables(schema.table_names)
        if not isinstance(tables, Mapping) or not all(
                isinstance(frame, pd.DataFrame) for frame in tables.values()):
            raise DataValidationError(
                "fit expects a dict {table name: pandas DataFrame} or a Connector, got "
                f"{type(tables).__name__}."
            )
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
        validate = getattr(schema, "validate", None)
        if validate is not None:
            validated = validate(tables, on_orphans=self.on_orphans)
            if validated is not None:
                tables = dict(validated)
        return {name: frame.reset_index(drop=True) for name, frame in tables.items()}

    def _model_template(self, table: str) -> ConditionalGenerativeModel:
        overrides = self.models or {}
        if table in overrides:
            return overrides[table]
        if self.model is not None:
            return self.model
        from synthohive.models import default_model

        return default_model()

    def _cardinality_template(self, table: str, column: str) -> Any:
        overrides = self.cardinalities or {}
        if f"{table}.{column}" in overrides:
            return overrides[f"{table}.{column}"]
        if self.cardinality is not None:
            return self.cardinality
        from synthohive.cardinality import EmpiricalCardinality

        return EmpiricalCardinality()


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


def _seeded(estimator: Any, seed: int) -> Any:
    """Set ``random_state`` of a fresh clone when it has one."""
    if "random_state" in estimator.get_params(deep=False):
        estimator.set_params(random_state=seed)
    return estimator


def _parent_context(plan: TablePlan, frame: pd.DataFrame) -> pd.DataFrame | None:
    """Learned columns of a parent table, the context of its cardinality estimators."""
    if not plan.model_columns:
        return None
    return frame[list(plan.model_columns)].reset_index(drop=True)


def _check_scale(scale: Any) -> float:
    if isinstance(scale, bool) or not isinstance(scale, Real) or not math.isfinite(scale) \
            or scale <= 0:
        raise DataValidationError(f"scale must be a positive finite number, got {scale!r}.")
    return float(scale)


def _foreign_keys(parent_keys: pd.Index, positions: np.ndarray) -> pd.Series:
    """Parent primary keys at ``positions``; null where the position is -1."""
    linked = positions >= 0
    if len(parent_keys) == 0:
        return pd.Series([None] * len(positions), dtype=object)
    values = pd.Series(parent_keys.take(np.where(linked, positions, 0)))
    return values if linked.all() else values.where(linked, None)


def _with_dtypes(frame: pd.DataFrame, dtypes: Mapping[str, str], table: str) -> pd.DataFrame:
    """Cast every column to its input dtype (a model may return e.g. int64 for Int64)."""
    wrong = {c: t for c, t in dtypes.items() if str(frame[c].dtype) != t}
    if not wrong:
        return frame
    try:
        return frame.astype(wrong)
    except (TypeError, ValueError) as exc:
        raise DataValidationError(
            f"Generated columns of table {table!r} cannot be cast to their input dtypes "
            f"{wrong}: {exc}. The model returned values of another type; check its output."
        ) from exc
