"""One column of a :class:`~synthohive.TreeSynthesizer` as numbers, and back with its dtype.

A column is *discrete* (text, bool, ``category``, or an integer with few distinct values)
or *continuous* (other numbers and datetimes), by the same rule as the Gaussian copula's
marginals. As a tree *feature* a discrete value is its category's code (a missing value
the code after the last category, an unseen one ``-1``) and a continuous value is its
number (datetimes count their coarsest whole unit), a missing number a sentinel below the
training range so that one split separates them.

As a tree *target* every column is a code: a discrete column's category (missing: the code
after the last one); for a continuous column, each *atom* (a value held by at least
``min_atom_rows`` training rows, such as a price of 0.99 or a discount of 0) has its own
code, every other value the code ``n_atoms`` (drawn from a histogram) and a missing value
``n_atoms + 1``. Atoms come back exactly, so a column that is mostly a few repeated values
with some spread keeps both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synthohive.exceptions import DataValidationError
from synthohive.schema._kinds import decide_kind
from synthohive.transform import _datetime, _dtypes
from synthohive.transform._column import as_numbers, as_values
from synthohive.transform._continuous import learn_decimals
from synthohive.transform._discrete import CategoryEncoder
from synthohive.transform._dtypes import DtypeSpec

MAX_KNOTS = 1025
"""Most knots of a continuous column's quantile scale."""


@dataclass
class ColumnCoder:
    """Fitted numeric coding of one column.

    Attributes
    ----------
    name : str
        The column.
    spec : DtypeSpec
        Its dtype, restored exactly on decoding.
    encoder : CategoryEncoder or None
        Categories of a discrete column.
    null_fill : float
        Feature value of a missing number (below the training range); unused when discrete.
    datetime_factor : int
        Unit every datetime value was a whole multiple of.
    decimals : int or None
        Decimal places of a float column, applied on decoding.
    atoms : ndarray of float64
        Ascending values of a continuous column held by at least ``min_atom_rows``
        training rows (empty when discrete).
    origin : float
        Smallest training number of a continuous column (0 when discrete): tree features
        count from it (see :meth:`feature`).
    knots : ndarray of float64
        Equal-mass quantiles of the continuous values that are not atoms (at least
        ``min_atom_rows`` values apart, at most ``MAX_KNOTS``; the outer two are their
        range): the column's *quantile scale* (see :meth:`to_quantile`). Empty when
        discrete or when every value is an atom.
    """

    name: str
    spec: DtypeSpec
    encoder: CategoryEncoder | None = None
    null_fill: float = 0.0
    datetime_factor: int = 1
    decimals: int | None = None
    atoms: np.ndarray = field(default_factory=lambda: np.zeros(0))
    origin: float = 0.0
    knots: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @classmethod
    def fit(cls, series: pd.Series, name: str, discrete_int_threshold: int,
            min_atom_rows: int, role: str | None = None) -> ColumnCoder:
        """Learn the coding of ``series``.

        Parameters
        ----------
        series : Series
            The column.
        name : str
            Its name.
        discrete_int_threshold : int
            Integer columns with at most this many distinct values are discrete.
        min_atom_rows : int
            Fewest training rows holding a continuous value for it to be an atom.
        role : str, optional
            Declared role (``"categorical"``, ``"numeric"`` or ``"datetime"``), which decides
            the kind (see :func:`synthohive.schema._kinds.decide_kind`).

        Returns
        -------
        ColumnCoder
            The fitted coding.

        Raises
        ------
        DataValidationError
            For an all-null column, infinite values or an unsupported dtype.
        """
        spec, values, null_mask, present = _dtypes.observed(series, name)
        kind = np.dtype(spec.value_dtype).kind
        decided = decide_kind(
            is_text=spec.family in ("category", "string", "object"), is_bool=kind == "b",
            is_integer=kind in "iu", is_datetime=spec.is_datetime,
            n_distinct=pd.unique(present).shape[0] if kind in "iu" else 0, role=role,
            discrete_int_threshold=discrete_int_threshold, column=name)
        if decided == "discrete":
            order = spec.categories if spec.family == "category" else None
            return cls(name, spec, encoder=CategoryEncoder.fit(present, order=order))
        factor = _datetime.coarsest_unit(present) if spec.is_datetime else 1
        numbers = as_numbers(present, spec, name, factor)
        low, high = float(numbers.min()), float(numbers.max())
        decimals = learn_decimals(present) if kind == "f" else None
        values, counts = np.unique(numbers, return_counts=True)
        atoms = values[counts >= min_atom_rows]
        spread = numbers[~np.isin(numbers, atoms)]
        n_knots = int(np.clip(spread.shape[0] // max(min_atom_rows, 1) + 1, 2, MAX_KNOTS))
        knots = (np.quantile(spread, np.linspace(0.0, 1.0, n_knots)) if spread.shape[0]
                 else np.zeros(0))
        return cls(name, spec, null_fill=low - (high - low) - 1.0, datetime_factor=factor,
                   decimals=decimals, atoms=atoms, origin=low, knots=knots)

    @property
    def is_discrete(self) -> bool:
        """Whether the column is coded by category."""
        return self.encoder is not None

    @property
    def null_code(self) -> int:
        """Target code of a missing value (the last code)."""
        return self.encoder.n_categories if self.encoder is not None else len(self.atoms) + 1

    @property
    def spread_code(self) -> int:
        """Target code of a continuous value that is not an atom (-1 when discrete)."""
        return -1 if self.encoder is not None else len(self.atoms)

    def target_codes(self, numbers: np.ndarray, null_mask: np.ndarray) -> np.ndarray:
        """Return the target code of every value coded by :meth:`encode`."""
        if self.encoder is not None:
            return numbers.astype(np.int64)
        position = np.minimum(np.searchsorted(self.atoms, numbers), max(len(self.atoms) - 1, 0))
        is_atom = (self.atoms[position] == numbers) if len(self.atoms) else np.zeros(
            len(numbers), dtype=bool)
        codes = np.where(is_atom, position, self.spread_code)
        return np.where(null_mask, self.null_code, codes)

    def encode(self, series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(numbers, null_mask)`` of the column.

        Parameters
        ----------
        series : Series
            The column, with the fitted dtype.

        Returns
        -------
        numbers : ndarray of float64
            Category codes (missing: :attr:`null_code`, unseen: ``-1``) or numbers
            (missing: :attr:`null_fill`).
        null_mask : ndarray of bool
            Where the column is missing.

        Raises
        ------
        DataValidationError
            If a continuous column now holds text or infinite values.
        """
        spec = _dtypes.describe(series, self.name)
        values, null_mask = _dtypes.extract(series, spec)
        if self.encoder is not None:
            codes = self.encoder.encode(values).astype(np.float64)
            codes[null_mask] = self.null_code
            return codes, null_mask
        if spec.is_text or spec.is_datetime != self.spec.is_datetime:
            raise DataValidationError(
                f"Column {self.name!r} was {self.spec.name} during fit but is {spec.name} now; "
                "pass it with its fitted dtype."
            )
        numbers = np.full(values.shape[0], self.null_fill)
        present = values[~null_mask]
        if self.spec.is_datetime:
            present = present.astype(self.spec.value_dtype)
        numbers[~null_mask] = as_numbers(present, self.spec, self.name, self.datetime_factor)
        return numbers, null_mask

    def feature(self, numbers: np.ndarray) -> np.ndarray:
        """Return coded values as tree features (float32, as scikit-learn's trees use).

        Continuous numbers count from :attr:`origin`: float32 keeps 24 bits, so a datetime
        in seconds since 1970 (about 1.1e9) would be rounded to 128 s and the two
        ``create_date`` seconds of sakila's customers would be one value; counted from the
        training minimum they stay apart over any span below 194 days (and to 2 s over
        eight months).

        Parameters
        ----------
        numbers : ndarray of float64
            Codes or numbers from :meth:`encode`, or drawn.

        Returns
        -------
        ndarray of float32
        """
        return (numbers - self.origin).astype(np.float32)

    def to_quantile(self, numbers: np.ndarray) -> np.ndarray:
        """Return numbers on the column's quantile scale: 0 at the first knot, 1 at the last.

        Leaf histograms are drawn uniformly on this scale, so a bin spanning a skewed
        range (a leaf of 17 freight charges from 0.45 to 890) keeps the column's shape
        inside it instead of spreading its draws evenly over the range.

        Parameters
        ----------
        numbers : ndarray of float64

        Returns
        -------
        ndarray of float64
        """
        if self.knots.shape[0] == 0:  # every value is an atom: nothing is drawn in bins
            return numbers
        return np.interp(numbers, self.knots, np.linspace(0.0, 1.0, self.knots.shape[0]))

    def from_quantile(self, quantiles: np.ndarray) -> np.ndarray:
        """Return the numbers at ``quantiles`` of the column's scale (see :meth:`to_quantile`).

        Parameters
        ----------
        quantiles : ndarray of float64

        Returns
        -------
        ndarray of float64
        """
        if self.knots.shape[0] == 0:
            return quantiles
        return np.interp(quantiles, np.linspace(0.0, 1.0, self.knots.shape[0]), self.knots)

    def decode(self, numbers: np.ndarray, null_mask: np.ndarray) -> Any:
        """Return the column's values, with its exact dtype, from codes or numbers.

        Parameters
        ----------
        numbers : ndarray
            Category codes (:attr:`null_code` where missing) or generated numbers.
        null_mask : ndarray of bool
            Where the column is missing.

        Returns
        -------
        array-like
            The column, rounded like the training values (datetime unit, integers,
            decimals).
        """
        if self.encoder is not None:
            codes = np.where(null_mask, 0, numbers).astype(np.int64)
            values = self.encoder.decode(codes)
        else:
            values = as_values(np.where(null_mask, 0.0, numbers), self.spec,
                               self.datetime_factor, self.decimals)
        return _dtypes.restore(values, null_mask, self.spec)

    def to_state(self) -> dict[str, Any]:
        """Return the coding as plain values and arrays."""
        return {
            "name": self.name,
            "spec": self.spec.to_state(),
            "encoder": None if self.encoder is None else self.encoder.to_state(),
            "null_fill": self.null_fill,
            "datetime_factor": self.datetime_factor,
            "decimals": self.decimals,
            "atoms": self.atoms,
            "origin": self.origin,
            "knots": self.knots,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ColumnCoder:
        """Rebuild a coding from :meth:`to_state`."""
        encoder = state["encoder"]
        return cls(
            name=str(state["name"]),
            spec=DtypeSpec.from_state(state["spec"]),
            encoder=None if encoder is None else CategoryEncoder.from_state(encoder),
            null_fill=float(state["null_fill"]),
            datetime_factor=int(state["datetime_factor"]),
            decimals=None if state["decimals"] is None else int(state["decimals"]),
            atoms=np.asarray(state["atoms"], dtype=np.float64),
            origin=float(state["origin"]),
            knots=np.asarray(state["knots"], dtype=np.float64),
        )
