"""Encoding parent columns for conditional cardinality estimators.

A :class:`ColumnCoder` learns one parent column: numeric and datetime columns with more than
``n_bins`` distinct values are *continuous* (quantile bins, or a standardised value), others
are *discrete* (categories compared as strings). Nulls get their own code / indicator and
values unseen at fit get a code no group was fitted on, so estimators fall back for them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _as_float(values: pd.Series) -> np.ndarray:
    """Numeric or datetime values as float64 (NaN for nulls)."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = values.to_numpy(dtype="datetime64[ns]")
        out = stamps.astype(np.int64).astype(np.float64)
        out[np.isnat(stamps)] = np.nan
        return out
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _as_text(values: pd.Series) -> np.ndarray:
    return values.astype(str).to_numpy(dtype=str)


class ColumnCoder:
    """One parent column, encoded as integer codes or a numeric design block.

    Parameters
    ----------
    column : str
        Column name.
    kind : {"continuous", "discrete"}
        How the column is encoded.
    edges : ndarray of float64
        Inner quantile edges (continuous).
    categories : ndarray of str
        Categories seen at fit (discrete), most frequent first.
    mean, scale : float
        Standardisation of continuous values.
    has_nulls : bool
        Whether nulls were seen at fit.
    """

    def __init__(self, column: str, kind: str, edges: np.ndarray, categories: np.ndarray,
                 mean: float, scale: float, has_nulls: bool) -> None:
        self.column = column
        self.kind = kind
        self.edges = edges
        self.categories = categories
        self.mean = mean
        self.scale = scale
        self.has_nulls = has_nulls

    @classmethod
    def learn(cls, column: str, values: pd.Series, n_bins: int) -> ColumnCoder:
        """Learn the encoding of ``values``.

        Parameters
        ----------
        column : str
            Column name.
        values : Series
            The column at fit.
        n_bins : int
            Number of quantile bins of continuous columns.

        Returns
        -------
        ColumnCoder
            The coder.
        """
        nulls = values.isna()
        numeric = (pd.api.types.is_numeric_dtype(values.dtype)
                   and not pd.api.types.is_bool_dtype(values.dtype)) \
            or pd.api.types.is_datetime64_any_dtype(values.dtype)
        if numeric and values[~nulls].nunique() > n_bins:
            finite = _as_float(values)
            finite = finite[np.isfinite(finite)]
            edges = np.unique(np.quantile(finite, np.linspace(0, 1, n_bins + 1)[1:-1]))
            scale = float(finite.std()) or 1.0
            return cls(column, "continuous", edges, np.zeros(0, dtype=str),
                       float(finite.mean()), scale, bool(nulls.any()))
        present = values[~nulls]
        frequencies = pd.Series(_as_text(present)).value_counts(sort=True)
        return cls(column, "discrete", np.zeros(0), frequencies.index.to_numpy(dtype=str),
                   0.0, 1.0, bool(nulls.any()))

    @property
    def n_codes(self) -> int:
        """Number of distinct codes :meth:`codes` can return (nulls and unseen included)."""
        if self.kind == "continuous":
            return len(self.edges) + 2
        return len(self.categories) + 2

    def codes(self, values: pd.Series) -> np.ndarray:
        """Integer code of each value: its bin or category; nulls and unseen values last.

        Parameters
        ----------
        values : Series
            The column.

        Returns
        -------
        ndarray of int64
            Codes in ``[0, n_codes)``.
        """
        nulls = values.isna().to_numpy()
        if self.kind == "continuous":
            codes = np.searchsorted(self.edges, _as_float(values), side="right")
            return np.where(nulls, len(self.edges) + 1, codes).astype(np.int64)
        lookup = pd.Index(self.categories)
        codes = lookup.get_indexer(_as_text(values))
        codes = np.where(codes < 0, len(self.categories) + 1, codes)
        return np.where(nulls, len(self.categories), codes).astype(np.int64)

    def design(self, values: pd.Series, max_categories: int) -> np.ndarray:
        """Numeric design columns for a regression on this column.

        Continuous: the standardised value (nulls at 0) and, if nulls were seen, a null
        indicator. Discrete: one indicator per category except the most frequent (the
        baseline), for the ``max_categories`` most frequent categories, plus a null indicator.

        Parameters
        ----------
        values : Series
            The column.
        max_categories : int
            Most category indicators of a discrete column.

        Returns
        -------
        ndarray of float64 of shape (n_rows, n_design_columns)
            The design block.
        """
        nulls = values.isna().to_numpy()
        blocks: list[np.ndarray] = []
        if self.kind == "continuous":
            standard = (_as_float(values) - self.mean) / self.scale
            blocks.append(np.where(np.isfinite(standard), standard, 0.0))
        else:
            codes = self.codes(values)
            blocks.extend((codes == k).astype(np.float64)
                          for k in range(1, min(len(self.categories), max_categories + 1)))
        if self.has_nulls:
            blocks.append(nulls.astype(np.float64))
        if not blocks:
            return np.zeros((len(values), 0))
        return np.column_stack(blocks)

    def to_state(self) -> dict[str, Any]:
        """Return the coder as a state tree."""
        return {"column": self.column, "kind": self.kind, "edges": self.edges,
                "categories": self.categories, "mean": self.mean, "scale": self.scale,
                "has_nulls": self.has_nulls}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ColumnCoder:
        """Rebuild a coder from :meth:`to_state`."""
        return cls(state["column"], state["kind"], np.asarray(state["edges"], dtype=np.float64),
                   np.asarray(state["categories"]).astype(str), float(state["mean"]),
                   float(state["scale"]), bool(state["has_nulls"]))
