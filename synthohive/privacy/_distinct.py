"""The distinct values of a column as text, computed once and shared by every privacy step.

Detection, the copy rule (PRIV-03), the values fakes must avoid and the replacement itself
all look at a column's distinct values as text; :func:`distinct` gives them in one pass (one
``pandas.factorize``), so no step repeats ``astype(str)``, ``dropna`` or ``unique`` over
the same column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Distinct", "distinct"]


@dataclass(frozen=True)
class Distinct:
    """A column's distinct non-null values as text, and which one each row holds.

    Attributes
    ----------
    codes : ndarray of int64
        Per row, the position of its value in ``values``; ``-1`` for a null.
    values : ndarray of str (object dtype)
        The distinct values as text (``astype(str)``), in order of first appearance.
    """

    codes: np.ndarray
    values: np.ndarray

    @property
    def counts(self) -> np.ndarray:
        """Rows holding each value of ``values``."""
        return np.bincount(self.codes[self.codes >= 0], minlength=len(self.values))

    @property
    def n_present(self) -> int:
        """Non-null rows."""
        return int((self.codes >= 0).sum())

    def first_rows(self) -> np.ndarray:
        """Row position where each value of ``values`` first appears."""
        present = np.flatnonzero(self.codes >= 0)
        _, first = np.unique(self.codes[present], return_index=True)
        return present[first]


def distinct(values: pd.Series) -> Distinct:
    """Return the distinct non-null values of a column as text, with each row's code.

    Parameters
    ----------
    values : Series
        The column, of any dtype.

    Returns
    -------
    Distinct
        Values that differ but read the same as text (``1`` and ``"1"``) are one value.

    Examples
    --------
    >>> import pandas as pd
    >>> found = distinct(pd.Series(["b", None, "a", "b"]))
    >>> found.codes.tolist(), found.values.tolist()
    ([0, -1, 1, 0], ['b', 'a'])
    """
    codes, uniques = pd.factorize(values)
    text = np.asarray(uniques, dtype=object)
    if pd.api.types.infer_dtype(text, skipna=False) not in ("string", "empty"):
        text = pd.Series(uniques).astype(str).to_numpy(dtype=object)
        merged, text = pd.factorize(text)
        text = np.asarray(text, dtype=object)
        codes = np.where(codes >= 0, merged[np.maximum(codes, 0)], -1)
    return Distinct(codes=np.asarray(codes, dtype=np.int64), values=text)
