"""Executor side of the Spark sampler for tables with several parents.

A row of such a table first gets its driving parent (as in
:func:`synthohive.relational.spark._tasks.child_blocks`) and, for every secondary foreign
key, a parent block drawn in proportion to the slots the blocks offer and a slot within it
(:func:`skeleton_blocks`). A cogroup with each secondary parent's block turns the slot into
a parent row and its columns (:func:`resolve_secondary`); the rows are then generated block
by block with all their parents attached (:func:`joined_block`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from synthohive.connectors._spark_types import arrow_to_pandas, pandas_to_arrow
from synthohive.exceptions import ConstraintViolationError
from synthohive.relational._inherit import parent_columns
from synthohive.relational._plan import TablePlan
from synthohive.relational._sampling import generate_chunk
from synthohive.relational._writer import empty_frame
from synthohive.relational.spark._tasks import (
    BLOCK,
    POSITION,
    Task,
    block_counts,
    block_positions,
    helper_name,
    parent_blocks,
    to_batch,
)
from synthohive.utils._random import derive_seed, numpy_generator


def skeleton_blocks(task: Task, schema: pa.Schema,
                    batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Rows of a multi-parent table before their secondary parents are looked up.

    Each row gets its driving parent's key and columns, and for every secondary foreign
    key a parent block (drawn in proportion to the slots of the blocks) and a slot within
    it; :func:`resolve_secondary` turns the slot into a parent row.
    """
    synth = task.synthesizer()
    plan = synth.plans_[task.table]
    relation = plan.driving
    parent_plan = synth.plans_[relation.parent_table]
    for block, parent in parent_blocks(synth, relation.parent_table, batches):
        counts = block_counts(synth, plan, relation, block, parent, task.seed)
        local = block_positions(plan, counts, block, task.seed, task.forced)
        if not len(local):
            continue
        start = int(task.offsets[block])
        columns: dict[str, Any] = {
            BLOCK: np.full(len(local), block, dtype=np.int64),
            POSITION: np.arange(start, start + len(local), dtype=np.int64),
            helper_name(relation.column, "slot"): local,
        }
        linked = np.where(local < 0, 0, local)
        for column in [parent_plan.primary_key, *parent_columns(synth.plans_, parent_plan.name)]:
            columns[helper_name(relation.column, column)] = \
                parent[column].iloc[linked].reset_index(drop=True)
        for secondary in plan.relations[1:]:
            rng = numpy_generator(derive_seed(task.seed, plan.name, secondary.column, "draws",
                                              block))
            weights, _ = task.draws[secondary.column]
            chosen, slot = _draw_secondary(plan, secondary, len(local), weights, rng)
            columns[helper_name(secondary.column, "block")] = chosen
            columns[helper_name(secondary.column, "draw")] = slot
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


def resolve_secondary(task: Task, relation: Any, schema: pa.Schema, left: pa.Table,
                      right: pa.Table) -> pa.Table:
    """Attach the parent row that each drawn slot of one parent block falls in."""
    if left.num_rows == 0:
        return schema.empty_table()
    synth = task.synthesizer()
    plan = synth.plans_[task.table]
    parent_plan = synth.plans_[relation.parent_table]
    names = [parent_plan.primary_key, *parent_columns(synth.plans_, parent_plan.name)]
    block = int(left.column(helper_name(relation.column, "block"))[0].as_py())
    n = left.num_rows
    if block < 0 or right.num_rows == 0:
        picked = {c: pa.nulls(n, schema.field(helper_name(relation.column, c)).type) for c in names}
        slot = pa.array(np.full(n, -1, dtype=np.int64))
    else:
        right = right.sort_by(POSITION)
        draw = left.column(helper_name(relation.column, "draw")).to_numpy()
        _, uniform = task.draws[relation.column]
        if uniform:
            rows = draw
        else:
            parent = arrow_to_pandas(right, {c: synth.dtypes_[parent_plan.name][c] for c in names})
            counts = block_counts(synth, plan, relation, block, parent, task.seed)
            rows = np.searchsorted(np.cumsum(counts), draw, side="right")
        taken = right.take(pa.array(rows))
        picked = {c: taken.column(c) for c in names}
        slot = taken.column(POSITION)
    out = left.append_column(helper_name(relation.column, "slot"), slot)
    for column in names:
        out = out.append_column(helper_name(relation.column, column), picked[column])
    return out.cast(schema)


def joined_block(task: Task, target: pa.Schema, table: pa.Table) -> pa.Table:
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
        chunk = generate_chunk(synth, plan, task.seed, (block, k), start + lo,
                               start + lo + len(rows), where, keys, frames)
        batches.append(to_batch(chunk, target, block, start + lo))
    return pa.Table.from_batches(batches, schema=target)


def _joined_parents(synth: Any, task: Task, plan: TablePlan, rows: pd.DataFrame,
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
        names = [parent_plan.primary_key, *parent_columns(synth.plans_, parent_plan.name)]
        linked = np.flatnonzero(rows[helper_name(relation.column, "slot")].to_numpy() >= 0)
        referenced = rows[[helper_name(relation.column, c) for c in names]].iloc[linked]
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


# ------------------------------------------------------------------ schemas


def _parent_fields(synth: Any, relation: Any) -> list[pa.Field]:
    """Fields of a parent's key and model columns, named after the foreign key."""
    parent = synth.plans_[relation.parent_table]
    names = [parent.primary_key, *parent_columns(synth.plans_, parent.name)]
    frame = empty_frame(names, synth.dtypes_[parent.name])
    return [f.with_name(helper_name(relation.column, f.name)).remove_metadata()
            for f in pandas_to_arrow(frame, parent.name).schema]


def skeleton_schema(synth: Any, plan: TablePlan) -> pa.Schema:
    """Return the schema of :func:`skeleton_blocks`: driving parent attached, slots drawn."""
    relation = plan.driving
    fields = [pa.field(BLOCK, pa.int64()), pa.field(POSITION, pa.int64()),
              pa.field(helper_name(relation.column, "slot"), pa.int64()),
              *_parent_fields(synth, relation)]
    for secondary in plan.relations[1:]:
        fields += [pa.field(helper_name(secondary.column, "block"), pa.int64()),
                   pa.field(helper_name(secondary.column, "draw"), pa.int64())]
    return pa.schema(fields)


def resolved_schema(synth: Any, schema: pa.Schema, relation: Any) -> pa.Schema:
    """Return ``schema`` plus the columns :func:`resolve_secondary` attaches for ``relation``."""
    fields = [pa.field(helper_name(relation.column, "slot"), pa.int64()),
              *_parent_fields(synth, relation)]
    return pa.schema([*schema, *fields])
