"""Reference statistics of a real table that stand in for its rows.

A :class:`ReferenceProfile` is built from a DataFrame (models build one at ``fit``) and keeps,
per column, either a **quantile sketch** (at most ``max_atoms`` sorted values with their CDF;
exact when the column has fewer distinct values) or capped **category frequencies** (the
``max_categories`` most frequent values plus an "other" count), the null count, and, per pair of
columns, the Pearson correlation (numeric pairs) and a small joint frequency table of binned
values. It holds no rows, persists inside model artifacts, and compares a synthetic table with
the real one after ``load()``:

- KS from the sketch differs from the exact KS by at most about ``1 / max_atoms``;
- TVD (over non-null values) from the capped frequencies equals the exact TVD when the real
  column has at most ``max_categories`` distinct values (rarer ones are pooled as "other");
- null-rate differences are exact;
- correlation deltas are exact; contingency TVD and NMI use the binning described in
  :meth:`ReferenceProfile.fit`, also for reports computed from rows.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype, is_datetime64_any_dtype

from synthohive.exceptions import DataValidationError
from synthohive.metrics._column import (
    check_columns,
    column_metric,
    ks_from_cdf,
    ordered_values,
    tvd_from_frequencies,
)
from synthohive.metrics._pair_tables import PairTables
from synthohive.metrics._pairs import correlation_from_matrix
from synthohive.persistence import register_persistable

__all__ = ["ReferenceProfile"]

_PLAIN_KINDS = {"string", "integer", "floating", "boolean", "mixed-integer-float", "empty"}
_PLOT_BINS = 30
_PLOT_CATEGORIES = 12
PAIR_COLUMNS = [
    "column_1",
    "column_2",
    "metric",
    "distance",
    "real_correlation",
    "synthetic_correlation",
    "real_nmi",
    "synthetic_nmi",
    "nmi_difference",
]


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


class _NumericSketch:
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
    def fit(cls, series: pd.Series, max_atoms: int, n_bins: int, name: str) -> _NumericSketch:
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
    def from_state(cls, state: dict[str, Any]) -> _NumericSketch:
        return cls(
            int(state["n"]),
            int(state["nulls"]),
            np.asarray(state["values"]),
            np.asarray(state["cdf"], dtype=np.float64),
            np.asarray(state["edges"]),
            bool(state["datetime"]),
        )


class _CategorySketch:
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
    def fit(cls, series: pd.Series, max_categories: int, pair_categories: int) -> _CategorySketch:
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
    def from_state(cls, state: dict[str, Any]) -> _CategorySketch:
        return cls(
            int(state["n"]),
            int(state["nulls"]),
            list(state["categories"]),
            np.asarray(state["counts"], dtype=np.int64),
            int(state["other"]),
            int(state["pair_categories"]),
        )


_SKETCHES = {"KS": _NumericSketch, "TVD": _CategorySketch}


def _objects(values: list[Any]) -> np.ndarray:
    """Return ``values`` as a 1-D object array (strings stay Python strings)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _frame(fields: dict[str, np.ndarray], columns: list[str]) -> pd.DataFrame:
    """Build a table from column arrays; with no row, an empty table of ``columns``."""
    if not len(next(iter(fields.values()))):
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(fields)


class _PairLayout:
    """What a profile's pair section needs from the reference alone (built once per profile).

    The names and metric of every pair, where each correlation pair reads the correlation
    matrices, the :class:`PairTables` layout of the binned joint tables, and the real
    tables' NMIs (computed on first use).
    """

    def __init__(self, profile: ReferenceProfile) -> None:
        pair_columns = profile.pair_columns
        pairs = list(combinations(range(len(pair_columns)), 2))
        self.first = _objects([pair_columns[a] for a, _ in pairs])
        self.second = _objects([pair_columns[b] for _, b in pairs])
        self.tables = PairTables([profile._sketches[c].n_codes for c in pair_columns], pairs)
        numeric = {c: i for i, c in enumerate(profile._numeric_pair_columns())}
        self.correlated = np.array(
            [pair_columns[a] in numeric and pair_columns[b] in numeric for a, b in pairs],
            dtype=bool,
        )
        self.correlation_index = np.array(
            [[numeric.get(pair_columns[a], 0) for a, _ in pairs],
             [numeric.get(pair_columns[b], 0) for _, b in pairs]],
            dtype=np.int64,
        ).reshape(2, len(pairs))
        self.metric = _objects(
            ["correlation" if c else "contingency" for c in self.correlated.tolist()]
        )
        self._real_nmi: np.ndarray | None = None

    def real_nmi(self, real_counts: np.ndarray) -> np.ndarray:
        """NMI of every real pair table, computed on the first call and kept."""
        if self._real_nmi is None:
            self._real_nmi = self.tables.nmi(real_counts)
        return self._real_nmi


@register_persistable("ReferenceProfile")
class ReferenceProfile:
    """Statistics of a real table that let synthetic tables be judged without its rows.

    Build one with :meth:`fit`; compare synthetic data with :meth:`column_distances`,
    :meth:`pair_distances` and :meth:`distributions`, or all three at once with
    :meth:`compare` (or :meth:`measure`, the same as arrays, which
    :func:`synthohive.metrics.assess` wraps in a :class:`~synthohive.metrics.QualityReport`).
    It stores quantile sketches, category
    frequencies, null counts, correlations and binned joint frequencies, never rows.

    Attributes
    ----------
    columns : list of str
        Columns of the real table, in order.
    n_rows : int
        Number of real rows.
    pair_columns : list of str
        Columns whose pairs are summarised (the first ``max_pair_columns``).

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "a", "b", "b"]})
    >>> profile = ReferenceProfile.fit(real)
    >>> profile.column_distances(real).distance.tolist()
    [0.0, 0.0]
    """

    def __init__(
        self,
        columns: list[str],
        n_rows: int,
        sketches: list[Any],
        pair_columns: list[str],
        correlation: np.ndarray,
        pair_counts: np.ndarray,
    ) -> None:
        self.columns = columns
        self.n_rows = n_rows
        self._sketches = dict(zip(columns, sketches, strict=True))
        self.pair_columns = pair_columns
        self._correlation = correlation
        self._pair_counts = pair_counts
        self._layout: _PairLayout | None = None

    @classmethod
    def fit(
        cls,
        frame: pd.DataFrame,
        *,
        max_atoms: int = 1000,
        max_categories: int = 1000,
        pair_bins: int = 10,
        pair_categories: int = 20,
        max_pair_columns: int = 50,
    ) -> ReferenceProfile:
        """Summarise a real table.

        Parameters
        ----------
        frame : DataFrame
            The real rows.
        max_atoms : int, default=1000
            Most points kept in each numeric/datetime column's quantile sketch.
        max_categories : int, default=1000
            Most categories kept per discrete column; rarer ones are pooled as "other".
        pair_bins : int, default=10
            Numeric columns are cut at their real quantiles into this many bins for
            contingency tables and NMI.
        pair_categories : int, default=20
            Discrete columns keep this many most frequent categories (rest pooled) in
            contingency tables and NMI.
        max_pair_columns : int, default=50
            Pairs are summarised among the first this many columns only.

        Returns
        -------
        ReferenceProfile
            The summary.

        Raises
        ------
        DataValidationError
            If ``frame`` is not a DataFrame.
        """
        if not isinstance(frame, pd.DataFrame):
            raise DataValidationError(
                f"ReferenceProfile.fit needs a pandas DataFrame, got {type(frame).__name__}."
            )
        columns = [str(c) for c in frame.columns]
        sketches = []
        for label, name in zip(frame.columns, columns, strict=True):
            series = frame[label]
            if column_metric(series) == "KS":
                sketches.append(_NumericSketch.fit(series, max_atoms, pair_bins, name))
            else:
                sketches.append(_CategorySketch.fit(series, max_categories, pair_categories))
        profile = cls(
            columns,
            len(frame),
            sketches,
            columns[:max_pair_columns],
            np.zeros((0, 0)),
            np.zeros(0, dtype=np.int64),
        )
        encoded = profile._encode(frame.set_axis(columns, axis=1), profile.pair_columns)
        profile._correlation = profile._correlation_of(encoded, len(frame))
        profile._pair_counts = profile._joint_counts(encoded, len(frame))
        return profile

    def null_rate(self, column: str) -> float:
        """Share of nulls in the real ``column``."""
        sketch = self._sketches[column]
        return sketch.nulls / sketch.n if sketch.n else 0.0

    def column_distances(self, synthetic: pd.DataFrame) -> pd.DataFrame:
        """Compare every column of ``synthetic`` with the reference.

        Parameters
        ----------
        synthetic : DataFrame
            Synthetic rows holding every reference column.

        Returns
        -------
        DataFrame
            Same layout as :func:`synthohive.metrics.column_distances`.

        Raises
        ------
        DataValidationError
            If a column is missing or cannot be compared.
        """
        synthetic = self._prepare(synthetic)
        return pd.DataFrame(self._column_fields(self._encode(synthetic, self.columns))[0])

    def pair_distances(self, synthetic: pd.DataFrame) -> pd.DataFrame:
        """Compare every pair of summarised columns of ``synthetic`` with the reference.

        Numeric/datetime pairs are compared by correlation delta, others by contingency TVD
        of binned values; both NMIs are reported for every pair.

        Parameters
        ----------
        synthetic : DataFrame
            Synthetic rows holding every reference column.

        Returns
        -------
        DataFrame
            One row per pair with ``column_1``, ``column_2``, ``metric`` (``"correlation"``
            or ``"contingency"``), ``distance`` (lower is better), ``real_correlation``,
            ``synthetic_correlation`` (NaN for contingency pairs), ``real_nmi``,
            ``synthetic_nmi`` and ``nmi_difference``.

        Raises
        ------
        DataValidationError
            If a column is missing or cannot be compared.
        """
        synthetic = self._prepare(synthetic)
        encoded = self._encode(synthetic, self.pair_columns)
        return _frame(self._pair_fields(encoded, len(synthetic)), PAIR_COLUMNS)

    def distributions(self, synthetic: pd.DataFrame) -> dict[str, dict[str, Any]]:
        """Histogram or bar data of every column, real against synthetic, for plots."""
        synthetic = self._prepare(synthetic)
        encoded = self._encode(synthetic, self.columns)
        return {name: sketch.plot(encoded[name]) for name, sketch in self._sketches.items()}

    def compare(
        self, synthetic: pd.DataFrame
    ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, dict[str, Any]]]:
        """Return :meth:`column_distances`, :meth:`pair_distances` and :meth:`distributions`.

        Each column of ``synthetic`` is read and encoded once for all three.
        """
        columns, pairs, plots = self.measure(synthetic)
        return pd.DataFrame(columns), _frame(pairs, PAIR_COLUMNS), plots

    def measure(
        self, synthetic: pd.DataFrame
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, dict[str, Any]]]:
        """Return what :meth:`compare` does, with each table as a dict of column arrays.

        For callers that assemble their own tables (:func:`synthohive.metrics.assess`):
        every ``sample()`` is judged, and building the frames once there saves copies.

        Parameters
        ----------
        synthetic : DataFrame
            Synthetic rows holding every reference column.

        Returns
        -------
        columns, pairs : dict of str to ndarray
            The columns of :meth:`column_distances` and :meth:`pair_distances`, in order.
        plots : dict
            As :meth:`distributions`.

        Raises
        ------
        DataValidationError
            If a column is missing or cannot be compared.
        """
        synthetic = self._prepare(synthetic)
        encoded = self._encode(synthetic, self.columns)
        columns, plots = self._column_fields(encoded, with_plots=True)
        return columns, self._pair_fields(encoded, len(synthetic)), plots

    def _column_fields(
        self, encoded: dict[str, Any], with_plots: bool = False
    ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]]:
        """Column distances (one array per report column) and, if asked, the plot data."""
        distance, null_gap = np.empty(len(self.columns)), np.empty(len(self.columns))
        plots = {}
        for i, (name, sketch) in enumerate(self._sketches.items()):
            if with_plots:
                distance[i], plots[name] = sketch.measure(encoded[name])
            else:
                distance[i] = sketch.distance(encoded[name])
            null_gap[i] = abs(self.null_rate(name) - sketch.null_share(encoded[name]))
        fields = {
            "column": _objects(self.columns),
            "metric": _objects([s.metric for s in self._sketches.values()]),
            "distance": distance,
            "null_rate_difference": null_gap,
        }
        return fields, plots

    def _pair_fields(self, encoded: dict[str, Any], n_rows: int) -> dict[str, np.ndarray]:
        """Pair distances, correlations and NMIs of every pair, one array per column."""
        layout = self._pair_layout()
        counts = self._joint_counts(encoded, n_rows)
        synthetic_nmi = layout.tables.nmi(counts)
        real_nmi = layout.real_nmi(self._pair_counts)
        synthetic_r = np.full(layout.tables.n_pairs, np.nan)
        real_r = np.full(layout.tables.n_pairs, np.nan)
        correlated = layout.correlated
        if correlated.any():
            i, j = layout.correlation_index[:, correlated]
            synthetic_r[correlated] = self._correlation_of(encoded, n_rows)[i, j]
            real_r[correlated] = self._correlation[i, j]
        distance = np.where(correlated, np.abs(real_r - synthetic_r) / 2.0,
                            layout.tables.tvd(self._pair_counts, counts))
        return dict(zip(PAIR_COLUMNS, (
            layout.first, layout.second, layout.metric, distance, real_r, synthetic_r,
            real_nmi, synthetic_nmi, np.abs(real_nmi - synthetic_nmi)), strict=True))

    def _prepare(self, synthetic: pd.DataFrame) -> pd.DataFrame:
        """Check ``synthetic`` holds the reference columns; return it with str labels."""
        if not isinstance(synthetic, pd.DataFrame):
            raise DataValidationError(
                f"Synthetic data must be a pandas DataFrame, got {type(synthetic).__name__}."
            )
        if not all(isinstance(c, str) for c in synthetic.columns):
            synthetic = synthetic.set_axis([str(c) for c in synthetic.columns], axis=1)
        if not set(self.columns).issubset(synthetic.columns):
            check_columns(pd.DataFrame(columns=self.columns), synthetic)
        return synthetic

    def _pair_layout(self) -> _PairLayout:
        """Return what the pair section needs from the reference alone (built once, kept)."""
        if getattr(self, "_layout", None) is None:  # also a profile pickled without it
            self._layout = _PairLayout(self)
        return self._layout

    def _numeric_pair_columns(self) -> list[str]:
        return [c for c in self.pair_columns if self._sketches[c].metric == "KS"]

    def _encode(self, frame: pd.DataFrame, columns: list[str]) -> dict[str, Any]:
        return {c: self._sketches[c].encode(frame[c], c) for c in columns}

    def _correlation_of(self, encoded: dict[str, Any], n_rows: int) -> np.ndarray:
        numeric = self._numeric_pair_columns()
        matrix = np.full((n_rows, len(numeric)), np.nan)
        for i, name in enumerate(numeric):
            present, values = encoded[name]
            matrix[present, i] = values
        return correlation_from_matrix(matrix)

    def _joint_counts(self, encoded: dict[str, Any], n_rows: int) -> np.ndarray:
        """Binned joint counts of every pair, tables end to end (see :class:`PairTables`)."""
        codes = np.empty((len(self.pair_columns), n_rows), dtype=np.int64)
        for i, column in enumerate(self.pair_columns):  # filled in place: one copy at a time
            codes[i] = self._sketches[column].codes(encoded[column])
        return self._pair_layout().tables.counts(codes)

    def _to_state(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "n_rows": self.n_rows,
            "sketches": [self._sketches[c].to_state() for c in self.columns],
            "pair_columns": list(self.pair_columns),
            "correlation": self._correlation,
            "pair_counts": self._pair_counts,
        }

    @classmethod
    def _from_state(cls, state: dict[str, Any]) -> ReferenceProfile:
        sketches = [_SKETCHES[s["metric"]].from_state(s) for s in state["sketches"]]
        return cls(
            list(state["columns"]),
            int(state["n_rows"]),
            sketches,
            list(state["pair_columns"]),
            np.asarray(state["correlation"], dtype=np.float64),
            np.asarray(state["pair_counts"], dtype=np.int64),
        )
