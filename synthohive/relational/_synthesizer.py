"""The :class:`RelationalSynthesizer` meta-estimator (see ``doc/relational.md``)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from synthohive.connectors.base import Connector
from synthohive.exceptions import DataValidationError
from synthohive.models.base import ConditionalGenerativeModel
from synthohive.persistence import load_artifact, register_persistable, save_artifact
from synthohive.privacy import PIISanitizer, PrivacyConfig
from synthohive.relational._checks import (
    check_fitted,
    check_params,
    check_scale,
    check_schema,
    validated_tables,
)
from synthohive.relational._fitting import fit_tables, plan_tables
from synthohive.relational._guard import ContextGuard
from synthohive.relational._inherit import DEFAULT_THRESHOLD
from synthohive.relational._plan import TablePlan
from synthohive.relational._reserve import pooled, reserve_tables
from synthohive.relational._sampling import SamplingMixin
from synthohive.relational._values import joint_rows, observed_values
from synthohive.schema import Schema
from synthohive.utils._atomic import atomic_fit
from synthohive.utils._random import derive_seed, draw_seed
from synthohive.utils._validation import HasMethods, Interval, StrOptions

logger = logging.getLogger(__name__)


@register_persistable("RelationalSynthesizer")
class RelationalSynthesizer(SamplingMixin, BaseEstimator):
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
        :func:`synthohive.models.default_model` per table: a
        :class:`~synthohive.GaussianCopula` for tables under 200 rows and a
        :class:`~synthohive.TreeSynthesizer` from 200 rows on (measured in ``doc/trees.md``).
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
    privacy : PrivacyConfig, optional
        What happens to personal and identifier-like columns before anything is learned
        (PRIV-01, see ``doc/privacy.md``). None protects by default: the columns that
        :func:`~synthohive.privacy.detect_pii` proposes, or that the schema declares with
        role ``"pii"``/``"id"``, are replaced by fakes in their own format, consistently
        across tables (a child's copy of its parent's value stays equal to it). Not stored
        by :meth:`save` (nor its secret).
    identity_reserve : float, default=0.1
        Extra identities made at ``fit`` for the id-like columns the privacy sanitiser fakes
        (names, e-mails, phones), as a share of each anchor group's training rows, plus four
        per group: generated rows take them once the training rows' fakes are used up, so
        no two synthetic customers share an e-mail address. A sample of ``scale`` above
        ``1 + identity_reserve`` repeats identities (and logs a warning): set it to
        ``scale - 1`` or more before fitting to sample larger. 0 makes none. See
        ``doc/relational.md``.
    checkpoint_dir : str, path-like or None, default=None
        Directory of a resumable fit: every table's model that takes a ``checkpoint_dir``
        (CTGAN, TVAE) checkpoints into ``<checkpoint_dir>/<table>``, so calling ``fit``
        again after a crash continues each interrupted table and does not train the
        finished ones again (see ``doc/relational.md``). Not stored by :meth:`save`.

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
    privacy_ : dict of str to dict
        Kind, strategy and evidence of every sanitised ``"table.column"`` (no values).
    id_values_ : dict of str to dict of str to ndarray
        Non-null values of the id-like columns after sanitisation (fakes in place of
        personal and identifier-like values), in row order, drawn at generation: the
        training rows', then those of the reserve rows (more fakes, so that generated rows
        need not repeat an identity; see :mod:`synthohive.relational._reserve`).
    id_rows_ : dict of str to dict of str to ndarray
        Per table, which of these rows hold a value in each id-like column, which are
        reserve rows and, with an anchor (``plans_[table].id_anchor``), each row's anchor
        value: a generated row takes all its id-like values from one row with its anchor
        value (see :func:`synthohive.relational._values.joint_rows`).
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

    _parameter_constraints: dict[str, list[Any]] = {
        "schema": [Schema, dict],
        "model": [ConditionalGenerativeModel, None],
        "models": [dict, None],
        "cardinality": [HasMethods(["fit", "sample"]), None],
        "cardinalities": [dict, None],
        "random_state": ["random_state"],
        "on_orphans": [StrOptions({"raise", "drop"})],
        "chunk_size": [Interval(Integral, 1, None, closed="left")],
        "inherit_threshold": [Interval(Real, 0, 1, closed="right"), None],
        "datetime_offsets": ["boolean"],
        "privacy": [PrivacyConfig, None],
        "identity_reserve": [Interval(Real, 0, None, closed="left")],
    }

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
        privacy: PrivacyConfig | None = None,
        identity_reserve: float = 0.1,
        checkpoint_dir: str | os.PathLike[str] | None = None,
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
        self.privacy = privacy
        self.identity_reserve = identity_reserve
        self.checkpoint_dir = checkpoint_dir

    # ------------------------------------------------------------------ fit

    @atomic_fit
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
        ConstraintViolationError
            If training rows break constraints declared in the schema (all listed).
        DataValidationError
            If a parameter has the wrong type or value, or a table is empty and has
            children or no parent.
        """
        schema = check_schema(self.schema)
        check_params(self, schema)
        tables = validated_tables(schema, tables, self.on_orphans)
        seed = draw_seed(self.random_state)
        sanitizer = PIISanitizer(self.privacy, random_state=derive_seed(seed, "privacy"))
        real, tables = tables, sanitizer.fit_transform(tables, schema=schema)
        personal = {name: [c for c in frame.columns if f"{name}.{c}" in sanitizer.columns_]
                    for name, frame in tables.items()}
        layout = plan_tables(schema, tables, self.inherit_threshold, self.datetime_offsets,
                             personal)
        fitted = fit_tables(layout, tables, seed, self._model_template,
                            self._cardinality_template, self.checkpoint_dir)
        order, plans = layout.order, layout.plans
        self.schema_ = schema
        self.privacy_ = sanitizer.columns_
        self.order_ = order
        self.plans_ = plans
        self.models_ = fitted.models
        self.guards_ = fitted.guards
        self.cardinality_ = fitted.cardinality
        self.dtypes_ = {name: {c: str(tables[name][c].dtype) for c in plans[name].output_columns}
                        for name in order}
        reserves = reserve_tables(sanitizer, real, tables, plans, seed, self.identity_reserve)
        pools = {name: pooled(tables[name], plans[name], reserves.get(name)) for name in order}
        self.id_values_ = {name: {c: observed_values(pools[name][0][c])
                                  for c in plans[name].id_like_columns} for name in order}
        self.id_rows_ = {name: joint_rows(pools[name][0], plans[name].id_like_columns,
                                          plans[name].id_anchor, pools[name][1])
                         for name in order}
        self.inherit_values_ = layout.inherit_values
        self.copy_patterns_ = layout.copy_patterns
        self.seed_ = seed
        self.n_sample_calls_ = 0
        self.fit_seconds_ = fitted.fit_seconds
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
            Write the tables through this connector instead of returning them: all of them
            together once every table is generated (``Connector.write_tables``, parents
            first; one transaction with ``SQLConnector``, so all or none are written).
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
            ``DeltaConnector``. The output is the same for any partitioning (for the same
            call seed: pass ``random_state`` to compare runs); root tables equal the
            single-machine output for the same seed, child tables differ.
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
            If a generated value breaks a constraint declared in the schema (column,
            observed value, count), a generated foreign key misses its parent or a primary
            key repeats; never repaired silently.
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
            from synthohive.relational.spark import sample_on_spark

            return sample_on_spark(self, engine, scale=scale, output_path=output_path,
                                   format=format, output=output, mode=if_exists,
                                   n_partitions=n_partitions, random_state=random_state)
        return self._sample_local(check_scale(scale), output_path, format, output,
                                  random_state, if_exists, quality_threshold)

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
                       "datetime_offsets": self.datetime_offsets,
                       "identity_reserve": self.identity_reserve},
            "schema": self.schema_.to_dict(),
            "privacy": self.privacy_,
            "order": list(self.order_),
            "plans": {name: plan.to_dict() for name, plan in self.plans_.items()},
            "models": dict(self.models_),
            "guards": {name: guard.to_state() for name, guard in self.guards_.items()},
            "cardinality": dict(self.cardinality_),
            "dtypes": self.dtypes_,
            "id_values": self.id_values_,
            "id_rows": self.id_rows_,
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
        synth.privacy_ = dict(state["privacy"])
        synth.order_ = list(state["order"])
        synth.plans_ = {name: TablePlan.from_dict(p) for name, p in state["plans"].items()}
        synth.models_ = dict(state["models"])
        synth.guards_ = {name: ContextGuard.from_state(g) for name, g in state["guards"].items()}
        synth.cardinality_ = dict(state["cardinality"])
        synth.dtypes_ = state["dtypes"]
        synth.id_values_ = state["id_values"]
        synth.id_rows_ = state["id_rows"]
        synth.inherit_values_ = state["inherit_values"]
        synth.copy_patterns_ = state["copy_patterns"]
        synth.seed_ = int(state["seed"])
        synth.n_sample_calls_ = int(state["n_sample_calls"])
        synth.fit_seconds_ = state["fit_seconds"]
        return synth

    # ------------------------------------------------------------- templates

    def _check_fitted(self) -> None:
        check_fitted(self)

    def _model_template(self, table: str, n_rows: int) -> ConditionalGenerativeModel:
        overrides = self.models or {}
        if table in overrides:
            return overrides[table]
        if self.model is not None:
            return self.model
        from synthohive.models import default_model

        return default_model(n_rows)

    def _cardinality_template(self, table: str, column: str) -> Any:
        overrides = self.cardinalities or {}
        if f"{table}.{column}" in overrides:
            return overrides[f"{table}.{column}"]
        if self.cardinality is not None:
            return self.cardinality
        from synthohive.cardinality import EmpiricalCardinality

        return EmpiricalCardinality()


