"""Pair metrics: correlation delta, contingency TVD and normalised mutual information.

A pair of columns is compared in one of two ways (the rule used by reports):

- both columns compared with KS (see :func:`synthohive.metrics.column_metric`): the
  **correlation delta** ``|r_real - r_synthetic| / 2`` of their Pearson correlations;
- otherwise: the **contingency TVD**, the total variation distance between the joint
  frequency tables of the two columns, numeric columns cut into bins first.

Both are distances in ``[0, 1]``, lower is better. The **normalised mutual information**
(QUAL-06) ``NMI = I(a; b) / mean(H(a), H(b))`` measures how much two (discrete or binned)
columns tell about each other, in ``[0, 1]``; reports show it for the real and the synthetic
data and their absolute difference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthohive.metrics._column import category_codes, ordered_values, tvd_from_frequencies

__all__ = [
    "contingency_tvd",
    "correlation_delta",
    "normalized_mutual_information",
]


def joint_counts(codes_a: np.ndarray, codes_b: np.ndarray, n_a: int, n_b: int) -> np.ndarray:
    """Return the ``(n_a, n_b)`` table of how often each pair of integer codes occurs."""
    flat = np.bincount(codes_a.astype(np.int64, copy=False) * n_b + codes_b, minlength=n_a * n_b)
    return flat.reshape(n_a, n_b)


def nmi_from_counts(counts: np.ndarray) -> float:
    """Normalised mutual information (arithmetic mean of entropies) of a contingency table.

    Two constant labelings score 1 (as in ``sklearn.metrics.normalized_mutual_info_score``);
    a constant labeling against a varying one scores 0.
    """
    total = counts.sum()
    if total == 0:
        return 1.0
    joint = counts / total
    p_a, p_b = joint.sum(axis=1), joint.sum(axis=0)
    h_a = -np.sum(p_a[p_a > 0] * np.log(p_a[p_a > 0]))
    h_b = -np.sum(p_b[p_b > 0] * np.log(p_b[p_b > 0]))
    if np.count_nonzero(p_a) <= 1 and np.count_nonzero(p_b) <= 1:
        return 1.0
    if h_a == 0.0 or h_b == 0.0:
        return 0.0
    rows, cols = np.nonzero(joint)
    cells = joint[rows, cols]
    mutual = np.sum(cells * (np.log(cells) - np.log(p_a[rows]) - np.log(p_b[cols])))
    return float(np.clip(mutual / ((h_a + h_b) / 2.0), 0.0, 1.0))


def normalized_mutual_information(a: pd.Series, b: pd.Series) -> float:
    """Normalised mutual information between two discrete columns of the same table.

    Values are compared by equality and null is a category of its own; the normalisation is
    the arithmetic mean of the two entropies, as in
    ``sklearn.metrics.normalized_mutual_info_score``. Bin numeric columns first.

    Parameters
    ----------
    a, b : Series
        Two row-aligned columns.

    Returns
    -------
    float
        NMI in ``[0, 1]``: 0 when the columns are independent in the sample, 1 when each
        determines the other.

    Examples
    --------
    >>> import pandas as pd
    >>> normalized_mutual_information(pd.Series([1, 1, 2, 2]), pd.Series(["x", "x", "y", "y"]))
    1.0
    """
    codes_a, _, n_a = category_codes(a, a.iloc[:0])
    codes_b, _, n_b = category_codes(b, b.iloc[:0])
    return nmi_from_counts(joint_counts(codes_a, codes_b, n_a, n_b))


def numeric_matrix(frame: pd.DataFrame) -> np.ndarray:
    """Numeric/datetime columns as an ``(n_rows, n_columns)`` float array, NaN for nulls."""
    matrix = np.full((len(frame), frame.shape[1]), np.nan)
    for i, label in enumerate(frame.columns):
        column = frame[label]
        present = column.notna().to_numpy()
        matrix[present, i] = ordered_values(column, str(label))
    return matrix


def correlation_matrix(frame: pd.DataFrame) -> np.ndarray:
    """Pearson correlations of numeric/datetime columns (pairwise complete; undefined → 0).

    Each pair uses the rows where both values are present. Computed with a few matrix
    products over the centred values, so many columns cost little more than one.
    """
    return correlation_from_matrix(numeric_matrix(frame))


def correlation_from_matrix(matrix: np.ndarray) -> np.ndarray:
    """Pairwise-complete Pearson correlations of a float array's columns (NaN, inf: left out)."""
    present = np.isfinite(matrix)
    centred = np.where(present, matrix, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        centred -= centred.sum(axis=0) / present.sum(axis=0)
    centred[~present] = 0.0
    mask = present.astype(np.float64)
    count = mask.T @ mask
    sums = centred.T @ mask  # sums[i, j]: sum of column i over rows where j is present
    squares = (centred * centred).T @ mask
    with np.errstate(divide="ignore", invalid="ignore"):
        covariance = centred.T @ centred - sums * sums.T / count
        variance_i = squares - sums * sums / count
        variance_i[variance_i <= 1e-12 * squares] = 0.0  # constant within the pair's rows
        corr = covariance / np.sqrt(variance_i * variance_i.T)
    return np.clip(np.nan_to_num(corr, nan=0.0, posinf=0.0, neginf=0.0), -1.0, 1.0)


def correlation_delta(
    real_x: pd.Series, real_y: pd.Series, synthetic_x: pd.Series, synthetic_y: pd.Series
) -> float:
    """Half the absolute difference between the real and synthetic Pearson correlations.

    Parameters
    ----------
    real_x, real_y : Series
        Two row-aligned numeric or datetime columns of the real table.
    synthetic_x, synthetic_y : Series
        The same columns of the synthetic table.

    Returns
    -------
    float
        ``|r_real - r_synthetic| / 2`` in ``[0, 1]``; lower is better. Rows where either value
        is null are left out; a constant column has correlation 0.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.Series([1.0, 2.0, 3.0])
    >>> round(correlation_delta(x, x, x, -x), 6)
    1.0
    """
    real = correlation_matrix(pd.DataFrame({"x": real_x.to_numpy(), "y": real_y.to_numpy()}))
    synthetic = correlation_matrix(
        pd.DataFrame({"x": synthetic_x.to_numpy(), "y": synthetic_y.to_numpy()})
    )
    return abs(float(real[0, 1]) - float(synthetic[0, 1])) / 2.0


def contingency_tvd(
    real_a: pd.Series, real_b: pd.Series, synthetic_a: pd.Series, synthetic_b: pd.Series
) -> float:
    """Total variation distance between the joint frequencies of two discrete columns.

    Values are compared by equality, null is a category of its own. Bin numeric columns
    first (reports do this for you).

    Parameters
    ----------
    real_a, real_b : Series
        Two row-aligned columns of the real table.
    synthetic_a, synthetic_b : Series
        The same columns of the synthetic table.

    Returns
    -------
    float
        Distance in ``[0, 1]``; lower is better.

    Examples
    --------
    >>> import pandas as pd
    >>> a, b = pd.Series(["x", "y"]), pd.Series([1, 2])
    >>> contingency_tvd(a, b, a, b[::-1].reset_index(drop=True))
    1.0
    """
    real_codes_a, synthetic_codes_a, n_a = category_codes(real_a, synthetic_a)
    real_codes_b, synthetic_codes_b, n_b = category_codes(real_b, synthetic_b)
    return tvd_from_frequencies(
        joint_counts(real_codes_a, real_codes_b, n_a, n_b).ravel(),
        joint_counts(synthetic_codes_a, synthetic_codes_b, n_a, n_b).ravel(),
    )
