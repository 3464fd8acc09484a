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

from synthohive.exceptions import DataValidationError
from synthohive.metrics._column import (
    check_columns,
    column_metric,
)
from synthohive.metrics._pair_tables import PairTables
from synthohive.metrics._pairs import correlation_from_matrix
from synthohive.metrics._sketch import SKETCHES, CategorySketch, NumericSketch
from synthohive.persistence import register_persistable

__all__ = ["ReferenceProfile"]

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
                sketches.append(NumericSketch.fit(series, max_atoms, pair_bins, name))
            else:
                sketches.append(CategorySketch.fit(series, max_categories, pair_categories))
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
        sketches = [SKETCHES[s["metric"]].from_state(s) for s in state["sketches"]]
        return cls(
            list(state["columns"]),
            int(state["n_rows"]),
            sketches,
            list(state["pair_columns"]),
            np.asarray(state["correlation"], dtype=np.float64),
            np.asarray(state["pair_counts"], dtype=np.int64),
        )
