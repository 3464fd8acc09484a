"""Generation on one machine: tables in order, chunk by chunk, streamed to a sink.

:class:`SamplingMixin` holds the generation half of :class:`RelationalSynthesizer` (see
``doc/relational.md``, "Generating" and "Memory and streaming"). :func:`generate_chunk`, the
per-chunk step, is also what the Spark sampler (:mod:`synthohive.relational.spark`) runs on
its executors.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthohive.exceptions import DataValidationError
from synthohive.metrics import QualityReport, assess, check_constraints, check_quality
from synthohive.relational._checks import check_threshold
from synthohive.relational._dependencies import apply_dependencies
from synthohive.relational._fitting import parent_context
from synthohive.relational._inherit import apply_rules, parent_columns
from synthohive.relational._keys import (
    check_integrity,
    check_unique,
    draw_counts,
    driving_positions,
    primary_keys,
    secondary_positions,
)
from synthohive.relational._offsets import from_offsets, to_offsets
from synthohive.relational._plan import TablePlan, gather_context
from synthohive.relational._values import draw_rows, take_rows
from synthohive.relational._writer import (
    FileSink,
    MemorySink,
    check_output,
    empty_frame,
)
from synthohive.utils._random import derive_seed, numpy_generator, sample_seed

logger = logging.getLogger(__name__)


class SamplingMixin:
    """Generation methods of :class:`RelationalSynthesizer`; they read its fitted attributes."""

    plans_: dict[str, TablePlan]
    dtypes_: dict[str, dict[str, str]]
    chunk_size: int

    def _sample_local(self, scale: float, output_path: Any, format: str, output: Any,
                      random_state: Any, if_exists: str, quality_threshold: Any,
                      ) -> dict[str, Any]:
        """:meth:`RelationalSynthesizer.sample` on this machine (``scale`` checked)."""
        check_output(output_path, format, output, if_exists, self.order_)
        check_threshold(self.plans_, quality_threshold)
        seed = sample_seed(self, random_state)
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
                result[name] = sink.close()
            except BaseException as exc:
                sink.abort()
                if result and output_path is not None:
                    exc.add_note(
                        f"Table {name!r} was not written; tables {list(result)} were written "
                        "before the failure (remove them, or sample again with "
                        "if_exists='replace')."
                    )
                raise
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
        if output is not None:
            # All tables at once, only once all are generated: nothing is written when
            # generation fails, and a connector that writes in one transaction (SQL) writes
            # all of them or none.
            output.write_tables(result, if_exists=if_exists)
            return {name: len(frame) for name, frame in result.items()}
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
        if logger.isEnabledFor(logging.INFO):  # the summary is built only when it is logged
            logger.info("%s", report.summary(plan.name))
        if isinstance(quality_threshold, Mapping):
            quality_threshold = {
                key: limit for key, limit in quality_threshold.items()
                if key in ("*", plan.name) or key in plan.model_columns
                or key in {f"{plan.name}.{c}" for c in plan.model_columns}} or None
        if quality_threshold is not None:
            check_quality(report, quality_threshold)
        return [report]

    def _generate(self, plan: TablePlan, scale: float, seed: int,
                  kept: Mapping[str, tuple[pd.Index, pd.DataFrame]]) -> Iterator[pd.DataFrame]:
        """Yield the generated rows of one table, chunk by chunk, checked."""
        name = plan.name
        columns, dtypes = list(plan.output_columns), self.dtypes_[name]
        if plan.n_rows == 0:  # empty in training: nothing to learn, no row to invent
            yield empty_frame(columns, dtypes)
            return
        positions = self._positions(plan, scale, seed, kept)
        n_rows = (len(positions[plan.driving.column]) if plan.driving is not None
                  else max(1, round(plan.n_rows * scale)))
        if plan.primary_key is not None:
            check_unique(name, plan.primary_key,
                         pd.Index(primary_keys(name, dtypes[plan.primary_key], 0, n_rows)))
        if n_rows == 0:
            yield empty_frame(columns, dtypes)
            return
        faked = [c for c in plan.id_like_columns if f"{name}.{c}" in self.privacy_]
        pool = len(self.id_rows_[name]["present"])
        if faked and n_rows > pool:
            logger.warning(
                "Table %r: %d rows take their personal values (%s) from %d sanitised rows, "
                "so some identities repeat; fit with identity_reserve=%.1f or more to keep "
                "them distinct at this size, or sample a smaller scale.", name, n_rows,
                ", ".join(faked), pool, np.ceil(10 * (n_rows / plan.n_rows - 1)) / 10 + 0.1)
        parent_keys = {t: index for t, (index, _) in kept.items()}
        parent_frames = {t: frame for t, (_, frame) in kept.items()}
        for number, start in enumerate(range(0, n_rows, self.chunk_size)):
            stop = min(start + self.chunk_size, n_rows)
            where = {column: p[start:stop] for column, p in positions.items()}
            yield generate_chunk(self, plan, seed, (number,), start, stop, where, parent_keys,
                                 parent_frames)

    def _positions(self, plan: TablePlan, scale: float, seed: int,
                   kept: Mapping[str, tuple[pd.Index, pd.DataFrame]]) -> dict[str, np.ndarray]:
        """Parent position of every row of a table for each of its relations."""
        positions: dict[str, np.ndarray] = {}
        for rank, relation in enumerate(plan.relations):
            parent_keys, parent_frame = kept[relation.parent_table]
            estimator = self.cardinality_[f"{plan.name}.{relation.column}"]
            counts = draw_counts(
                estimator, parent_context(self.plans_[relation.parent_table], parent_frame),
                len(parent_keys), derive_seed(seed, plan.name, relation.column)
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
        return MemorySink(columns, dtypes)


def generate_chunk(synth: Any, plan: TablePlan, seed: int, key: tuple[int, ...], start: int,
                   stop: int, positions: Mapping[str, np.ndarray],
                   parent_keys: Mapping[str, pd.Index],
                   parent_frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Generate rows ``start..stop-1`` of a table, checked, with seeds keyed by ``key``.

    ``synth`` is a fitted :class:`RelationalSynthesizer`; only its fitted attributes are
    read (``dtypes_``, ``models_``, ``guards_``, ``plans_``, ``id_values_``,
    ``id_rows_``, ``inherit_values_``, ``copy_patterns_``).

    ``positions`` gives, per foreign key column, the parent position of each of these
    rows; ``parent_keys`` and ``parent_frames`` the generated primary keys and the
    :func:`~._inherit.parent_columns` of the parents. ``sample`` calls it with
    ``key=(chunk number,)``; the Spark sampler with its own block keys. Nothing else
    of the synthesizer is touched, so the same rows come out on any machine.
    """
    name, dtypes = plan.name, synth.dtypes_[plan.name]
    parts: dict[str, pd.Series] = {}
    if plan.primary_key is not None:
        parts[plan.primary_key] = primary_keys(name, dtypes[plan.primary_key], start, stop)
    for relation in plan.relations:
        parts[relation.column] = _foreign_keys(parent_keys[relation.parent_table],
                                               positions[relation.column])
    if name in synth.models_:
        context = gather_context(plan, synth.plans_, parent_frames, positions)
        if context is not None:
            context = synth.guards_[name].apply(context)
        generated = synth.models_[name].sample(
            n_samples=stop - start if context is None else None, context=context,
            random_state=derive_seed(seed, name, "rows", *key))
        learned = from_offsets(plan.offsets, generated)
        parts.update({c: learned[c] for c in plan.model_columns})
        apply_dependencies(plan.dependencies, parts)
    if plan.id_like_columns:
        # All id-like values of a row from one (sanitised) training row, drawn among those
        # with the row's anchor value: they stay coherent with each other and with it.
        rows = synth.id_rows_[name]
        picks = draw_rows(rows, parts[plan.id_anchor] if plan.id_anchor else None,
                          stop - start, numpy_generator(derive_seed(seed, name, "id_like", *key)),
                          start, numpy_generator(derive_seed(seed, name, "id_like")))
        for j, column in enumerate(plan.id_like_columns):
            parts[column] = take_rows(synth.id_values_[name][column], rows["present"][:, j],
                                      picks)
    if plan.inherited:
        patterns = synth.copy_patterns_.get(name, {})
        apply_rules(plan, parts, positions, parent_frames, synth.inherit_values_[name],
                    patterns.get("patterns", np.zeros((0, 0), dtype=bool)),
                    patterns.get("counts", np.zeros(0, dtype=np.int64)),
                    numpy_generator(derive_seed(seed, name, "inherited", *key)))
    chunk = _with_dtypes(
        pd.DataFrame({c: pd.Series(parts[c]).reset_index(drop=True)
                      for c in plan.output_columns}), dtypes, name)
    check_integrity(plan, chunk, parent_keys)
    rules = {c: r for c, r in synth.schema_[name].constraints.items() if c in chunk.columns}
    if rules:
        check_constraints(chunk, rules, name)
    return chunk


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
