"""Per-column sketches of a real column: a quantile sketch or capped category frequencies.

:class:`NumericSketch` (numbers and datetimes, judged by KS) and :class:`CategorySketch`
(categories, judged by TVD) are what a :class:`~synthohive.metrics.ReferenceProfile` keeps of
each column in place of its rows: they measure a synthetic column against the real one,
give the column's codes for the profile's pair tables, draw the plot data, and persist as
plain values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype, is_datetime64_any_dtype

from synthohive.metrics._column import ks_from_cdf, ordered_values, tvd_from_frequencies

__all__ = ["SKETCHES", "CategorySketch", "NumericSketch"]

_PLAIN_KINDS = {"string", "integer", "floating", "boolean", "mixed-integer-float", "empty"}
_PLOT_BINS = 30
_PLOT_CATEGORIES = 12


def _keys(values: np.ndarray) -> list[Any]:
    """JSON-storable keys of an object array of categories: str, int, float, bool stay."""
    if infer_dtype(values, skipna=False) in _PLAIN_KINDS:
        return values.tolist()
    return [v if isinstance(v, str | int | float | bool) else str(v) for v in values.tolist()]


def _bin_bounds(ordered: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Positions of histogram bin edges in sorted values (the last bin includes its end)."""
    return np.concatenate([ordered.searchsorted(edges[:-1], "left"),
                           ordered.searchsorted(edges[-1:], "right")])


def _runs(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of a sorted array and how often each occurs (``np.unique``, no sort)."""
    if ordered.shape[0] == 0:
        return ordered, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    return ordered[starts], np.diff(np.append(starts, ordered.shape[0]))


class NumericSketch:
    """Quantile sketch of a numeric or datetime column (KS metric)."""

    metric = "KS"

    def __init__(
        self,
        n: int,
        nulls: int,
        values: np.ndarray,
        cdf: np.ndarray,
        edges: np.ndarray,
        is_datetime: bool,
    ) -> None:
        self.n, self.nulls = n, nulls
        self.values, self.cdf, self.edges = values, cdf, edges
        self.is_datetime = is_datetime

    @classmethod
    def fit(cls, series: pd.Series, max_atoms: int, n_bins: int, name: str) -> NumericSketch:
        ordered = np.sort(ordered_values(series, name))
        n_present = ordered.shape[0]
        values, counts = _runs(ordered)
        total = n_present
        if values.shape[0] > max_atoms:
            picks = ((np.arange(max_atoms) + 0.5) / max_atoms * n_present).astype(np.int64)
            values, counts = _runs(ordered[picks])
            total = max_atoms
        cdf = np.cumsum(counts) / max(total, 1)
        cuts = (np.arange(1, n_bins) / n_bins * n_present).astype(np.int64)
        edges = np.unique(ordered[cuts]) if n_present else ordered
        is_datetime = is_datetime64_any_dtype(series.dtype)
        return cls(len(series), int(series.isna().sum()), values, cdf, edges, is_datetime)

    @property
    def n_codes(self) -> int:
        return self.edges.shape[0] + 2

    @staticmethod
    def encode(series: pd.Series, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(present mask, present values)`` of a column, computed once per comparison.

        Plain numpy columns (numbers, bools, naive datetimes) are read without pandas'
        per-call overhead; others (nullable, time zone aware) by :func:`ordered_values`.
        """
        values = series.to_numpy() if isinstance(series.dtype, np.dtype) else None
        if values is None or values.dtype.kind not in "biufM":
            return series.notna().to_numpy(), ordered_values(series, name)
        if values.dtype.kind == "M":
            present = ~np.isnat(values)
            return present, values[present].astype("datetime64[ns]").view(np.int64)
        if values.dtype.kind == "f":
            present = ~np.isnan(values)
            return present, values[present].astype(np.float64)
        return np.ones(values.shape[0], dtype=bool), values.astype(np.float64)

    @staticmethod
    def null_share(encoded: tuple[np.ndarray, np.ndarray]) -> float:
        """Share of nulls of an encoded column."""
        present = encoded[0]
        return float(np.count_nonzero(~present) / present.shape[0]) if present.shape[0] else 0.0

    def distance(self, encoded: tuple[np.ndarray, np.ndarray]) -> float:
        return self._distance(np.sort(encoded[1]))

    def plot(self, encoded: tuple[np.ndarray, np.ndarray]) -> dict[str, Any]:
        return self._plot(np.sort(encoded[1]))

    def measure(self, encoded: tuple[np.ndarray, np.ndarray]) -> tuple[float, dict[str, Any]]:
        """Return :meth:`distance` and :meth:`plot`, sorting the synthetic values once."""
        ordered = np.sort(encoded[1])
        return self._distance(ordered), self._plot(ordered)

    def _distance(self, ordered: np.ndarray) -> float:
        """KS between the sketch and sorted synthetic values.

        As :func:`~synthohive.metrics._column.ks_from_cdf`, using that the sketch's points
        are distinct (its CDF at them is ``cdf``) and that the synthetic CDF at a synthetic
        value is the end of that value's run: one binary search per reference point and
        one per distinct synthetic value, instead of two per point of either side.
        """
        n_reference, n_synthetic = self.values.shape[0], ordered.shape[0]
        if n_reference == 0 or n_synthetic == 0:
            return ks_from_cdf(self.values, self.cdf, ordered)
        at_reference = np.abs(self.cdf - ordered.searchsorted(self.values, "right") / n_synthetic)
        ends = np.flatnonzero(np.append(ordered[1:] != ordered[:-1], True))
        steps = np.concatenate([[0.0], self.cdf])
        reference_cdf = steps[self.values.searchsorted(ordered[ends], "right")]
        at_synthetic = np.abs(reference_cdf - (ends + 1) / n_synthetic)
        return float(max(at_reference.max(), at_synthetic.max()))

    def codes(self, encoded: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        present, values = encoded
        codes = np.zeros(present.shape[0], dtype=np.int64)
        codes[present] = 1 + np.searchsorted(self.edges, values, "right")
        return codes

    def _plot(self, ordered: np.ndarray) -> dict[str, Any]:
        """Histograms of the reference and of the sorted synthetic values on shared bins.

        Equal to ``numpy.histogram`` (which sorts its input and searches the bin edges in
        it; the reference values are sorted and distinct), without sorting again.
        """
        synthetic = ordered.astype(np.float64)
        reference = self.values.astype(np.float64)
        both = np.concatenate([reference, synthetic])
        both = both[np.isfinite(both)]
        low, high = (float(both.min()), float(both.max())) if both.size else (0.0, 1.0)
        if high <= low:
            low, high = low - 0.5, high + 0.5
        edges = np.linspace(low, high, _PLOT_BINS + 1)
        weights = np.concatenate([[0.0], np.diff(np.concatenate([[0.0], self.cdf])).cumsum()])
        real = np.diff(weights[_bin_bounds(reference, edges)])
        synthetic_hist = np.diff(_bin_bounds(synthetic, edges)) / max(synthetic.shape[0], 1)
        return {
            "metric": "KS",
            "datetime": self.is_datetime,
            "edges": edges.tolist(),
            "real": real.tolist(),
            "synthetic": synthetic_hist.tolist(),
        }

    def to_state(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "n": self.n,
            "nulls": self.nulls,
            "values": self.values,
            "cdf": self.cdf,
            "edges": self.edges,
            "datetime": self.is_datetime,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> NumericSketch:
        return cls(
            int(state["n"]),
            int(state["nulls"]),
            np.asarray(state["values"]),
            np.asarray(state["cdf"], dtype=np.float64),
            np.asarray(state["edges"]),
            bool(state["datetime"]),
        )


class CategorySketch:
    """Capped category frequencies of a discrete column (TVD metric)."""

    metric = "TVD"

    def __init__(
        self,
        n: int,
        nulls: int,
        categories: list[Any],
        counts: np.ndarray,
        other: int,
        pair_categories: int,
    ) -> None:
        self.n, self.nulls = n, nulls
        self.categories, self.counts, self.other = categories, counts, other
        self.pair_categories = pair_categories
        self._positions: dict[Any, int] | None = None

    @classmethod
    def fit(cls, series: pd.Series, max_categories: int, pair_categories: int) -> CategorySketch:
        codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
        present = codes[codes >= 0]
        counts = np.bincount(present, minlength=len(uniques))
        order = np.argsort(-counts, kind="stable")[:max_categories]
        keys = _keys(np.asarray(uniques, dtype=object)[order])
        merged: dict[Any, int] = {}
        for key, count in zip(keys, counts[order], strict=True):
            merged[key] = merged.get(key, 0) + int(count)
        kept = np.fromiter(merged.values(), dtype=np.int64, count=len(merged))
        other = int(present.shape[0] - kept.sum())
        return cls(
            len(series),
            int(codes.shape[0] - present.shape[0]),
            list(merged),
            kept,
            other,
            pair_categories,
        )

    @property
    def n_codes(self) -> int:
        return min(len(self.categories), self.pair_categories) + 2

    def encode(self, series: pd.Series, name: str) -> np.ndarray:
        """Index of each value among the kept categories; -1 other, -2 null."""
        if isinstance(series.dtype, np.dtype) and series.dtype.kind in "biuf":
            values = series.to_numpy()  # hashed as numbers; only distinct values become objects
        else:
            values = (series if series.dtype == object else series.astype(object)).to_numpy()
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        keys = _keys(np.asarray(uniques, dtype=object))
        if getattr(self, "_positions", None) is None:  # also a sketch pickled without it
            self._positions = {key: i for i, key in enumerate(self.categories)}
        positions = [self._positions.get(key, -1) for key in keys]  # one per distinct value
        return np.array([*positions, -2], dtype=np.int64)[codes]  # null (-1) picks the -2

    @staticmethod
    def null_share(positions: np.ndarray) -> float:
        """Share of nulls of an encoded column."""
        n = positions.shape[0]
        return float(np.count_nonzero(positions == -2) / n) if n else 0.0

    def frequencies(self, positions: np.ndarray) -> np.ndarray:
        kept = np.bincount(positions[positions >= 0], minlength=len(self.categories))
        return np.concatenate(
            [kept, [np.count_nonzero(positions == -1), np.count_nonzero(positions == -2)]]
        )

    def reference_frequencies(self) -> np.ndarray:
        return np.concatenate([self.counts, [self.other, self.nulls]])

    def distance(self, positions: np.ndarray) -> float:
        return self._distance(self.frequencies(positions))

    def plot(self, positions: np.ndarray) -> dict[str, Any]:
        return self._plot(self.frequencies(positions))

    def measure(self, positions: np.ndarray) -> tuple[float, dict[str, Any]]:
        """Return :meth:`distance` and :meth:`plot`, counting the categories once."""
        synthetic = self.frequencies(positions)
        return self._distance(synthetic), self._plot(synthetic)

    def _distance(self, synthetic: np.ndarray) -> float:
        # TVD over the non-null values: the null count (last entry) is left out
        return tvd_from_frequencies(self.reference_frequencies()[:-1], synthetic[:-1])

    def codes(self, positions: np.ndarray) -> np.ndarray:
        other = self.n_codes - 1
        return np.where(
            positions == -2,
            0,
            np.where((positions >= 0) & (positions < other - 1), positions + 1, other),
        )

    def _plot(self, frequencies: np.ndarray) -> dict[str, Any]:
        real = self.reference_frequencies().astype(np.float64)
        synthetic = frequencies.astype(np.float64)
        real, synthetic = real / max(real.sum(), 1.0), synthetic / max(synthetic.sum(), 1.0)
        shown = min(len(self.categories), _PLOT_CATEGORIES)
        labels = [str(c) for c in self.categories[:shown]]
        real_shown, synthetic_shown = list(real[:shown]), list(synthetic[:shown])
        pooled = (
            ("(other)", real[shown:-1].sum(), synthetic[shown:-1].sum()),
            ("(null)", real[-1], synthetic[-1]),
        )
        for label, real_share, synthetic_share in pooled:
            if real_share > 0 or synthetic_share > 0:
                labels.append(label)
                real_shown.append(float(real_share))
                synthetic_shown.append(float(synthetic_share))
        return {
            "metric": "TVD",
            "labels": labels,
            "real": [float(v) for v in real_shown],
            "synthetic": [float(v) for v in synthetic_shown],
        }

    def to_state(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "n": self.n,
            "nulls": self.nulls,
            "categories": list(self.categories),
            "counts": self.counts,
            "other": self.other,
            "pair_categories": self.pair_categories,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CategorySketch:
        return cls(
            int(state["n"]),
            int(state["nulls"]),
            list(state["categories"]),
            np.asarray(state["counts"], dtype=np.int64),
            int(state["other"]),
            int(state["pair_categories"]),
        )


SKETCHES = {"KS": NumericSketch, "TVD": CategorySketch}
