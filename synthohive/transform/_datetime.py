"""Naive datetimes as exact numbers.

A ``datetime64`` column is encoded as an integer count of the coarsest unit (day, hour,
minute, second, millisecond, microsecond or the column's own unit) in which every training
value is whole, so that the count stays small enough for float64 to hold it exactly, and
decoded by rounding back to that unit: hourly stamps stay on the hour.
"""

from __future__ import annotations

import numpy as np

_UNITS = ("D", "h", "m", "s", "ms", "us", "ns")


def coarsest_unit(values: np.ndarray) -> int:
    """Return how many ticks of the values' own unit make the coarsest whole unit.

    Parameters
    ----------
    values : ndarray of datetime64
        Non-null values.

    Returns
    -------
    int
        The unit's length in ticks of ``values.dtype`` (1 for the dtype's own unit).
    """
    base, _ = np.datetime_data(values.dtype)
    ticks = values.view(np.int64)
    for unit in _UNITS[: _UNITS.index(base) if base in _UNITS else 0]:
        factor = int(np.timedelta64(1, unit) // np.timedelta64(1, base))
        if not np.any(ticks % factor):
            return factor
    return 1


def to_numbers(values: np.ndarray, factor: int) -> np.ndarray:
    """Return datetime64 ``values`` as float64 counts of ``factor`` ticks."""
    return (values.view(np.int64) // factor).astype(np.float64)


def from_numbers(numbers: np.ndarray, factor: int, dtype: str) -> np.ndarray:
    """Return float counts of ``factor`` ticks as ``datetime64`` of ``dtype``, rounded."""
    bound = np.iinfo(np.int64).max // factor
    ticks = np.clip(np.rint(numbers), -bound, bound).astype(np.int64) * factor
    return ticks.view(dtype)
