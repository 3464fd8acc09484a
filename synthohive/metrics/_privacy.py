"""Privacy metrics: how much of the real data a synthetic table gives away.

Four statistics, each vectorised and bounded in cost:

:func:`exact_copy_share`
    Share of synthetic rows equal to some real row on all compared columns (row hashes;
    a null equals a null). 0 is ideal; a model that memorises its training rows scores 1.
:func:`dcr_share`
    Distance to closest record against a holdout: the share of synthetic rows closer to a
    *training* row than to a *holdout* row (ties count half). Training rows are subsampled
    to the holdout's size, so a model that learned the population, not its sample, scores
    about 0.5; one that copies its training rows scores 1.
:func:`nn_distance_ratio`
    Median over synthetic rows of the distance to the nearest real row divided by the
    distance to the second nearest (0 when the row sits on one real row, near 1 when it is
    as far from its nearest real row as from the next one).
:func:`pii_reuse`
    Number of distinct real values of personal columns that appear in any text cell of the
    synthetic output (must be 0).

Distances (:func:`dcr_share`, :func:`nn_distance_ratio`) are Euclidean on a mixed-type
encoding: numbers and datetimes are centred on their median and divided by their robust
range (the 5 %–95 % quantile span of all rows compared, falling back to the full range, then
to 1), with a null indicator of weight 1; categories, booleans and text are one-hot encoded
with weight ``1/sqrt(2)``, so two rows differing only in one category are at distance 1,
like two rows one robust range apart on one number. Nearest neighbours come from
:class:`sklearn.neighbors.NearestNeighbors` (brute force on a sparse matrix); row counts are
capped by ``max_rows`` (uniform subsample drawn from ``random_state``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype
from scipy import sparse
from sklearn.neighbors import NearestNeighbors

from synthohive.exceptions import DataValidationError

__all__ = ["dcr_share", "exact_copy_share", "nn_distance_ratio", "pii_reuse"]

DEFAULT_MAX_ROWS = 5000
"""Default cap on the rows of each frame compared by the distance-based metrics."""

_NULL_TOKEN = "\x00<null>"
_CATEGORY_WEIGHT = 1.0 / np.sqrt(2.0)


def exact_copy_share(
    real: pd.DataFrame, synthetic: pd.DataFrame, columns: Sequence[str] | None = None
) -> float:
    """Return the share of synthetic rows equal to some real row on all ``columns``.

    Parameters
    ----------
    real : DataFrame
        The real (training) rows.
    synthetic : DataFrame
        The synthetic rows.
    columns : sequence of str, optional
        Columns compared; default: every column the two frames share. Leave keys out
        (they are unique by construction, so no row would ever match).

    Returns
    -------
    float
        In ``[0, 1]``; 0.0 when ``synthetic`` has no rows.

    Raises
    ------
    DataValidationError
        If a requested column is missing from either frame, or no column is shared.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"a": [1, 2], "b": ["x", None]})
    >>> exact_copy_share(real, pd.DataFrame({"a": [2, 3], "b": [None, "x"]}))
    0.5
    """
    names = _columns(columns, real, synthetic)
    if len(synthetic) == 0:
        return 0.0
    real_hashes = _row_hashes(real, synthetic, names, side=0)
    synthetic_hashes = _row_hashes(real, synthetic, names, side=1)
    return float(np.isin(synthetic_hashes, real_hashes).mean())


def dcr_share(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    columns: Sequence[str] | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    random_state: int | None = 0,
) -> float:
    """Return the share of synthetic rows closer to a training row than to a holdout row.

    Training rows are subsampled to as many rows as the holdout (both capped at
    ``max_rows``), so the ideal value is 0.5: synthetic rows are no closer to the rows the
    model saw than to real rows it never saw. Ties count half.

    Parameters
    ----------
    train : DataFrame
        Real rows the model was fitted on.
    holdout : DataFrame
        Real rows from the same population the model never saw.
    synthetic : DataFrame
        The synthetic rows.
    columns : sequence of str, optional
        Columns compared; default: every column the three frames share. Leave keys out.
    max_rows : int, default=5000
        Cap on the rows of each frame (uniform subsample).
    random_state : int or None, default=0
        Seed of the subsampling.

    Returns
    -------
    float
        In ``[0, 1]``; ``nan`` when a frame has no rows.

    Raises
    ------
    DataValidationError
        If a requested column is missing, or no column is shared.

    Examples
    --------
    >>> import pandas as pd
    >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    >>> holdout = pd.DataFrame({"x": [10.0, 11.0, 12.0, 13.0]})
    >>> dcr_share(train, holdout, train.copy())
    1.0
    """
    names = _columns(columns, train, holdout, synthetic)
    if min(len(train), len(holdout), len(synthetic)) == 0:
        return float("nan")
    rng = np.random.default_rng(random_state)
    n_reference = min(len(train), len(holdout), max_rows)
    train = _subsample(train[names], n_reference, rng)
    holdout = _subsample(holdout[names], n_reference, rng)
    synthetic = _subsample(synthetic[names], max_rows, rng)
    train_x, holdout_x, synthetic_x = _encode([train, holdout, synthetic], names)
    to_train = _nearest(train_x, synthetic_x, 1)[:, 0]
    to_holdout = _nearest(holdout_x, synthetic_x, 1)[:, 0]
    ties = np.isclose(to_train, to_holdout, rtol=0.0, atol=1e-9)
    closer = (to_train < to_holdout) & ~ties
    return float(np.mean(closer + 0.5 * ties))


def nn_distance_ratio(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    columns: Sequence[str] | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    random_state: int | None = 0,
) -> float:
    """Return the median nearest / second-nearest real-row distance ratio of synthetic rows.

    A synthetic row on top of one real row (a copy, or a near copy) has ratio 0; a row as
    far from its nearest real row as from the next has ratio 1. Higher is more private;
    the value of a second real sample from the same population is the natural yardstick.
    When both distances are 0 (the row equals two identical real rows) the ratio is 0.

    Parameters
    ----------
    real : DataFrame
        The real (training) rows; at least two.
    synthetic : DataFrame
        The synthetic rows.
    columns : sequence of str, optional
        Columns compared; default: every column the two frames share. Leave keys out.
    max_rows : int, default=5000
        Cap on the rows of each frame (uniform subsample).
    random_state : int or None, default=0
        Seed of the subsampling.

    Returns
    -------
    float
        In ``[0, 1]``; ``nan`` when ``synthetic`` is empty or ``real`` has fewer than 2 rows.

    Raises
    ------
    DataValidationError
        If a requested column is missing, or no column is shared.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"x": [0.0, 1.0, 5.0]})
    >>> nn_distance_ratio(real, pd.DataFrame({"x": [0.0]}))
    0.0
    """
    names = _columns(columns, real, synthetic)
    if len(real) < 2 or len(synthetic) == 0:
        return float("nan")
    rng = np.random.default_rng(random_state)
    real = _subsample(real[names], max_rows, rng)
    synthetic = _subsample(synthetic[names], max_rows, rng)
    real_x, synthetic_x = _encode([real, synthetic], names)
    distances = _nearest(real_x, synthetic_x, 2)
    nearest, second = distances[:, 0], distances[:, 1]
    ratio = np.divide(nearest, second, out=np.zeros_like(nearest), where=second > 0)
    return float(np.median(ratio))


def pii_reuse(
    real: pd.DataFrame,
    synthetic: pd.DataFrame | Mapping[str, pd.DataFrame],
    columns: Sequence[str],
) -> int:
    """Count the distinct real values of ``columns`` found anywhere in the synthetic output.

    A value counts when it equals a whole cell (compared as text) of any text column
    (object, string or category dtype) of the synthetic output, or of a synthetic column
    with the same name as one of ``columns`` whatever its dtype. Nulls never count.

    Parameters
    ----------
    real : DataFrame
        The real rows.
    synthetic : DataFrame or mapping of str to DataFrame
        The synthetic table, or every synthetic table of a dataset (all are searched).
    columns : sequence of str
        The personal (PII) columns of ``real``.

    Returns
    -------
    int
        0 means no real value of those columns was republished.

    Raises
    ------
    DataValidationError
        If a column of ``columns`` is not in ``real``.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"email": ["ann@x.org", "bo@y.net"]})
    >>> pii_reuse(real, pd.DataFrame({"contact": ["bo@y.net", "new@z.com"]}), ["email"])
    1
    """
    missing = [c for c in columns if c not in real.columns]
    if missing:
        raise DataValidationError(
            f"pii_reuse: columns {missing} are not in the real table; pass existing columns."
        )
    if not columns:
        return 0
    real_values = pd.unique(np.concatenate([_as_text(real[c]) for c in columns]))
    frames = [synthetic] if isinstance(synthetic, pd.DataFrame) else list(synthetic.values())
    searched = [
        _as_text(frame[c])
        for frame in frames
        for c in frame.columns
        if c in columns or not (is_numeric_dtype(frame[c]) or is_datetime64_any_dtype(frame[c]))
    ]
    if not searched or len(real_values) == 0:
        return 0
    return int(pd.Series(real_values).isin(pd.Index(np.concatenate(searched))).sum())


def _columns(columns: Sequence[str] | None, *frames: pd.DataFrame) -> list[str]:
    """Return the compared columns: ``columns`` checked, or those all ``frames`` share."""
    if columns is None:
        names = [c for c in frames[0].columns if all(c in f.columns for f in frames[1:])]
    else:
        names = list(columns)
        missing = sorted({c for f in frames for c in names if c not in f.columns})
        if missing:
            raise DataValidationError(
                f"Privacy metric: columns {missing} are missing from a compared table; "
                "pass columns every table has."
            )
    if not names:
        raise DataValidationError(
            "Privacy metric: the compared tables share no column; pass tables with the "
            "same columns, or name them with columns=."
        )
    return names


def _as_text(values: pd.Series) -> np.ndarray:
    """Return the non-null values of a column as an array of Python strings."""
    present = values.dropna()
    return present.astype(str).to_numpy(dtype=object)


def _kind(*series: pd.Series) -> str:
    """Return how a column is compared: ``"number"``, ``"datetime"`` or ``"category"``."""
    if all(is_datetime64_any_dtype(s) for s in series):
        return "datetime"
    if all(is_numeric_dtype(s) and not is_bool_dtype(s) for s in series):
        return "number"
    return "category"


def _numbers(values: pd.Series, kind: str) -> np.ndarray:
    """Return a numeric or datetime column as float64, nulls as NaN."""
    if kind == "datetime":
        stamps = pd.to_datetime(values)
        if stamps.dt.tz is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        out = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
        out[stamps.isna().to_numpy()] = np.nan
        return out
    return pd.to_numeric(values).to_numpy(dtype=np.float64, na_value=np.nan)


def _labels(values: pd.Series) -> np.ndarray:
    """Return a column as text labels, nulls as one shared token."""
    return values.astype(object).where(values.notna(), _NULL_TOKEN).astype(str).to_numpy()


def _row_hashes(
    real: pd.DataFrame, synthetic: pd.DataFrame, names: list[str], side: int
) -> np.ndarray:
    """Hash each row of ``(real, synthetic)[side]`` on ``names``, typed alike on both sides."""
    frame = (real, synthetic)[side]
    parts = {}
    for name in names:
        kind = _kind(real[name], synthetic[name])
        if kind == "category":
            parts[name] = _labels(frame[name])
        else:
            numbers = _numbers(frame[name], kind)
            parts[name] = np.where(np.isnan(numbers), np.inf, numbers)
    return pd.util.hash_pandas_object(pd.DataFrame(parts), index=False).to_numpy()


def _subsample(frame: pd.DataFrame, n_rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """Return at most ``n_rows`` rows of ``frame``, drawn uniformly without replacement."""
    if len(frame) <= n_rows:
        return frame
    return frame.iloc[np.sort(rng.choice(len(frame), size=n_rows, replace=False))]


def _encode(frames: list[pd.DataFrame], names: list[str]) -> list[sparse.csr_matrix]:
    """Encode ``frames`` on one mixed-type scale (see the module docstring)."""
    sizes = [len(f) for f in frames]
    blocks = []
    for name in names:
        column = pd.concat([f[name] for f in frames], ignore_index=True)
        kind = _kind(*(f[name] for f in frames))
        if kind == "category":
            blocks.append(_one_hot(_labels(column)))
        else:
            blocks.append(_scaled(_numbers(column, kind)))
    stacked = sparse.hstack(blocks, format="csr")
    bounds = np.cumsum([0, *sizes])
    return [stacked[start:stop] for start, stop in zip(bounds[:-1], bounds[1:], strict=True)]


def _one_hot(labels: np.ndarray) -> sparse.csr_matrix:
    """One-hot encode ``labels`` with weight ``1/sqrt(2)`` (a mismatch is at distance 1)."""
    _, codes = np.unique(labels, return_inverse=True)
    n_rows = len(labels)
    data = np.full(n_rows, _CATEGORY_WEIGHT)
    return sparse.csr_matrix((data, (np.arange(n_rows), codes)), shape=(n_rows, codes.max() + 1))


def _scaled(numbers: np.ndarray) -> sparse.csr_matrix:
    """Centre and scale numbers by their robust range; add a null indicator column."""
    missing = np.isnan(numbers)
    present = numbers[~missing]
    if present.size == 0:
        return sparse.csr_matrix(missing.astype(np.float64)[:, None])
    low, high = np.quantile(present, [0.05, 0.95])
    scale = high - low
    if scale <= 0:
        scale = float(present.max() - present.min()) or 1.0
    values = np.where(missing, 0.0, (numbers - np.median(present)) / scale)
    return sparse.csr_matrix(np.column_stack([values, missing.astype(np.float64)]))


def _nearest(reference: sparse.csr_matrix, query: sparse.csr_matrix, k: int) -> np.ndarray:
    """Return the distances from each query row to its ``k`` nearest reference rows."""
    index = NearestNeighbors(n_neighbors=k, algorithm="brute", metric="euclidean")
    distances, _ = index.fit(reference).kneighbors(query)
    return distances
