"""The learned column that id-like values are drawn with: the one that best explains their formats.

A table's id-like columns are drawn together, one training row per generated row (see
:func:`._values.draw_rows`), so a generated row keeps a name, an address, a postal code and a
phone that belong together. When the formats of those values depend on a learned column
(a phone's ``+country`` code and digit grouping, a postal code's shape and which fields are
null follow the country), the training row is drawn among those with the generated row's
value of that column: its *anchor*.

The anchor is the discrete learned column (text, category or boolean) whose values best
predict the *format keys* of the id-like columns: each value's character-class shape
(:func:`synthohive.privacy._fake.shape_of`, with a leading ``+country`` code kept as is,
and nulls as their own key). Information is measured as the drop in leave-one-out
cross-entropy: each training row's key is predicted from the *other* rows of its anchor
group (add-one smoothed towards the other rows' overall frequencies), against the same
prediction without groups. A column that tells rows apart (a city in a table of customers,
one row per city) predicts nothing this way, since a row alone in its group is predicted
by the overall frequencies; only groups that share formats count. Each id-like column
counts by the share of its cross-entropy the column removes (a phone's format almost
entirely explained by the country counts more than a name's length partly explained by a
first name). The column with the largest sum of shares is the anchor when it removes at
least :data:`ANCHOR_MIN_GAIN` of one id-like column's cross-entropy (columns unrelated to
it, such as names next to a phone, do not dilute a dependency); otherwise there is none.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_object_dtype, is_string_dtype

from synthohive.privacy._fake import shape_of

__all__ = ["ANCHOR_MIN_GAIN", "choose_anchor", "format_keys", "information_gain"]

ANCHOR_MIN_GAIN = 0.25
"""Least share of one id-like column's format cross-entropy an anchor must remove."""

_NULL_KEY = "\x00null"


def format_keys(values: pd.Series) -> np.ndarray:
    """Return the format key of each value: its shape, a leading ``+code`` kept, nulls marked.

    Parameters
    ----------
    values : Series
        An id-like column.

    Returns
    -------
    ndarray of int64
        One code per row; equal codes mean equal formats.

    Examples
    --------
    >>> import pandas as pd
    >>> format_keys(pd.Series(["+33 1 42", "+44 1 42", "+33 9 99", None])).tolist()
    [0, 1, 0, 2]
    """
    present = values.notna()
    text = values[present].astype(str)
    keys = shape_of(text)
    plus = text.str.startswith("+")
    if plus.any():
        keys = text.str.extract(r"^(\+\d{0,3})", expand=False).fillna("") + keys
    full = pd.Series(_NULL_KEY, index=values.index, dtype=object)
    full[present] = keys
    return pd.factorize(full)[0].astype(np.int64)


def information_gain(keys: np.ndarray, groups: np.ndarray) -> tuple[float, float]:
    """Leave-one-out cross-entropy of ``keys`` without and with ``groups`` (in nats).

    Parameters
    ----------
    keys : ndarray of int64
        Format key code of each training row.
    groups : ndarray of int64
        Anchor value code of each training row.

    Returns
    -------
    tuple of float
        ``(entropy, gain)``: the cross-entropy of each row's key predicted by the other
        rows' key frequencies, and how much predicting it by the other rows of its group
        lowers it.

    Examples
    --------
    >>> import numpy as np
    >>> keys = np.array([0, 0, 0, 1, 1, 1])
    >>> entropy, gain = information_gain(keys, keys)
    >>> bool(gain > 0.5 * entropy)
    True
    >>> information_gain(keys, np.arange(6))[1]
    0.0
    """
    n = len(keys)
    if n < 2:
        return 0.0, 0.0
    n_keys = int(keys.max()) + 1
    key_counts = np.bincount(keys)
    # The other rows' frequency of each row's key, add-one smoothed.
    overall = key_counts[keys] / (n - 1 + n_keys)
    _, pair, pair_counts = np.unique(groups * n_keys + keys, return_inverse=True,
                                     return_counts=True)
    group_counts = np.bincount(groups)[groups]
    within = (pair_counts[pair.ravel()] - 1 + overall) / group_counts
    entropy = float(-np.log(overall).mean())
    return entropy, max(0.0, entropy - float(-np.log(within).mean()))


def choose_anchor(frame: pd.DataFrame, id_like: Sequence[str],
                  learned: Sequence[str]) -> str | None:
    """Return the learned column that best explains the id-like columns' formats, or None.

    Parameters
    ----------
    frame : DataFrame
        The (sanitised) training table.
    id_like : sequence of str
        Its id-like columns.
    learned : sequence of str
        Its learned columns; text, category and boolean ones with at least two values are
        candidates.

    Returns
    -------
    str or None
        The candidate removing the largest sum of shares of the id-like columns'
        cross-entropies (ties: the first in ``learned``), when it removes at least
        :data:`ANCHOR_MIN_GAIN` of one of them; None otherwise.
    """
    candidates = [c for c in learned if _discrete(frame[c])]
    if not candidates or not id_like or len(frame) < 2:
        return None
    keys = [format_keys(frame[c]) for c in id_like]
    best, best_score, best_share = None, 0.0, 0.0
    for column in candidates:
        groups = pd.factorize(frame[column], use_na_sentinel=False)[0].astype(np.int64)
        shares = [gain / entropy for entropy, gain in
                  (information_gain(k, groups) for k in keys) if entropy > 0]
        if sum(shares) > best_score:
            best, best_score, best_share = column, sum(shares), max(shares)
    return best if best_share >= ANCHOR_MIN_GAIN else None


def _discrete(values: pd.Series) -> bool:
    text = (is_object_dtype(values) or is_string_dtype(values) or is_bool_dtype(values)
            or isinstance(values.dtype, pd.CategoricalDtype))
    return text and values.nunique(dropna=False) >= 2
