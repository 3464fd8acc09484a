"""``EmpiricalCardinality``: resample observed children-per-parent counts."""

from __future__ import annotations

import logging
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

from synthohive.cardinality._encoding import ColumnCoder
from synthohive.cardinality.base import CardinalityEstimator
from synthohive.exceptions import DataValidationError
from synthohive.persistence import register_persistable
from synthohive.utils._validation import Interval, check_params

logger = logging.getLogger(__name__)

_MAX_KEY = 2**62
# Least adjusted share of the counts' variance a parent column must explain to be chosen.
MIN_EXPLAINED = 0.05


@register_persistable("EmpiricalCardinality")
class EmpiricalCardinality(CardinalityEstimator):
    """Draws children counts by resampling the counts observed at ``fit``.

    Unconditionally every parent draws from all observed counts, zeros included, so the
    synthetic count distribution matches the real one up to sampling noise.

    Conditionally, parents are grouped by parent columns (numeric and datetime columns with
    more than ``n_bins`` distinct values by quantile bin, others by value, nulls as their own
    group) and each parent resamples the counts of its group. A group with fewer than
    ``min_group_size`` parents (or a value unseen at fit) falls back to the group made of the
    earlier columns only, down to all parents: list the most important column first.

    ``conditional_on="auto"`` (the default) chooses at ``fit`` from the context columns:

    * a *label*, a discrete column whose values tell every parent apart (the names of a
      dimension table: chinook's 5 media types, northwind's 8 categories), ranks the
      parents: the counts are drawn from all parents (stratified, so their distribution
      is kept whichever labels are generated) and handed out in the order of each label's
      own count. Generated once each, every label keeps its count (the media type with
      3,034 tracks keeps them, instead of a random one getting them); a label generated
      twice takes the two largest counts left; an unseen label ranks at random;
    * otherwise the column whose groups (of at least ``min_group_size`` parents) explain the
      largest share of the counts' variance, adjusted for the number of groups, if that
      share is at least 0.05 (``MIN_EXPLAINED``);
    * otherwise none. Without context, fit and sample are unconditional.

    The choice is logged and kept as ``conditioning_``.

    Parameters
    ----------
    conditional_on : "auto", str, list of str or None, default="auto"
        Parent columns the counts depend on (``fit`` and ``sample`` then need ``context``),
        ``"auto"`` to choose them from the context, or None for unconditional counts.
    n_bins : int, default=5
        Quantile bins of continuous conditioning columns.
    min_group_size : int, default=30
        Fewest parents a group needs to be used on its own.
    random_state : int, RandomState instance or None, default=None
        Seed of ``fit``; sampling without a ``random_state`` derives from it.

    Attributes
    ----------
    conditioning_ : list of str
        The conditioning columns used (the chosen ones with ``"auto"``).
    min_sizes_ : list of int
        Fewest parents a group of each conditioning level needs (1 for a label).
    coupled_ : bool
        Whether the counts are coupled to a label by rank (see ``"auto"``).
    coders_ : list of ColumnCoder
        Encoding of each conditioning column.
    keys_ : list of ndarray of int64
        Per level (number of conditioning columns used, 0 to all), the sorted group keys
        kept (groups of at least ``min_group_size`` parents; level 0 is all parents).
    offsets_ : list of ndarray of int64
        Per level, where each group's counts start in ``values_`` (one extra end offset).
    values_ : list of ndarray of int64
        Per level, the observed counts sorted by group.
    n_parents_, context_columns_, seed_, n_sample_calls_
        See :class:`CardinalityEstimator`.

    Examples
    --------
    >>> import numpy as np
    >>> est = EmpiricalCardinality(random_state=0).fit(np.array([0, 1, 1, 3, 0, 2]))
    >>> draws = est.sample(n=5, random_state=0)
    >>> bool(np.isin(draws, [0, 1, 2, 3]).all())
    True
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "conditional_on": [None, str, list, tuple],
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "min_group_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, conditional_on: str | list[str] | None = "auto", n_bins: int = 5,
                 min_group_size: int = 30,
                 random_state: int | np.random.RandomState | None = None) -> None:
        self.conditional_on = conditional_on
        self.n_bins = n_bins
        self.min_group_size = min_group_size
        self.random_state = random_state

    def _columns(self) -> list[str]:
        if self.conditional_on is None:
            return []
        if isinstance(self.conditional_on, str):
            return [self.conditional_on]
        return list(self.conditional_on)

    def _choose(self, counts: np.ndarray, context: pd.DataFrame | None
                ) -> tuple[list[str], list[int], bool]:
        """Return the conditioning columns, each level's smallest group, and the coupling."""
        if self.conditional_on != "auto":
            columns = self._columns()
            return columns, [int(self.min_group_size)] * len(columns), False
        if context is None or len(counts) < 2:
            return [], [], False
        coders = {c: ColumnCoder.learn(str(c), context[c], self.n_bins) for c in context.columns}
        for column, coder in coders.items():
            if (coder.kind == "discrete" and not coder.has_nulls
                    and len(coder.categories) == len(counts)):
                logger.info("EmpiricalCardinality: label column %r, each parent keeps its "
                            "count", column)
                return [str(column)], [1], True
        shares = {column: _explained(counts, coder.codes(context[column]),
                                     int(self.min_group_size))
                  for column, coder in coders.items()}
        best = max(shares, key=shares.__getitem__, default=None)
        if best is None or shares[best] < MIN_EXPLAINED:
            return [], [], False
        logger.info("EmpiricalCardinality: counts conditional on %r (explains %.1f%% of their "
                    "variance)", best, 100 * shares[best])
        return [str(best)], [int(self.min_group_size)], False

    def _fit(self, counts: np.ndarray, context: pd.DataFrame | None) -> None:
        check_params(self)
        self.conditioning_, self.min_sizes_, self.coupled_ = self._choose(counts, context)
        columns = self.conditioning_
        frame = self._require_context(context, columns, "conditional_on") if columns else None
        self.coders_ = [ColumnCoder.learn(c, frame[c], self.n_bins) for c in columns]
        codes = self._codes(frame, len(counts))
        self.keys_, self.offsets_, self.values_ = [], [], []
        for level in range(len(columns) + 1):
            keys = self._keys(codes, level)
            order = np.lexsort((counts, keys))
            unique, sizes = np.unique(keys[order], return_counts=True)
            kept = sizes >= (self.min_sizes_[level - 1] if level else 1)
            self.keys_.append(unique[kept])
            self.offsets_.append(np.concatenate([[0], np.cumsum(sizes[kept])]).astype(np.int64))
            self.values_.append(counts[order][np.repeat(kept, sizes)])
            if level:
                logger.info("EmpiricalCardinality: %d group(s) on %s, %d smaller than %d "
                            "fall back", int(kept.sum()), columns[:level], int((~kept).sum()),
                            self.min_sizes_[level - 1])

    def _codes(self, frame: pd.DataFrame | None, n: int) -> np.ndarray:
        if frame is None or not self.coders_:
            return np.zeros((n, 0), dtype=np.int64)
        return np.column_stack([coder.codes(frame[coder.column]) for coder in self.coders_])

    def _keys(self, codes: np.ndarray, level: int) -> np.ndarray:
        """Mixed-radix key of the first ``level`` codes of each row."""
        keys = np.zeros(len(codes), dtype=np.int64)
        radix = 1
        for j in range(level):
            radix *= self.coders_[j].n_codes
            if radix >= _MAX_KEY:
                raise DataValidationError(
                    f"EmpiricalCardinality: conditional_on={self.conditioning_} makes too many "
                    "groups; use fewer columns or a smaller n_bins."
                )
            keys = keys * self.coders_[j].n_codes + codes[:, j]
        return keys

    def _sample(self, context: pd.DataFrame | None, n: int,
                rng: np.random.Generator) -> np.ndarray:
        level_of, group_of = self._groups(context, n)
        out = self._draw(level_of, group_of, rng)
        if not self.coupled_:
            return out
        # Labels: every parent's count, reordered so that labels rank like their own counts.
        everyone = self._draw(np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), rng)
        coupled = np.empty(n, dtype=np.int64)
        coupled[np.lexsort((rng.random(n), out))] = np.sort(everyone)
        return coupled

    def _sample_marginal(self, n: int, rng: np.random.Generator) -> np.ndarray | None:
        """Return stratified draws from all training counts, when the counts are conditional."""
        if not self.conditioning_:
            return None
        return self._draw(np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), rng)

    def _groups(self, context: pd.DataFrame | None, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Level and group of each parent row: its deepest level with enough parents."""
        columns = self.conditioning_
        frame = self._require_context(context, columns, "conditional_on") if columns else None
        codes = self._codes(frame, n)
        level_of = np.full(n, -1, dtype=np.int64)
        group_of = np.zeros(n, dtype=np.int64)
        for level in range(len(columns), -1, -1):
            keys = self.keys_[level]
            if not len(keys):
                continue
            query = self._keys(codes, level)
            found = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
            hit = (level_of < 0) & (keys[found] == query)
            level_of[hit] = level
            group_of[hit] = found[hit]
        return level_of, group_of

    def _draw(self, level_of: np.ndarray, group_of: np.ndarray,
              rng: np.random.Generator) -> np.ndarray:
        """Draw stratified quantiles of each group's sorted counts for its rows."""
        uniform = _stratified_uniforms(level_of * (len(self.offsets_[0]) + 1) + group_of, rng)
        out = np.zeros(len(level_of), dtype=np.int64)
        for level in np.unique(level_of):
            rows = level_of == level
            offsets, group = self.offsets_[level], group_of[rows]
            sizes = offsets[group + 1] - offsets[group]
            picks = offsets[group] + np.minimum((uniform[rows] * sizes).astype(np.int64),
                                                sizes - 1)
            out[rows] = self.values_[level][picks]
        return out

    def _to_state(self) -> dict[str, Any]:
        state = self._base_state()
        if isinstance(self.conditional_on, tuple):
            state["params"]["conditional_on"] = list(self.conditional_on)
        return {**state, "conditioning": list(self.conditioning_),
                "min_sizes": list(self.min_sizes_), "coupled": bool(self.coupled_),
                "coders": [c.to_state() for c in self.coders_],
                "keys": list(self.keys_), "offsets": list(self.offsets_),
                "values": list(self.values_)}

    @classmethod
    def _from_state(cls, state: dict[str, Any]) -> EmpiricalCardinality:
        estimator = cls._from_base_state(state)
        estimator.conditioning_ = [str(c) for c in state["conditioning"]]
        estimator.min_sizes_ = [int(m) for m in state["min_sizes"]]
        estimator.coupled_ = bool(state["coupled"])
        estimator.coders_ = [ColumnCoder.from_state(c) for c in state["coders"]]
        estimator.keys_ = [np.asarray(k, dtype=np.int64) for k in state["keys"]]
        estimator.offsets_ = [np.asarray(o, dtype=np.int64) for o in state["offsets"]]
        estimator.values_ = [np.asarray(v, dtype=np.int64) for v in state["values"]]
        return estimator


def _explained(counts: np.ndarray, codes: np.ndarray, min_size: int) -> float:
    """Return the adjusted share of the variance of ``counts`` explained by ``codes``.

    Groups of fewer than ``min_size`` rows are pooled (they fall back at sampling). The share
    is adjusted for the number of groups like an adjusted R²: ``1 - (within / (n - k)) /
    (total / (n - 1))``, about zero for a column unrelated to the counts.
    """
    _, group, sizes = np.unique(codes, return_inverse=True, return_counts=True)
    _, group = np.unique(np.where(sizes[group] >= min_size, group, len(sizes)),
                         return_inverse=True)
    n, k = len(counts), int(group.max()) + 1
    values = counts.astype(np.float64)
    total = float(((values - values.mean()) ** 2).sum())
    if k < 2 or n <= k or total == 0.0:
        return 0.0
    means = np.bincount(group, values) / np.bincount(group)
    within = float(((values - means[group]) ** 2).sum())
    return 1.0 - (within / (n - k)) / (total / (n - 1))


def _stratified_uniforms(groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uniform draws in [0, 1), stratified within each group of rows.

    The ``m`` rows of a group get one draw in each of ``[0, 1/m), [1/m, 2/m), …`` in random
    order. Each draw is still uniform on its own, so the resampled counts keep the observed
    distribution, but a group's draws cover its quantiles evenly: the total number of
    children stays close to ``m`` times the mean count instead of wandering with i.i.d.
    noise (which compounds down a chain of tables).
    """
    n = len(groups)
    order = np.lexsort((rng.random(n), groups))
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    sizes = np.diff(np.r_[starts, n])
    rank = np.arange(n) - np.repeat(starts, sizes)
    uniform = np.empty(n)
    uniform[order] = (rank + rng.random(n)) / np.repeat(sizes, sizes)
    return uniform
