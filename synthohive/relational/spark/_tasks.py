"""Executor side of the Spark sampler: the task context and single-parent blocks.

Everything here runs in Spark's Python workers (see :mod:`synthohive.relational.spark`).
A :class:`Task` is pickled with the function of a ``mapInArrow``; the fitted synthesizer
itself travels once, as artifact bytes in a broadcast variable, and each worker process
loads it once and keeps it for the following tasks and calls (cached by the artifact's
SHA-256, one synthesizer at a time).
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from synthohive.connectors._spark_types import arrow_to_pandas, pandas_to_arrow
from synthohive.exceptions import SynthoHiveError
from synthohive.persistence import load_bytes
from synthohive.relational._fitting import parent_context
from synthohive.relational._keys import draw_counts, driving_positions
from synthohive.relational._plan import TablePlan
from synthohive.relational._sampling import generate_chunk
from synthohive.relational._writer import empty_frame
from synthohive.utils._random import derive_seed, numpy_generator

BLOCK = "_synthohive_block"
POSITION = "_synthohive_pos"

#: The synthesizer loaded in this Python worker, by artifact digest (one at a time).
_LOADED: dict[str, Any] = {}


@dataclasses.dataclass(frozen=True)
class Task:
    """What a task needs besides the models: small, pickled with its function."""

    digest: str  # SHA-256 of the artifact bytes
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
        """Return the synthesizer, loaded once per Python worker and artifact.

        The worker's copy drops its models' quality references: a model's ``sample``
        would otherwise measure every block against it for a report nobody reads (the
        driver refuses ``quality_threshold`` with ``engine=``). Generated rows do not
        depend on it.
        """
        if self.digest not in _LOADED:
            for module in self.modules:
                importlib.import_module(module)
            synth = load_bytes(self.artifact.value)
            for model in synth.models_.values():
                model.reference_ = None
            _LOADED.clear()
            _LOADED[self.digest] = synth
        return _LOADED[self.digest]


def helper_name(column: str, part: str) -> str:
    """Name of a helper column about the foreign key ``column``."""
    return f"{column}__synthohive_{part}"


def arrow_schema(columns: list[str], dtypes: Mapping[str, str], table: str,
                 helpers: bool) -> pa.Schema:
    """Arrow schema of a generated table, plus its block and position columns if ``helpers``.

    Only parent tables need them (their children are generated next to their blocks); a
    table without children leaves them out, so the executors neither send nor convert them.
    """
    schema = pandas_to_arrow(empty_frame(columns, dtypes), table).schema
    if not helpers:
        return schema
    return schema.append(pa.field(BLOCK, pa.int64())).append(pa.field(POSITION, pa.int64()))


def block_counts(synth: Any, plan: TablePlan, relation: Any, block: int,
                 parent: pd.DataFrame, seed: int) -> np.ndarray:
    """Children counts (or slots) of the rows of one parent block, seeded by the block."""
    estimator = synth.cardinality_[f"{plan.name}.{relation.column}"]
    counts = draw_counts(estimator, parent_context(synth.plans_[relation.parent_table], parent),
                         len(parent), derive_seed(seed, plan.name, relation.column, block))
    return np.asarray(counts, dtype=np.int64)


def block_positions(plan: TablePlan, counts: np.ndarray, block: int, seed: int,
                    forced: int) -> np.ndarray:
    """Parent positions (within the block) of a child block's rows, -1 for a null key."""
    if not counts.any() and block != forced:
        return np.zeros(0, dtype=np.int64)
    rng = numpy_generator(derive_seed(seed, plan.name, plan.driving.column, "slots", block))
    return driving_positions(counts, plan.driving, plan.name, rng)


def parent_blocks(synth: Any, table: str,
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


def count_blocks(task: Task, column: str,
                 batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Per parent block: the slots drawn for ``column`` and the child rows they give."""
    synth = task.synthesizer()
    plan = synth.plans_[task.table]
    relation = next(r for r in plan.relations if r.column == column)
    for block, parent in parent_blocks(synth, relation.parent_table, batches):
        counts = block_counts(synth, plan, relation, block, parent, task.seed)
        rows = len(block_positions(plan, counts, block, task.seed, -1)) \
            if relation == plan.driving else 0
        yield pa.RecordBatch.from_pydict({BLOCK: [block], "slots": [int(counts.sum())],
                                          "rows": [rows]})


def root_blocks(task: Task, target: pa.Schema, n_rows: int,
                batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Rows of a root table for the block numbers in ``batches``."""
    synth = task.synthesizer()
    plan = synth.plans_[task.table]
    for batch in batches:
        for block in batch.column(BLOCK).to_pylist():
            start = int(task.offsets[block])
            stop = min(start + task.chunk_size, n_rows)
            chunk = generate_chunk(synth, plan, task.seed, (block,), start, stop, {}, {}, {})
            yield to_batch(chunk, target, block, start)


def child_blocks(task: Task, target: pa.Schema,
                 batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Rows of a single-parent table, block by block, next to their parent rows."""
    synth = task.synthesizer()
    plan = synth.plans_[task.table]
    relation = plan.driving
    for block, parent in parent_blocks(synth, relation.parent_table, batches):
        counts = block_counts(synth, plan, relation, block, parent, task.seed)
        local = block_positions(plan, counts, block, task.seed, task.forced)
        start = int(task.offsets[block])
        keys = {relation.parent_table: pd.Index(parent[relation.parent_column])}
        frames = {relation.parent_table: parent.drop(columns=[BLOCK, POSITION])}
        for k, lo in enumerate(range(0, len(local), task.chunk_size)):
            where = local[lo:lo + task.chunk_size]
            chunk = generate_chunk(synth, plan, task.seed, (block, k), start + lo,
                                 start + lo + len(where), {relation.column: where}, keys, frames)
            yield to_batch(chunk, target, block, start + lo)


def to_batch(chunk: pd.DataFrame, target: pa.Schema, block: int,
             start: int) -> pa.RecordBatch:
    """One Arrow batch of generated rows, with their block and positions if ``target`` has them."""
    if not len(chunk):
        return pa.RecordBatch.from_pylist([], schema=target)
    data = pandas_to_arrow(chunk, "chunk")
    if BLOCK in target.names:
        data = data.append_column(BLOCK, pa.array(np.full(len(chunk), block, dtype=np.int64)))
        data = data.append_column(POSITION, pa.array(np.arange(start, start + len(chunk),
                                                               dtype=np.int64)))
    return data.cast(target).combine_chunks().to_batches()[0]
