"""The marginal of one column of a Gaussian copula: values to uniforms and back.

A column is *discrete* (text, bool, ``category``, or an integer with few distinct values)
or *continuous* (other numbers and datetimes). Both map a value to an interval of
``(0, 1)`` through the column's training distribution, and a uniform ``u`` back to a value:

* discrete: each category owns an interval as wide as its training share, and ``u`` maps
  back to the category whose interval holds it, so category shares are reproduced;
* continuous: a value maps to its position among at most ``MAX_KNOTS`` quantiles of the
  training values (an interval for tied values); ``u`` maps back by linear interpolation
  between those quantiles (mirrored inside the outer two), so generated numbers follow the
  training distribution without being copies of training values, not even of its minimum
  and maximum, and never leave its range.

A column with missing values adds one more copula dimension, its *null indicator*, and a
missing value's own dimension spans all of ``(0, 1)``, so the copula learns where nulls fall
together with the other columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synthohive.schema._kinds import decide_kind
from synthohive.transform import _datetime, _dtypes
from synthohive.transform._column import as_numbers, as_values
from synthohive.transform._continuous import learn_decimals
from synthohive.transform._discrete import CategoryEncoder
from synthohive.transform._dtypes import DtypeSpec, from_storable, to_storable

MAX_KNOTS = 2000


@dataclass
class Marginal:
    """Fitted marginal distribution of one column.

    Attributes
    ----------
    name : str
        The column.
    spec : DtypeSpec
        Its dtype, restored exactly on decoding.
    null_rate : float
        Share of missing values in training (a null-indicator dimension when positive).
    encoder : CategoryEncoder or None
        Categories and shares of a discrete column, in interval order.
    knots : ndarray or None
        Sorted training values (or their ``MAX_KNOTS`` evenly spaced quantiles) of a
        continuous column, as floats.
    datetime_factor : int
        Unit every datetime value was a whole multiple of.
    decimals : int or None
        Decimal places of a float column, applied on decoding.
    """

    name: str
    spec: DtypeSpec
    null_rate: float
    encoder: CategoryEncoder | None = None
    knots: np.ndarray | None = None
    datetime_factor: int = 1
    decimals: int | None = None

    @classmethod
    def fit(cls, series: pd.Series, name: str, discrete_int_threshold: int,
            role: str | None = None) -> Marginal:
        """Learn the marginal of ``series``.

        Parameters
        ----------
        series : Series
            The column.
        name : str
            Its name.
        discrete_int_threshold : int
            Integer columns with at most this many distinct values are discrete.
        role : {"categorical", "numeric", "datetime"} or None
            Declared role (see :mod:`synthohive.schema._kinds`); None decides from the data.

        Returns
        -------
        Marginal
            The fitted marginal.

        Raises
        ------
        DataValidationError
            For an all-null column or infinite values.
        """
        spec, values, null_mask, present = _dtypes.observed(series, name)
        null_rate = float(null_mask.mean())
        kind = np.dtype(spec.value_dtype).kind
        if decide_kind(is_text=spec.family in ("category", "string", "object"),
                       is_bool=kind == "b", is_integer=kind in "iu",
                       is_datetime=spec.is_datetime,
                       n_distinct=pd.unique(present).shape[0] if kind in "iu" else 0,
                       role=role, discrete_int_threshold=discrete_int_threshold,
                       column=name) == "discrete":
            order = spec.categories if spec.family == "category" else None
            return cls(name, spec, null_rate, encoder=CategoryEncoder.fit(present, order=order))
        factor = _datetime.coarsest_unit(present) if spec.is_datetime else 1
        numbers = np.sort(as_numbers(present, spec, name, factor))
        if numbers.shape[0] > MAX_KNOTS:
            positions = (np.arange(MAX_KNOTS) + 0.5) / MAX_KNOTS * numbers.shape[0] - 0.5
            numbers = np.interp(positions, np.arange(numbers.shape[0]), numbers)
        decimals = learn_decimals(present) if kind == "f" else None
        return cls(name, spec, null_rate, knots=numbers, datetime_factor=factor,
                   decimals=decimals)

    @property
    def width(self) -> int:
        """Number of copula dimensions: the value, plus the null indicator if any."""
        return 2 if self.null_rate > 0 else 1

    def bounds(self, series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """Return the interval of ``(0, 1)`` each value maps to, per copula dimension.

        Parameters
        ----------
        series : Series
            Values with the fitted dtype; unseen categories map to the middle of ``(0, 1)``
            and numbers outside the training range to the span of its first or last rank.

        Returns
        -------
        low, high : ndarray of shape (n, width)
            Interval ends within ``[0, 1]``: a category's share, the span of tied numbers
            (a point for a number between two training values), and for the null indicator
            ``[0, null_rate)`` for nulls, ``[null_rate, 1)`` otherwise. A missing value's
            value dimension spans all of ``(0, 1)``.
        """
        spec = _dtypes.describe(series, self.name)
        values, null_mask = _dtypes.extract(series, spec)
        n = values.shape[0]
        low, high = np.zeros(n), np.ones(n)
        present = ~null_mask
        if self.encoder is not None:
            codes = self.encoder.encode(values[present])
            edges = self._edges()
            known = codes >= 0
            low[present] = np.where(known, edges[codes], 0.5)
            high[present] = np.where(known, edges[codes + 1], 0.5)
        else:
            numbers = as_numbers(values[present], self.spec, self.name, self.datetime_factor)
            size = self.knots.shape[0]
            # Numbers beyond the training range take the first or last rank's span.
            low[present] = np.minimum(np.searchsorted(self.knots, numbers, side="left") / size,
                                      1.0 - 1.0 / size)
            high[present] = np.maximum(np.searchsorted(self.knots, numbers, side="right") / size,
                                       1.0 / size)
        if self.null_rate == 0:
            return low[:, None], high[:, None]
        null_low = np.where(null_mask, 0.0, self.null_rate)
        null_high = np.where(null_mask, self.null_rate, 1.0)
        return np.column_stack([low, null_low]), np.column_stack([high, null_high])

    def from_uniform(self, uniforms: np.ndarray) -> Any:
        """Map uniforms (``width`` columns) back to the column, with its exact dtype.

        Parameters
        ----------
        uniforms : ndarray of shape (n, width)
            Uniforms in ``(0, 1)``.

        Returns
        -------
        array-like
            The column's values.
        """
        u = uniforms[:, 0]
        if self.encoder is not None:
            codes = np.searchsorted(self._edges()[1:-1], u, side="right")
            values = self.encoder.decode(codes)
        else:
            values = as_values(np.interp(self._positions(u), np.arange(self.knots.shape[0]),
                                         self.knots),
                               self.spec, self.datetime_factor, self.decimals)
        null_mask = (uniforms[:, 1] < self.null_rate if self.null_rate > 0
                     else np.zeros(u.shape[0], dtype=bool))
        return _dtypes.restore(values, null_mask, self.spec)

    def _positions(self, uniforms: np.ndarray) -> np.ndarray:
        """Fractional knot positions of uniforms, reflected inside the outer two knots.

        Knot ``i`` is the middle of the uniforms ``[i / size, (i + 1) / size)``; a uniform in
        the outer half-steps would land beyond the first or last knot and is mirrored back
        between it and its neighbour rather than clipped onto it, so the training minimum
        and maximum (the most identifying values: the oldest birth date, the largest salary)
        are never emitted as they are.
        """
        last = self.knots.shape[0] - 1
        positions = np.abs(uniforms * (last + 1) - 0.5)
        return last - np.abs(last - positions)

    def _edges(self) -> np.ndarray:
        """Interval edges of the categories: ``0``, cumulative shares, ``1``."""
        edges = np.concatenate([[0.0], np.cumsum(self.encoder.frequencies)])
        edges[-1] = 1.0
        return edges

    def to_state(self) -> dict[str, Any]:
        """Return the marginal as plain values and arrays."""
        return {
            "name": self.name,
            "spec": self.spec.to_state(),
            "null_rate": self.null_rate,
            "encoder": None if self.encoder is None else self.encoder.to_state(),
            "knots": None if self.knots is None else to_storable(self.knots),
            "datetime_factor": self.datetime_factor,
            "decimals": self.decimals,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Marginal:
        """Rebuild a marginal from :meth:`to_state`."""
        encoder, knots = state["encoder"], state["knots"]
        return cls(
            name=str(state["name"]),
            spec=DtypeSpec.from_state(state["spec"]),
            null_rate=float(state["null_rate"]),
            encoder=None if encoder is None else CategoryEncoder.from_state(encoder),
            knots=None if knots is None else np.asarray(from_storable(knots), dtype=np.float64),
            datetime_factor=int(state["datetime_factor"]),
            decimals=None if state["decimals"] is None else int(state["decimals"]),
        )
