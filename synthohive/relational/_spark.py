"""Generate a fitted :class:`RelationalSynthesizer` on Spark executors (see ``doc/spark.md``).

The fitted synthesizer travels once, as its artifact bytes in a broadcast variable, and is
loaded once per Python worker. Each table is cut into **blocks** whose bounds and seeds
depend only on ``random_state``, the table and the block number, never on partitioning:

- a root table's block ``b`` is rows ``b * chunk_size`` to ``(b + 1) * chunk_size``,
  generated like chunk ``b`` of the single-machine :meth:`RelationalSynthesizer.sample`
  (same seeds, so root tables are identical to it);
- a child table's block ``b`` holds the children of block ``b`` of its driving parent: the
  children counts of that parent block are drawn with a seed of ``(table, fk, b)`` and the
  block's rows are generated next to their parent rows, in the same task
  (``mapInArrow``), with context gathered by the synthesizer's own ``gather_context``;
- a secondary foreign key (a second parent) picks parent rows with probability
  proportional to that parent's drawn slots, and its context arrives through a join on
  the parent position.

Children counts are drawn per parent block rather than for the whole parent table at
once, so child tables differ from the single-machine output for the same seed (while
being identical for any number of partitions or executors). The driver only ever holds
one number per block. Rows go straight from the executors to Parquet, Delta or Hive.
"""

from __future__ import annotations

import dataclasses
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
from synthohive.relational._synthesizer import _check_scale
from synthohive.relational._writer import empty_frame
from synthohive.utils._random import derive_seed, draw_seed, numpy_generator

logger = logging.getLogger(__name__)

FORMATS = ("parquet", "delta")
BLOCK = "_synthohive_block"
POSITION = "_synthohive_pos"

#: Synthesizers loaded in this Python worker, by broadcast token.
_LOADED: dict[str, Any] = {}


@dataclasses.dataclass(frozen=True)
class _Task:
    """What a task needs besides the models: small, pickled with the function."""

    token: str
    artifact: Any  # Broadcast of the artifact bytes
    modules: tuple[str, ...]
    table: str
    seed: int
    chunk_size: int
    offsets: np.ndarray  # first row position of each block of this table
    n_rows: int
    secondary: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # fk -> offsets,
    # sizes and drawn slots of each block of the secondary parent
    forced: int  # block that gets one row when every drawn count of the table is zero
    first_rows: Mapping[str, pd.DataFrame]  # first row of each parent, for joined tables

    def synthesizer(self) -> Any:
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
    mode : {"error", "overwrite", "append"}, default="error"
        What to do with existing outputs; with ``"error"`` nothing is generated when one
        exists.
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
    _check_outputs(output_path, format, database)
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
            output = frame.drop(BLOCK, POSITION)
            if written:
                _write(connector, output, name, output_path, format, database, resolved)
                result[name] = int(sizes.sum())
                logger.info("Wrote %d rows of table %r from the executors", result[name], name)
            else:
                result[name] = output
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
    from pyspark.sql import functions as F  # noqa: N812, PLC0415

    name = plan.name
    columns = list(plan.output_columns)
    target = _arrow_schema(columns, synth.dtypes_[name], name)
    schema = spark_schema(target)
    if plan.driving is None:
        n_rows = max(1, round(plan.n_rows * scale))
        starts = np.arange(0, n_rows, synth.chunk_size, dtype=np.int64)
        sizes = np.diff(np.append(starts, n_rows))
        task = _Task(table=name, offsets=starts, n_rows=n_rows, secondary={}, forced=-1,
                     first_rows={}, **base)
        blocks = spark.createDataFrame(pd.DataFrame({BLOCK: np.arange(len(starts))})) \
            .repartition(partitions)
        return blocks.mapInArrow(lambda it: _root_blocks(task, target, it), schema), sizes
    sizes, forced = _child_sizes(synth, plan, kept[plan.driving.parent_table][1], base["seed"])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    secondary = {
        r.column: _slots(synth, plan, r, kept[r.parent_table][1], base["seed"])
        for r in plan.relations[1:]
    }
    first_rows = {} if not secondary else {
        r.parent_table: spark_to_pandas(_parent_columns(synth, r.parent_table, kept)
                                        .filter(F.col(POSITION) == 0).drop(BLOCK, POSITION))
        for r in plan.relations}
    task = _Task(table=name, offsets=offsets, n_rows=int(sizes.sum()), secondary=secondary,
                 forced=forced, first_rows=first_rows, **base)
    parent = _parent_columns(synth, plan.driving.parent_table, kept)
    if not secondary:
        return parent.mapInArrow(
            lambda it: _child_blocks(task, target, it, None), schema), sizes
    skeleton_target = _skeleton_schema(synth, plan)
    skeleton = parent.mapInArrow(lambda it: _child_blocks(task, target, it, skeleton_target),
                                 spark_schema(skeleton_target))
    for relation in plan.relations[1:]:
        columns = _parent_columns(synth, relation.parent_table, kept)
        renamed = columns.select(*[columns[c].alias(f"{relation.column}{_SEP}{c}")
                                   for c in columns.columns if c != BLOCK])
        skeleton = skeleton.join(renamed, skeleton[f"{relation.column}{_SEP}{_SLOT}"]
                                 == renamed[f"{relation.column}{_SEP}{POSITION}"], "left")
    return skeleton.groupBy(BLOCK).applyInArrow(
        lambda table: _joined_block(task, target, table), schema), sizes


_SEP = "__synthohive__"
_SLOT = "slot"


def _parent_columns(synth: Any, parent: str, kept: Mapping[str, tuple[Any, np.ndarray]]) -> Any:
    plan = synth.plans_[parent]
    return kept[parent][0].select(BLOCK, POSITION, plan.primary_key, *plan.model_columns)


def _child_sizes(synth: Any, plan: TablePlan, parent_sizes: np.ndarray,
                 seed: int) -> tuple[np.ndarray, int]:
    """Rows of each block of a child table, and the block that must not stay empty.

    The driver draws the counts block by block (holding one block at a time). When every
    count of the table is zero, the first non-empty parent block gets the single row that
    keeps the table from coming out empty, as in the single-machine sample.
    """
    linked = [bool(_block_counts(synth, plan, plan.driving, b, size, seed).any())
              for b, size in enumerate(parent_sizes)]
    nonempty = np.flatnonzero(np.asarray(parent_sizes) > 0)
    forced = int(nonempty[0]) if not any(linked) and len(nonempty) else -1
    sizes = np.array([
        len(_block_positions(synth, plan, b, size, seed, forced)) if linked[b] or b == forced
        else 0 for b, size in enumerate(parent_sizes)], dtype=np.int64)
    return sizes, forced


def _block_positions(synth: Any, plan: TablePlan, block: int, size: int, seed: int,
                     forced: int) -> np.ndarray:
    """Parent positions (within the parent block) of a child block's rows, -1 for null."""
    relation = plan.driving
    counts = _block_counts(synth, plan, relation, block, size, seed)
    if not counts.any() and block != forced:
        return np.zeros(0, dtype=np.int64)
    rng = numpy_generator(derive_seed(seed, plan.name, relation.column, "slots", block))
    return driving_positions(counts, relation, plan.name, rng)


def _slots(synth: Any, plan: TablePlan, relation: Any, parent_sizes: np.ndarray,
           seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Block offsets and sizes of a secondary parent, and the slots its blocks offer."""
    offsets = np.concatenate([[0], np.cumsum(parent_sizes)[:-1]]).astype(np.int64)
    slots = np.array([_block_counts(synth, plan, relation, b, size, seed).sum()
                      for b, size in enumerate(parent_sizes)], dtype=np.int64)
    return offsets, np.asarray(parent_sizes, dtype=np.int64), slots


def _block_counts(synth: Any, plan: TablePlan, relation: Any, block: int, size: int,
                  seed: int) -> np.ndarray:
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    estimator = synth.cardinality_[f"{plan.name}.{relation.column}"]
    counts = estimator.sample(n=int(size),
                              random_state=derive_seed(seed, plan.name, relation.column, block))
    return np.asarray(counts, dtype=np.int64)


# ---------------------------------------------------------------------- executor side


def _root_blocks(task: _Task, target: pa.Schema,
                 batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    synth = task.synthesizer()
    plan = synth.plans_[task.table]
    for batch in batches:
        for block in batch.column(BLOCK).to_pylist():
            start = int(task.offsets[block])
            stop = min(start + task.chunk_size, task.n_rows)
            chunk = synth._chunk(plan, task.seed, (block,), start, stop, {}, {}, {})
            yield _batch(chunk, target, block, start)


def _child_blocks(task: _Task, target: pa.Schema, batches: Iterator[pa.RecordBatch],
                  skeleton: pa.Schema | None) -> Iterator[pa.RecordBatch]:
    """Children of each parent block; a block's rows are contiguous in one partition."""
    synth = task.synthesizer()
    plan = synth.plans_[task.table]
    parent_plan = synth.plans_[plan.driving.parent_table]
    dtypes = synth.dtypes_[parent_plan.name]
    pending: list[pa.RecordBatch] = []
    done: set[int] = set()

    def finish() -> Iterator[pa.RecordBatch]:
        rows = pa.Table.from_batches(pending)
        block = int(rows.column(BLOCK)[0].as_py())
        if block in done:
            raise SynthoHiveError(
                f"Block {block} of table {parent_plan.name!r} is split across partitions; this "
                "is a SynthoHive bug, please report it."
            )
        done.add(block)
        parent = arrow_to_pandas(rows, {c: dtypes[c] for c in dtypes if c in rows.column_names})
        parent = parent.sort_values(POSITION, kind="stable").reset_index(drop=True)
        yield from _children(synth, task, plan, block, parent, target, skeleton)

    for batch in batches:
        blocks = batch.column(BLOCK).to_numpy()
        cuts = np.flatnonzero(np.diff(blocks)) + 1
        for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(blocks)], strict=True):
            piece = batch.slice(lo, hi - lo)
            if pending and piece.column(BLOCK)[0] != pending[-1].column(BLOCK)[0]:
                yield from finish()
                pending = []
            pending.append(piece)
    if pending:
        yield from finish()


def _children(synth: Any, task: _Task, plan: TablePlan, block: int, parent: pd.DataFrame,
              target: pa.Schema, skeleton: pa.Schema | None) -> Iterator[pa.RecordBatch]:
    relation = plan.driving
    local = _block_positions(synth, plan, block, len(parent), task.seed, task.forced)
    start = int(task.offsets[block])
    if skeleton is not None:
        yield _skeleton(synth, task, plan, block, parent, local, start, skeleton)
        return
    keys = {relation.parent_table: pd.Index(parent[relation.parent_column])}
    frames = {relation.parent_table: parent.drop(columns=[BLOCK, POSITION])}
    for k, lo in enumerate(range(0, len(local), task.chunk_size)):
        where = local[lo:lo + task.chunk_size]
        chunk = synth._chunk(plan, task.seed, (block, k), start + lo, start + lo + len(where),
                             {relation.column: where}, keys, frames)
        yield _batch(chunk, target, block, start + lo)


def _skeleton(synth: Any, task: _Task, plan: TablePlan, block: int, parent: pd.DataFrame,
              local: np.ndarray, start: int, schema: pa.Schema) -> pa.RecordBatch:
    """Rows of a multi-parent block before its secondary context is joined."""
    relation = plan.driving
    parent_plan = synth.plans_[relation.parent_table]
    linked = np.where(local < 0, 0, local)
    columns: dict[str, Any] = {
        BLOCK: np.full(len(local), block, dtype=np.int64),
        POSITION: np.arange(start, start + len(local), dtype=np.int64),
        f"{relation.column}{_SEP}{_SLOT}": np.where(local < 0, -1, linked).astype(np.int64),
    }
    for column in [parent_plan.primary_key, *parent_plan.model_columns]:
        columns[f"{relation.column}{_SEP}{column}"] = \
            parent[column].iloc[linked].reset_index(drop=True)
    rng = numpy_generator(derive_seed(task.seed, plan.name, "slots", block))
    for secondary in plan.relations[1:]:
        columns[f"{secondary.column}{_SEP}{_SLOT}"] = _secondary_positions(
            synth, task, plan, secondary, len(local), rng)
    frame = pd.DataFrame(columns)
    return pa.Table.from_pandas(frame, preserve_index=False).cast(schema).to_batches()[0] \
        if len(frame) else pa.RecordBatch.from_pylist([], schema=schema)


def _secondary_positions(synth: Any, task: _Task, plan: TablePlan, relation: Any, n: int,
                         rng: np.random.Generator) -> np.ndarray:
    """Global parent positions of a block's rows for a secondary foreign key (-1: null).

    Parent blocks are picked in proportion to the slots they offer, then parent rows
    within a block in proportion to their own drawn slots (uniformly when none).
    """
    offsets, sizes, slots = task.secondary[relation.column]
    positions = np.full(n, -1, dtype=np.int64)
    linked = np.sort(rng.permutation(n)[: n - int(round(relation.null_rate * n))])
    if len(linked) == 0:
        return positions
    if sizes.sum() == 0:
        raise ConstraintViolationError(
            f"Table {plan.name!r} needs parent rows in {relation.parent_table!r} for "
            f"{relation.column!r}, but none were generated; sample with a larger scale."
        )
    weights = (slots if slots.sum() > 0 else sizes).astype(float)
    chosen = rng.choice(len(slots), size=len(linked), p=weights / weights.sum())
    for block in np.unique(chosen):
        rows = np.flatnonzero(chosen == block)
        counts = _block_counts(synth, plan, relation, int(block), int(sizes[block]), task.seed)
        inner = counts if counts.sum() > 0 else np.ones(len(counts), dtype=np.int64)
        picks = rng.choice(len(inner), size=len(rows), p=inner / inner.sum())
        positions[linked[rows]] = offsets[block] + picks
    return positions


def _joined_block(task: _Task, target: pa.Schema, table: pa.Table) -> pa.Table:
    """Generate one block of a multi-parent table from its skeleton and joined parents."""
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
        slot = rows[f"{relation.column}{_SEP}{_SLOT}"].to_numpy()
        linked = np.flatnonzero(slot >= 0)
        referenced = rows[[f"{relation.column}{_SEP}{c}" for c in names]].iloc[linked]
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


def _skeleton_schema(synth: Any, plan: TablePlan) -> pa.Schema:
    relation = plan.driving
    parent = synth.plans_[relation.parent_table]
    names = [parent.primary_key, *parent.model_columns]
    dtypes = synth.dtypes_[parent.name]
    fields = [pa.field(BLOCK, pa.int64()), pa.field(POSITION, pa.int64()),
              pa.field(f"{relation.column}{_SEP}{_SLOT}", pa.int64())]
    fields += [f.with_name(f"{relation.column}{_SEP}{f.name}")
               for f in pandas_to_arrow(empty_frame(names, dtypes), parent.name).schema]
    fields += [pa.field(f"{r.column}{_SEP}{_SLOT}", pa.int64()) for r in plan.relations[1:]]
    return pa.schema(fields)


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


def _check_outputs(output_path: Any, file_format: str, database: str | None) -> None:
    if file_format not in FORMATS:
        raise DataValidationError(
            f"format={file_format!r} is not supported on Spark; use one of {FORMATS}, or "
            "database= for Hive tables."
        )
    if output_path is not None and database is not None:
        raise DataValidationError("Pass either output_path= or database=, not both.")


def _check_partitions(n_partitions: Any, spark: Any) -> int:
    if n_partitions is None:
        return int(spark.sparkContext.defaultParallelism)
    if isinstance(n_partitions, bool) or not isinstance(n_partitions, int) or n_partitions <= 0:
        raise DataValidationError(
            f"n_partitions must be a positive integer, got {n_partitions!r}."
        )
    return n_partitions

