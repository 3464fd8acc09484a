"""Column metrics: KS, TVD and null-rate difference, and the rule choosing between them.

Every metric here is a *distance* in ``[0, 1]``: 0 means the real and synthetic columns have
the same distribution, 1 means they share nothing. Lower is better; the matching *score*
shown in reports is ``1 - distance``.

Which metric a column gets (:func:`column_metric`), decided once from the **real** column:

- ``"KS"`` (two-sample Kolmogorov–Smirnov statistic) for datetimes, floats and integers with
  more than :data:`DISCRETE_INT_THRESHOLD` distinct non-null values;
- ``"TVD"`` (total variation distance of category frequencies) for bools, categoricals,
  strings, objects and integers with at most :data:`DISCRETE_INT_THRESHOLD` distinct values
  (the same rule :class:`synthohive.DataTransformer` uses to one-hot encode a column).

KS and TVD compare the non-null values (as SDMetrics' ``KSComplement`` and ``TVComplement``
do, so column-shape scores agree with its Column Shapes); the null-rate difference reports how
far the shares of nulls differ, and the quality gate checks it too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.types import is_datetime64_any_dtype

from synthohive.exceptions import DataValidationError
from synthohive.schema._kinds import DISCRETE_INT_THRESHOLD, column_kind

__all__ = [
    "DISCRETE_INT_THRESHOLD",
    "column_distances",
    "column_metric",
    "ks_statistic",
    "null_rate_difference",
    "tvd",
]

"""Integer columns with at most this many distinct non-null values are compared with TVD."""

_DISTANCE_COLUMNS = ["column", "metric", "distance", "null_rate_difference"]


def column_metric(real: pd.Series) -> str:
    """Return the metric comparing ``real`` with its synthetic copy: ``"KS"`` or ``"TVD"``.

    Parameters
    ----------
    real : Series
        The real column.

    Returns
    -------
    str
        ``"KS"`` for datetimes, floats and integers with more than
        :data:`DISCRETE_INT_THRESHOLD` distinct non-null values; ``"TVD"`` otherwise.

    Examples
    --------
    >>> import pandas as pd
    >>> column_metric(pd.Series([1.5, 2.5])), column_metric(pd.Series(["a", "b"]))
    ('KS', 'TVD')
    """
    return "TVD" if column_kind(real) == "discrete" else "KS"


def ordered_values(series: pd.Series, name: str = "") -> np.ndarray:
    """Return the non-null values of a numeric or datetime column as a sortable array.

    Datetimes become ``int64`` nanoseconds since the epoch (time zones converted to UTC);
    numbers become ``float64``.

    Parameters
    ----------
    series : Series
        A numeric, bool or datetime column.
    name : str, optional
        Column name used in error messages.

    Returns
    -------
    ndarray
        1-D array of the non-null values, unsorted.

    Raises
    ------
    DataValidationError
        If the values are neither numbers nor datetimes.
    """
    present = series.dropna()
    if is_datetime64_any_dtype(present.dtype):
        if getattr(present.dtype, "tz", None) is not None:
            present = present.dt.tz_convert("UTC").dt.tz_localize(None)
        return present.astype("datetime64[ns]").to_numpy().view(np.int64)
    try:
        return present.to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataValidationError(
            f"Column {name!r} holds values that are neither numbers nor datetimes "
            f"({present.dtype}); compare it with tvd() or fix its dtype."
        ) from exc


def ks_from_cdf(values: np.ndarray, cdf: np.ndarray, synthetic_sorted: np.ndarray) -> float:
    """KS statistic between a stepwise CDF and a sorted sample.

    Parameters
    ----------
    values : ndarray
        Sorted points where the reference CDF steps (repeats allowed).
    cdf : ndarray
        Reference CDF just after each point of ``values`` (non-decreasing, ending at 1).
    synthetic_sorted : ndarray
        Sorted, non-null synthetic values.

    Returns
    -------
    float
        ``max_t |F_reference(t) - F_synthetic(t)|``; 1 when one side is empty, 0 when both are.
    """
    n_reference, n_synthetic = values.shape[0], synthetic_sorted.shape[0]
    if n_reference == 0 or n_synthetic == 0:
        return 0.0 if n_reference == n_synthetic else 1.0
    points = np.concatenate([values, synthetic_sorted])
    steps = np.concatenate([[0.0], cdf])
    cdf_reference = steps[np.searchsorted(values, points, side="right")]
    cdf_synthetic = np.searchsorted(synthetic_sorted, points, side="right") / n_synthetic
    return float(np.max(np.abs(cdf_reference - cdf_synthetic)))


def ks_statistic(real: pd.Series, synthetic: pd.Series) -> float:
    """Two-sample Kolmogorov–Smirnov statistic between two numeric or datetime columns.

    The largest absolute difference between the two empirical CDFs (the ``statistic`` of
    ``scipy.stats.ks_2samp``), computed exactly by sorting and ``searchsorted``. Nulls are
    dropped.

    Parameters
    ----------
    real, synthetic : Series
        Numeric, bool or datetime columns.

    Returns
    -------
    float
        Distance in ``[0, 1]``; 0 for identical distributions, lower is better. When one side
        has no non-null value it is 1 (0 when both have none).

    Raises
    ------
    DataValidationError
        If a column holds values that are neither numbers nor datetimes.

    Examples
    --------
    >>> import pandas as pd
    >>> ks_statistic(pd.Series([1.0, 2.0, 3.0, 4.0]), pd.Series([3.0, 4.0, 5.0, 6.0]))
    0.5
    """
    name = str(real.name)
    real_sorted = np.sort(ordered_values(real, name))
    cdf = np.arange(1, real_sorted.shape[0] + 1) / max(real_sorted.shape[0], 1)
    return ks_from_cdf(real_sorted, cdf, np.sort(ordered_values(synthetic, name)))


def tvd_from_frequencies(real: np.ndarray, synthetic: np.ndarray) -> float:
    """Total variation distance of two aligned count or frequency vectors."""
    total_real, total_synthetic = real.sum(), synthetic.sum()
    if total_real == 0 or total_synthetic == 0:
        return 0.0 if total_real == total_synthetic else 1.0
    return float(0.5 * np.abs(real / total_real - synthetic / total_synthetic).sum())


def category_codes(real: pd.Series, synthetic: pd.Series) -> tuple[np.ndarray, np.ndarray, int]:
    """Encode two columns with shared integer codes; null gets code 0.

    Returns
    -------
    tuple
        ``(real_codes, synthetic_codes, n_codes)``.
    """
    values = pd.concat([real.astype(object), synthetic.astype(object)], ignore_index=True)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    codes = codes + 1
    return codes[: len(real)], codes[len(real) :], len(uniques) + 1


def tvd(real: pd.Series, synthetic: pd.Series) -> float:
    """Total variation distance between the category frequencies of two columns.

    ``0.5 * sum(|p_real(c) - p_synthetic(c)|)`` over every non-null value ``c`` seen in either
    column, ``p`` being shares of the non-null values; nulls (``None``, ``NaN``, ``NaT``,
    ``pd.NA``) are left out (see :func:`null_rate_difference`).

    Parameters
    ----------
    real, synthetic : Series
        Columns of any dtype; values are compared by equality.

    Returns
    -------
    float
        Distance in ``[0, 1]``; 0 for identical frequencies, lower is better. When one side
        has no non-null value it is 1 (0 when both have none).

    Examples
    --------
    >>> import pandas as pd
    >>> tvd(pd.Series(["a", "a", "b", "b"]), pd.Series(["a", "b", "b", "b", None]))
    0.25
    """
    real_codes, synthetic_codes, n_codes = category_codes(real, synthetic)
    return tvd_from_frequencies(
        np.bincount(real_codes, minlength=n_codes)[1:],
        np.bincount(synthetic_codes, minlength=n_codes)[1:],
    )


def null_rate(series: pd.Series) -> float:
    """Share of null values in ``series`` (0 for an empty series)."""
    return float(series.isna().mean()) if len(series) else 0.0


def null_rate_difference(real: pd.Series, synthetic: pd.Series) -> float:
    """Absolute difference between the shares of null values of two columns.

    Parameters
    ----------
    real, synthetic : Series
        Columns of any dtype.

    Returns
    -------
    float
        Distance in ``[0, 1]``; lower is better.

    Examples
    --------
    >>> import pandas as pd
    >>> null_rate_difference(pd.Series([1.0, None]), pd.Series([1.0, 2.0, 3.0, None]))
    0.25
    """
    return abs(null_rate(real) - null_rate(synthetic))


def check_columns(real: pd.DataFrame, synthetic: pd.DataFrame, table: str | None = None) -> None:
    """Raise if ``synthetic`` lacks a column of ``real``."""
    missing = [str(c) for c in real.columns if c not in synthetic.columns]
    if missing:
        where = f" of table {table!r}" if table else ""
        raise DataValidationError(
            f"The synthetic data{where} lacks columns {missing} of the real data; compare "
            "tables with the same columns."
        )


def column_distances(real: pd.DataFrame, synthetic: pd.DataFrame) -> pd.DataFrame:
    """Compare every column of ``real`` with the same column of ``synthetic``.

    Parameters
    ----------
    real, synthetic : DataFrame
        Real and synthetic rows; ``synthetic`` must hold every column of ``real`` (extra
        columns are ignored).

    Returns
    -------
    DataFrame
        One row per column of ``real``, in order, with ``column`` (str), ``metric``
        (``"KS"`` or ``"TVD"``, see :func:`column_metric`), ``distance`` and
        ``null_rate_difference`` (both in ``[0, 1]``, lower is better).

    Raises
    ------
    DataValidationError
        If ``synthetic`` lacks a column of ``real`` or a KS column holds non-numeric values.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"x": [1.0, 2.0], "c": ["a", "b"]})
    >>> column_distances(real, real).distance.tolist()
    [0.0, 0.0]
    """
    check_columns(real, synthetic)
    rows = []
    for label in real.columns:
        real_column, synthetic_column = real[label], synthetic[label]
        metric = column_metric(real_column)
        compare = ks_statistic if metric == "KS" else tvd
        rows.append(
            (
                str(label),
                metric,
                compare(real_column, synthetic_column),
                null_rate_difference(real_column, synthetic_column),
            )
        )
    return pd.DataFrame(rows, columns=_DISTANCE_COLUMNS)
