"""Generate a fitted :class:`RelationalSynthesizer` on Spark executors (see ``doc/spark.md``).

The fitted synthesizer travels once, as its artifact bytes in a broadcast variable, and is
loaded once per Python worker. Each table is cut into **blocks** whose bounds and seeds
depend only on ``random_state``, the table and the block number, never on partitioning:

- a root table's block ``b`` is rows ``b * chunk_size`` to ``(b + 1) * chunk_size``,
  generated like chunk ``b`` of the single-machine :meth:`RelationalSynthesizer.sample`
  (same seeds, so root tables are identical to it);
- a child table's block ``b`` holds the children of block ``b`` of its driving parent. The
  children counts of that parent block are drawn on an executor with a seed of
  ``(table, fk, b)`` and the parent rows as context; a first pass returns one number per
  block to the driver (the block sizes), a second generates the rows next to their parent
  rows, in the same task (``mapInArrow``), through ``RelationalSynthesizer._chunk``, the
  function the single-machine ``sample`` runs per chunk;
- a secondary foreign key (a second parent) draws, per child row, a parent block in
  proportion to the slots the blocks offer and a slot within it; a cogroup with the parent
  block turns the slot into a parent row (and its context), and the rows are then
  generated block by block (``groupBy(block).applyInArrow``).

Counts are drawn per parent block rather than for the whole parent table at once, so
child tables differ from the single-machine output for the same seed (while being
identical for any number of partitions or executors). The driver only holds one number
per block. Rows go straight from the executors to Parquet, Delta or Hive.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import logging
import os
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from synthohive.connectors._spark import SparkConnector, spark_schema, spark_to_pandas
from synthohive.connectors._spark_types import arrow_to_pandas, pandas_to_arrow, resolve_mode
from synthohive.exceptions import (
    ConnectorError,
    ConstraintViolationError,
    DataValidationError,
    SynthoHiveError,
)
from synthohive.persistence import dump_bytes, load_bytes
from synthohive.relational._keys import driving_positions
from synthohive.relational._plan import TablePlan
from synthohive.relational._synthesizer import _check_scale, _parent_context
from synthohive.relational._writer import empty_frame
from synthohive.utils._random import derive_seed, draw_seed, numpy_generator

logger = logging.getLogger(__name__)

FORMATS = ("parquet", "delta")
BLOCK = "_synthohive_block"
POSITION = "_synthohive_pos"

#: Synthesizers loaded in this Python worker, by broadcast token.
_LOADED: dict[str, Any] = {}

#: Synthesizers loaded in this Python worker, by broadcast token.
_LOADED: dict[str, Any] = {}


@dataclasses.dataclass(frozen=True)
class _Task:
    """What a task needs besides the models: small, pickled with its function."""

    token: str
    artifact: Any  # Broadcast of the artifact bytes
    modules: tuple[str, ...]
    table: str
    seed: int
    chunk_size: int
    #: first row position of each block of the table
    offsets: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))
    #: block that gets one row when every drawn count of the table is zero
    forced: int = -1
    #: per secondary foreign key: weight of each parent block, and whether weights are rows
    draws: Mapping[str, tuple[np.ndarray, bool]] = dataclasses.field(default_factory=dict)
    #: first row of each parent table, for multi-parent tables
    first_rows: Mapping[str, pd.DataFrame] = dataclasses.field(default_factory=dict)

    def synthesizer(self) -> Any:
        """Return the synthesizer, loaded once per Python worker."""
        if self.token not in _LOADED:
            for module in self.modules:
                importlib.import_module(module)
            _LOADED[self.token] = load_bytes(self.artifact.value)
        return _LOADED[self.token]


def sample_on_spark(
    synthesizer: Any,
    spark: Any,
    *,
    scale: float = 1.0,
    output_path: str | os.PathLike[str] | None = None,
    format: str = "parquet",
    database: str | None = None,
    output: Any = None,
    mode: str = "error",
    n_partitions: int | None = None,
    random_state: int | np.random.RandomState | None = None,
) -> dict[str, Any]:
    """Generate every table of a fitted synthesizer on Spark executors.

    Parameters
    ----------
    synthesizer : RelationalSynthesizer
        A fitted synthesizer; its models must be importable on the executors.
    spark : SparkSession
        The session whose executors generate.
    scale : float, default=1.0
        As in :meth:`RelationalSynthesizer.sample`.
    output_path : str or path-like, optional
        Folder receiving ``<table>.parquet`` (a folder of part files) or the Delta table
        ``<table>``, written by the executors.
    format : {"parquet", "delta"}, default="parquet"
        Format with ``output_path``.
    database : str, optional
        Hive database receiving one table per synthetic table (created if needed).
    output : SparkConnector or DeltaConnector, optional
        Write into the connector's database (Hive) or folder (Delta tables) instead.
    mode : {"error", "overwrite", "append"}, default="error"
        What to do with existing outputs; with ``"error"`` nothing is generated when one
        exists. ``"fail"`` and ``"replace"`` (``if_exists`` values) are accepted too.
    n_partitions : int, optional
        Partitions of the root tables (children follow their parents); the session's
        default parallelism when None. The output does not depend on it.
    random_state : int, RandomState instance or None
        Seed of this call; None derives one from the synthesizer's seed and call count.

    Returns
    -------
    dict
        With an output: ``{table: number of rows written}``. Without: ``{table: Spark
        DataFrame}``, lazily generated (identical whenever it is computed).

    Raises
    ------
    NotFittedError
        If the synthesizer is not fitted.
    DataValidationError
        If an argument is invalid.
    ConnectorError
        If an output exists and ``mode="error"``, or writing fails.
    """
    synthesizer._check_fitted()
    scale = _check_scale(scale)
    resolved = resolve_mode(None, mode)
    output_path, format, database = _check_outputs(output_path, format, database, output)
    partitions = _check_partitions(n_partitions, spark)
    if random_state is None:
        seed = derive_seed(synthesizer.seed_, "sample", synthesizer.n_sample_calls_)
        synthesizer.n_sample_calls_ += 1
    else:
        seed = draw_seed(random_state)
    connector = SparkConnector(spark)
    if resolved == "error":
        _refuse_existing(connector, synthesizer.order_, output_path, format, database)
    artifact = spark.sparkContext.broadcast(dump_bytes(synthesizer))
    modules = tuple(sorted({type(m).__module__ for m in [
        *synthesizer.models_.values(), *synthesizer.cardinality_.values()]}))
    base = {"token": uuid.uuid4().hex, "artifact": artifact, "modules": modules, "seed": seed,
            "chunk_size": synthesizer.chunk_size}
    children = {name: len(synthesizer.schema_.children(name)) for name in synthesizer.order_}
    kept: dict[str, tuple[Any, np.ndarray]] = {}
    result: dict[str, Any] = {}
    written = output_path is not None or database is not None
    try:
        for name in synthesizer.order_:
            plan = synthesizer.plans_[name]
            frame, sizes = _table_frame(synthesizer, spark, plan, scale, partitions, kept, base)
            if children[name]:
                frame = frame.persist()
                kept[name] = (frame, sizes)
            rows = frame.drop(BLOCK, POSITION)
            if written:
                _write(connector, rows, name, output_path, format, database, resolved)
                result[name] = int(sizes.sum())
                logger.info("Wrote %d rows of table %r from the executors", result[name], name)
            else:
                result[name] = rows
            for relation in plan.relations:
                children[relation.parent_table] -= 1
                if written and children[relation.parent_table] == 0:
                    kept.pop(relation.parent_table)[0].unpersist()
    finally:
        if written:
            for frame, _ in kept.values():
                frame.unpersist()
            artifact.unpersist()
    return result


def _table_frame(synth: Any, spark: Any, plan: TablePlan, scale: float, partitions: int,
                 kept: Mapping[str, tuple[Any, np.ndarray]], base: Mapping[str, Any],
                 ) -> tuple[Any, np.ndarray]:
    """Spark DataFrame generating one table (with block and position columns), block sizes."""
    name = plan.name
    target = _arrow_schema(list(plan.output_columns), synth.dtypes_[name], name)
    schema = spark_schema(target)
    if plan.driving is None:
        n_rows = max(1, round(plan.n_rows * scale))
        starts = np.arange(0, n_rows, synth.chunk_size, dtype=np.int64)
        task = _Task(table=name, offsets=starts, **base)
        # contiguous, even ranges of block numbers: every partition gets work
        blocks = spark.range(0, len(starts), 1, min(partitions, len(starts))) \
            .withColumnRenamed("id", BLOCK)
        return (blocks.mapInArrow(lambda it: _root_blocks(task, target, n_rows, it), schema),
                np.diff(np.append(starts, n_rows)))
    counting = _Task(table=name, **base)
    driving = plan.driving
    parent = _parent_columns(synth, driving.parent_table, kept)
    _, rows = _block_stats(parent, counting, driving, len(kept[driving.parent_table][1]))
    sizes, forced = _child_sizes(plan, rows, kept[driving.parent_table][1], base["seed"])
    draws = {}
    for relation in plan.relations[1:]:
        slots, _ = _block_stats(_parent_columns(synth, relation.parent_table, kept), counting,
                                relation, len(kept[relation.parent_table][1]))
        uniform = not slots.any()
        draws[relation.column] = (kept[relation.parent_table][1] if uniform else slots, uniform)
    first_rows = {r.parent_table: spark_to_pandas(
        _parent_columns(synth, r.parent_table, kept).filter(f"{POSITION} = 0")
        .drop(BLOCK, POSITION)) for r in plan.relations} if draws else {}
    task = _Task(table=name, offsets=np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(
        np.int64), forced=forced, draws=draws, first_rows=first_rows, **base)
    if not draws:
        return parent.mapInArrow(lambda it: _child_blocks(task, target, it), schema), sizes
    current = _skeleton_schema(synth, plan)
    frame = parent.mapInArrow(functools.partial(_skeleton_blocks, task, current),
                              spark_schema(current))
    for relation in plan.relations[1:]:
        resolved = _resolved_schema(synth, current, relation)
        frame = frame.groupBy(_name(relation.column, "block")).cogroup(
            _parent_columns(synth, relation.parent_table, kept).groupBy(BLOCK)
        ).applyInArrow(functools.partial(_resolve_secondary, task, relation, resolved),
                       spark_schema(resolved))
        current = resolved
    return frame.groupBy(BLOCK).applyInArrow(
        lambda table: _joined_block(task, target, table), schema), sizes


def _name(column: str, part: str) -> str:
    """Name of a helper column about the foreign key ``column``."""
    return f"{column}__synthohive_{part}"


def _parent_columns(synth: Any, parent: str, kept: Mapping[str, tuple[Any, np.ndarray]]) -> Any:
    plan = synth.plans_[parent]
    return kept[parent][0].select(BLOCK, POSITION, plan.primary_key, *plan.model_columns)


def _block_stats(parent: Any, task: _Task, relation: Any,
                 n_blocks: int) -> tuple[np.ndarray, np.ndarray]:
    """Slots drawn per parent block for ``relation``, and the child rows they give."""
    stats = parent.mapInArrow(lambda it: _count_blocks(task, relation.column, it),
                              f"{BLOCK} long, slots long, rows long").toArrow()
    slots = np.zeros(n_blocks, dtype=np.int64)
    rows = np.zeros(n_blocks, dtype=np.int64)
    where = stats.column(BLOCK).to_numpy()
    slots[where] = stats.column("slots").to_numpy()
    rows[where] = stats.column("rows").to_numpy()
    return slots, rows


def _child_sizes(plan: TablePlan, rows: np.ndarray, parent_sizes: np.ndarray,
                 seed: int) -> tuple[np.ndarray, int]:
    """Rows of each block of a child table, and the block that must not stay empty.

    When every drawn count of the table is zero, the first non-empty parent block gets the
    single row that keeps the table from coming out empty, as in the single-machine sample.
    """
    nonempty = np.flatnonzero(np.asarray(parent_sizes) > 0)
    if rows.any() or not len(nonempty):
        return rows, -1
    forced = int(nonempty[0])
    sizes = rows.copy()
    sizes[forced] = len(_driving_positions(
        plan, np.zeros(int(parent_sizes[forced]), dtype=np.int64), forced, seed, forced))
    return sizes, forced


# ---------------------------------------------------------------------- executor side


def _block_counts(synth: Any, plan: TablePlan, relation: Any, block: int,
                  parent: pd.DataFrame, seed: int) -> np.ndarray:
    """Children counts (or slots) of the rows of one parent block, seeded by the block."""
    estimator = synth.cardinality_[f"{plan.name}.{relation.column}"]
    counts = estimator.sample(
        context=_parent_context(synth.plans_[relation.parent_table], parent), n=len(parent),
        random_state=derive_seed(seed, plan.name, relation.column, block))
    return np.asarray(counts, dtype=np.int64)


def _driving_positions(plan: TablePlan, counts: np.ndarray, block: int, seed: int,
                       forced: int) -> np.ndarray:
    """Parent positions (within the block) of a child block's rows, -1 for a null key."""
    if not counts.any() and block != forced:
        return np.zeros(0, dtype=np.int64)
    rng = numpy_generator(derive_seed(seed, plan.name, plan.driving.column, "slots", block))
    return driving_positions(counts, plan.driving, plan.name, rng)


def _parent_blocks(synth: Any, table: str,
                   batches: Iterator[pa.RecordBatch]) -> Iterator[tuple[int, pd.DataFrame]]:
    """Whole blocks of a parent table; a block's rows are contiguous in one partition."""
    dtypes = synth.dtypes_[table]
    pending: list[pa.RecordBatch] = []
    done: set[int] = set()

    def finish() -> tuple[int, pd.DataFrame]:
        rows = pa.Table.from_batches(pending)
        block = int(rows.column(BLOCK)[0].as_py())
        if block in done:
            raise SynthoHiveError(
                f"Block {block} of table {table!r} is split across partitions; this is a "
                "SynthoHive bug, please report it."
            )
        done.add(block)
        frame = arrow_to_pandas(rows, {c: dtypes[c] for c in rows.column_names if c in dtypes})
        return block, frame.sort_values(POSITION, kind="stable").reset_index(drop=True)

    for batch in batches:
        blocks = batch.column(BLOCK).to_numpy()
        cuts = np.flatnonzero(np.diff(blocks)) + 1
        for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(blocks)], strict=True):
            piece = batch.slice(lo, hi - lo)
            if pending and piece.column(BLOCK)[0] != pending[-1].column(BLOCK)[0]:
                yield finish()
                pending = []
            pending.append(piece)
    if pending:
        yield finish()


def _count_blocks(task: _Task, column: str,
                  batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    synth = task.synthesizer()
    plan = synth.plans_[task.table]
    relation = next(r for r in plan.relations if r.column == column)
    for block, parent in _parent_blocks(synth, relation.parent_table, batches):
        counts = _block_counts(synth, plan, relation, block, parent, task.seed)
        rows = len(_driving_positions(plan, counts, block, task.seed, -1)) \
            if relation == plan.driving else 0
        yield pa.RecordBatch.from_pydict({BLOCK: [block], "slots": [int(counts.sum())],
                                          "rows": [rows]})


def _root_blocks(task: _Task, target: pa.Schema, n_rows: int,
                 batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    synth = task.synthesizer()
    plan = synth.plans_[task.table]
    for batch in batches:
        for block in batch.column(BLOCK).to_pylist():
            start = int(task.offsets[block])
            stop = min(start + task.chunk_size, n_rows)
            chunk = synth._chunk(plan, task.seed, (block,), start, stop, {}, {}, {})
            yield _batch(chunk, target, block, start)


def _child_blocks(task: _Task, target: pa.Schema,
                  batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Rows of a single-parent table, block by block, next to their parent rows."""
    synth = task.synthesizer()
    plan = synth.plans_[task.table]
    relation = plan.driving
    for block, parent in _parent_blocks(synth, relation.parent_table, batches):
        counts = _block_counts(synth, plan, relation, block, parent, task.seed)
        local = _driving_positions(plan, counts, block, task.seed, task.forced)
        start = int(task.offsets[block])
        keys = {relation.parent_table: pd.Index(parent[relation.parent_column])}
        frames = {relation.parent_table: parent.drop(columns=[BLOCK, POSITION])}
        for k, lo in enumerate(range(0, len(local), task.chunk_size)):
            where = local[lo:lo + task.chunk_size]
            chunk = synth._chunk(plan, task.seed, (block, k), start + lo,
                                 start + lo + len(where), {relation.column: where}, keys, frames)
            yield _batch(chunk, target, block, start + lo)


def _skeleton_blocks(task: _Task, schema: pa.Schema,
                     batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Rows of a multi-parent table before their secondary parents are looked up.

    Each row gets its driving parent's key and columns, and for every secondary foreign
    key a parent block (drawn in proportion to the slots of the blocks) and a slot within
    it; :func:`_resolve_secondary` turns the slot into a parent row.
    """
    synth = task.synthesizer()
    plan = synth.plans_[task.table]
    relation = plan.driving
    parent_plan = synth.plans_[relation.parent_table]
    for block, parent in _parent_blocks(synth, relation.parent_table, batches):
        counts = _block_counts(synth, plan, relation, block, parent, task.seed)
        local = _driving_positions(plan, counts, block, task.seed, task.forced)
        if not len(local):
            continue
        start = int(task.offsets[block])
        columns: dict[str, Any] = {
            BLOCK: np.full(len(local), block, dtype=np.int64),
            POSITION: np.arange(start, start + len(local), dtype=np.int64),
            _name(relation.column, "slot"): local,
        }
        linked = np.where(local < 0, 0, local)
        for column in [parent_plan.primary_key, *parent_plan.model_columns]:
            columns[_name(relation.column, column)] = \
                parent[column].iloc[linked].reset_index(drop=True)
        for secondary in plan.relations[1:]:
            rng = numpy_generator(derive_seed(task.seed, plan.name, secondary.column, "draws",
                                              block))
            weights, _ = task.draws[secondary.column]
            chosen, slot = _draw_secondary(plan, secondary, len(local), weights, rng)
            columns[_name(secondary.column, "block")] = chosen
            columns[_name(secondary.column, "draw")] = slot
        yield pa.Table.from_pandas(pd.DataFrame(columns), preserve_index=False) \
            .cast(schema).combine_chunks().to_batches()[0]


def _draw_secondary(plan: TablePlan, relation: Any, n: int, weights: np.ndarray,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Parent block and slot of each of ``n`` rows for a secondary key (-1: null key)."""
    chosen = np.full(n, -1, dtype=np.int64)
    slot = np.full(n, -1, dtype=np.int64)
    linked = np.sort(rng.permutation(n)[: n - int(round(relation.null_rate * n))])
    if not len(linked):
        return chosen, slot
    if not weights.any():
        raise ConstraintViolationError(
            f"Table {plan.name!r} needs parent rows in {relation.parent_table!r} for "
            f"{relation.column!r}, but none were generated; sample with a larger scale."
        )
    chosen[linked] = rng.choice(len(weights), size=len(linked), p=weights / weights.sum())
    slot[linked] = np.floor(rng.random(len(linked)) * weights[chosen[linked]]).astype(np.int64)
    return chosen, slot


def _resolve_secondary(task: _Task, relation: Any, schema: pa.Schema, left: pa.Table,
                       right: pa.Table) -> pa.Table:
    """Attach the parent row that each drawn slot of one parent block falls in."""
    if left.num_rows == 0:
        return schema.empty_table()
    synth = task.synthesizer()
    plan = synth.plans_[task.table]
    parent_plan = synth.plans_[relation.parent_table]
    names = [parent_plan.primary_key, *parent_plan.model_columns]
    block = int(left.column(_name(relation.column, "block"))[0].as_py())
    n = left.num_rows
    if block < 0 or right.num_rows == 0:
        picked = {c: pa.nulls(n, schema.field(_name(relation.column, c)).type) for c in names}
        slot = pa.array(np.full(n, -1, dtype=np.int64))
    else:
        right = right.sort_by(POSITION)
        draw = left.column(_name(relation.column, "draw")).to_numpy()
        _, uniform = task.draws[relation.column]
        if uniform:
            rows = draw
        else:
            parent = arrow_to_pandas(right, {c: synth.dtypes_[parent_plan.name][c] for c in names})
            counts = _block_counts(synth, plan, relation, block, parent, task.seed)
            rows = np.searchsorted(np.cumsum(counts), draw, side="right")
        taken = right.take(pa.array(rows))
        picked = {c: taken.column(c) for c in names}
        slot = taken.column(POSITION)
    out = left.append_column(_name(relation.column, "slot"), slot)
    for column in names:
        out = out.append_column(_name(relation.column, column), picked[column])
    return out.cast(schema)


def _joined_block(task: _Task, target: pa.Schema, table: pa.Table) -> pa.Table:
    """Generate one block of a multi-parent table from its rows with all parents attached."""
    synth = task.synthesizer()
    plan = synth.plans_[task.table]
    frame = arrow_to_pandas(table).sort_values(POSITION, kind="stable").reset_index(drop=True)
    block = int(frame[BLOCK].iloc[0])
    start = int(frame[POSITION].iloc[0])
    batches = []
    for k, lo in enumerate(range(0, len(frame), task.chunk_size)):
        rows = frame.iloc[lo:lo + task.chunk_size].reset_index(drop=True)
        where, keys, frames = _joined_parents(synth, task, plan, rows)
        chunk = synth._chunk(plan, task.seed, (block, k), start + lo, start + lo + len(rows),
                             where, keys, frames)
        batches.append(_batch(chunk, target, block, start + lo))
    return pa.Table.from_batches(batches, schema=target)


def _joined_parents(synth: Any, task: _Task, plan: TablePlan, rows: pd.DataFrame,
                    ) -> tuple[dict[str, np.ndarray], dict[str, pd.Index], dict[str, pd.DataFrame]]:
    """Collect the parent rows a chunk of joined rows refers to, and their positions.

    Each parent table's frame holds the referenced rows (one per linked child row, for every
    relation to that table) followed by the parent table's first row, which stands in when
    no row of the chunk is linked.
    """
    where: dict[str, np.ndarray] = {}
    parts: dict[str, list[pd.DataFrame]] = {}
    for relation in plan.relations:
        parent_plan = synth.plans_[relation.parent_table]
        names = [parent_plan.primary_key, *parent_plan.model_columns]
        linked = np.flatnonzero(rows[_name(relation.column, "slot")].to_numpy() >= 0)
        referenced = rows[[_name(relation.column, c) for c in names]].iloc[linked]
        offset = sum(len(f) for f in parts.get(relation.parent_table, []))
        positions = np.full(len(rows), -1, dtype=np.int64)
        positions[linked] = offset + np.arange(len(linked), dtype=np.int64)
        where[relation.column] = positions
        parts.setdefault(relation.parent_table, []).append(referenced.set_axis(names, axis=1))
    frames = {}
    for table, referenced in parts.items():
        dtypes = synth.dtypes_[table]
        frame = pd.concat([*referenced, task.first_rows[table]], ignore_index=True)
        frames[table] = frame.astype({c: dtypes[c] for c in frame.columns})
    keys = {table: pd.Index(frame[synth.plans_[table].primary_key])
            for table, frame in frames.items()}
    return where, keys, frames


def _batch(chunk: pd.DataFrame, target: pa.Schema, block: int, start: int) -> pa.RecordBatch:
    data = pandas_to_arrow(chunk, "chunk")
    data = data.append_column(BLOCK, pa.array(np.full(len(chunk), block, dtype=np.int64)))
    data = data.append_column(POSITION, pa.array(np.arange(start, start + len(chunk),
                                                           dtype=np.int64)))
    return data.cast(target).combine_chunks().to_batches()[0] if len(chunk) else \
        pa.RecordBatch.from_pylist([], schema=target)


# ------------------------------------------------------------------------ driver side


def _arrow_schema(columns: list[str], dtypes: Mapping[str, str], table: str) -> pa.Schema:
    schema = pandas_to_arrow(empty_frame(columns, dtypes), table).schema
    return schema.append(pa.field(BLOCK, pa.int64())).append(pa.field(POSITION, pa.int64()))


def _parent_fields(synth: Any, relation: Any) -> list[pa.Field]:
    """Fields of a parent's key and model columns, named after the foreign key."""
    parent = synth.plans_[relation.parent_table]
    names = [parent.primary_key, *parent.model_columns]
    frame = empty_frame(names, synth.dtypes_[parent.name])
    return [f.with_name(_name(relation.column, f.name)).remove_metadata()
            for f in pandas_to_arrow(frame, parent.name).schema]


def _skeleton_schema(synth: Any, plan: TablePlan) -> pa.Schema:
    relation = plan.driving
    fields = [pa.field(BLOCK, pa.int64()), pa.field(POSITION, pa.int64()),
              pa.field(_name(relation.column, "slot"), pa.int64()),
              *_parent_fields(synth, relation)]
    for secondary in plan.relations[1:]:
        fields += [pa.field(_name(secondary.column, "block"), pa.int64()),
                   pa.field(_name(secondary.column, "draw"), pa.int64())]
    return pa.schema(fields)


def _resolved_schema(synth: Any, schema: pa.Schema, relation: Any) -> pa.Schema:
    fields = [pa.field(_name(relation.column, "slot"), pa.int64()),
              *_parent_fields(synth, relation)]
    return pa.schema([*schema, *fields])


def _write(connector: SparkConnector, frame: Any, name: str, output_path: Any, file_format: str,
           database: str | None, mode: str) -> None:
    if database is not None:
        connector.save_to_hive({name: frame}, database, mode=mode)
    elif file_format == "delta":
        connector.write_delta(frame, Path(output_path) / name, mode=mode)
    else:
        frame.write.mode(mode).parquet((Path(output_path) / f"{name}.parquet").as_uri())


def _refuse_existing(connector: SparkConnector, tables: list[str], output_path: Any,
                     file_format: str, database: str | None) -> None:
    if database is not None:
        existing = [t for t in tables if connector.spark.catalog.databaseExists(database)
                    and connector._exists(t, database)]
    elif output_path is not None:
        suffix = ".parquet" if file_format == "parquet" else ""
        existing = [t for t in tables if (Path(output_path) / f"{t}{suffix}").exists()]
    else:
        return
    if existing:
        raise ConnectorError(
            f"Outputs for tables {existing} already exist; nothing was generated. Pass "
            "mode='overwrite' or mode='append'."
        )


def _check_outputs(output_path: Any, file_format: str, database: str | None,
                   output: Any) -> tuple[Any, str, str | None]:
    """Validate the destination; return it as ``(output_path, format, database)``."""
    from synthohive.connectors._delta import DeltaConnector  # noqa: PLC0415

    given = [name for name, value in [("output_path", output_path), ("database", database),
                                      ("output", output)] if value is not None]
    if len(given) > 1:
        raise DataValidationError(f"Pass only one of output_path=, database=, output=; got "
                                  f"{given}.")
    if isinstance(output, SparkConnector):
        return None, file_format, output._database()
    if isinstance(output, DeltaConnector):
        return output.path, "delta", None
    if output is not None:
        raise DataValidationError(
            f"output={type(output).__name__} cannot be written from Spark executors; pass a "
            "SparkConnector (Hive) or DeltaConnector, or output_path=."
        )
    if file_format not in FORMATS:
        raise DataValidationError(
            f"format={file_format!r} is not supported on Spark; use one of {FORMATS}, or "
            "database= for Hive tables."
        )
    return output_path, file_format, database


def _check_partitions(n_partitions: Any, spark: Any) -> int:
    if n_partitions is None:
        return int(spark.sparkContext.defaultParallelism)
    if isinstance(n_partitions, bool) or not isinstance(n_partitions, int) or n_partitions <= 0:
        raise DataValidationError(
            f"n_partitions must be a positive integer, got {n_partitions!r}."
        )
    return n_partitions

