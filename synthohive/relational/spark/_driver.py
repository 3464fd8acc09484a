"""Generate a fitted :class:`RelationalSynthesizer` on Spark executors (see ``doc/spark.md``).

The fitted synthesizer travels once, as its artifact bytes in a broadcast variable, and is
loaded once per Python worker (:mod:`._tasks`, which also generates root and
single-parent tables; :mod:`._secondary` handles tables with several parents and
:mod:`._output` the destinations). Each table is cut into **blocks** whose bounds and seeds
depend only on ``random_state``, the table and the block number, never on partitioning:

- a root table's block ``b`` is rows ``b * chunk_size`` to ``(b + 1) * chunk_size``,
  generated like chunk ``b`` of the single-machine :meth:`RelationalSynthesizer.sample`
  (same seeds, so root tables are identical to it);
- a child table's block ``b`` holds the children of block ``b`` of its driving parent. The
  children counts of that parent block are drawn on an executor with a seed of
  ``(table, fk, b)`` and the parent rows as context; a first pass returns one number per
  block to the driver (the block sizes), a second generates the rows next to their parent
  rows, in the same task (``mapInArrow``), through ``_sampling.generate_chunk``, the
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

import functools
import hashlib
import logging
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from synthohive.connectors._spark import SparkConnector, spark_schema, spark_to_pandas
from synthohive.connectors._spark_types import resolve_mode
from synthohive.persistence import dump_bytes
from synthohive.relational._checks import check_fitted, check_scale
from synthohive.relational._inherit import parent_columns
from synthohive.relational._plan import TablePlan
from synthohive.relational.spark._output import (
    check_outputs,
    check_partitions,
    refuse_existing,
    write_table,
)
from synthohive.relational.spark._secondary import (
    joined_block,
    resolve_secondary,
    resolved_schema,
    skeleton_blocks,
    skeleton_schema,
)
from synthohive.relational.spark._tasks import (
    BLOCK,
    POSITION,
    Task,
    arrow_schema,
    block_positions,
    child_blocks,
    count_blocks,
    helper_name,
    root_blocks,
)
from synthohive.utils._random import sample_seed

logger = logging.getLogger(__name__)


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
    check_fitted(synthesizer)
    scale = check_scale(scale)
    resolved = resolve_mode(None, mode)
    output_path, format, database = check_outputs(spark, output_path, format, database, output)
    partitions = check_partitions(n_partitions, spark)
    seed = sample_seed(synthesizer, random_state)
    connector = SparkConnector(spark)
    if resolved == "error":
        refuse_existing(connector, synthesizer.order_, output_path, format, database)
    data = dump_bytes(synthesizer)
    artifact = spark.sparkContext.broadcast(data)
    modules = tuple(sorted({type(m).__module__ for m in [
        *synthesizer.models_.values(), *synthesizer.cardinality_.values()]}))
    base = {"digest": hashlib.sha256(data).hexdigest(), "artifact": artifact,
            "modules": modules, "seed": seed, "chunk_size": synthesizer.chunk_size}
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
                write_table(connector, rows, name, output_path, format, database, resolved)
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
    target = arrow_schema(list(plan.output_columns), synth.dtypes_[name], name,
                          helpers=bool(synth.schema_.children(name)))
    schema = spark_schema(target)
    if plan.n_rows == 0:  # empty in training (a leaf: fit refuses empty parents and roots)
        return spark.createDataFrame([], schema), np.zeros(0, dtype=np.int64)
    if plan.driving is None:
        n_rows = max(1, round(plan.n_rows * scale))
        starts = np.arange(0, n_rows, synth.chunk_size, dtype=np.int64)
        task = Task(table=name, offsets=starts, **base)
        # contiguous, even ranges of block numbers: every partition gets work
        blocks = spark.range(0, len(starts), 1, min(partitions, len(starts))) \
            .withColumnRenamed("id", BLOCK)
        return (blocks.mapInArrow(lambda it: root_blocks(task, target, n_rows, it), schema),
                np.diff(np.append(starts, n_rows)))
    counting = Task(table=name, **base)
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
    task = Task(table=name, offsets=np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(
        np.int64), forced=forced, draws=draws, first_rows=first_rows, **base)
    if not draws:
        return parent.mapInArrow(lambda it: child_blocks(task, target, it), schema), sizes
    current = skeleton_schema(synth, plan)
    frame = parent.mapInArrow(functools.partial(skeleton_blocks, task, current),
                              spark_schema(current))
    for relation in plan.relations[1:]:
        resolved = resolved_schema(synth, current, relation)
        frame = frame.groupBy(helper_name(relation.column, "block")).cogroup(
            _parent_columns(synth, relation.parent_table, kept).groupBy(BLOCK)
        ).applyInArrow(functools.partial(resolve_secondary, task, relation, resolved),
                       spark_schema(resolved))
        current = resolved
    return frame.groupBy(BLOCK).applyInArrow(
        lambda table: joined_block(task, target, table), schema), sizes


def _parent_columns(synth: Any, parent: str, kept: Mapping[str, tuple[Any, np.ndarray]]) -> Any:
    """Select the cached parent's blocks, positions, key and the columns children need."""
    plan = synth.plans_[parent]
    return kept[parent][0].select(BLOCK, POSITION, plan.primary_key,
                                  *parent_columns(synth.plans_, parent))


def _block_stats(parent: Any, task: Task, relation: Any,
                 n_blocks: int) -> tuple[np.ndarray, np.ndarray]:
    """Slots drawn per parent block for ``relation``, and the child rows they give."""
    stats = parent.mapInArrow(lambda it: count_blocks(task, relation.column, it),
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
    sizes[forced] = len(block_positions(
        plan, np.zeros(int(parent_sizes[forced]), dtype=np.int64), forced, seed, forced))
    return sizes, forced
