"""Joint frequency tables of many column pairs at once, and their TVD and NMI.

A :class:`~synthohive.metrics.ReferenceProfile` compares every pair of its pair columns on
every ``sample()`` (QUAL-02, QUAL-06). Done pair by pair, that is a handful of small numpy
calls per pair; :class:`PairTables` lays the tables of all pairs end to end in one flat
array (pair after pair, each table row-major, as the profile stores the real tables) and
computes every pair's counts with one ``bincount`` and every pair's NMI and TVD with a few
segment sums over that array.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Most (pair, row) keys counted by one bincount: bounds the temporary key array.
_KEYS_PER_CHUNK = 1 << 20


class PairTables:
    """Layout of the joint tables of column pairs, laid end to end.

    Parameters
    ----------
    sizes : sequence of int
        Number of codes of each column.
    pairs : sequence of (int, int)
        Positions of the two columns of each pair.

    Attributes
    ----------
    bounds : ndarray of int, shape (n_pairs + 1,)
        Start of each pair's table in the flat array, then its total length.
    """

    def __init__(self, sizes: Sequence[int], pairs: Sequence[tuple[int, int]]) -> None:
        sizes_array = np.asarray(sizes, dtype=np.int64)
        self.first = np.array([a for a, _ in pairs], dtype=np.int64)
        self.second = np.array([b for _, b in pairs], dtype=np.int64)
        self.rows = sizes_array[self.first]
        self.columns = sizes_array[self.second]
        self.bounds = np.concatenate([[0], np.cumsum(self.rows * self.columns)]).astype(np.int64)
        n_pairs = len(pairs)
        cells = self.rows * self.columns
        # For every cell: its pair, and its row and column among all pairs' rows and columns.
        self._cell_pair = np.repeat(np.arange(n_pairs), cells)
        local = np.arange(self.bounds[-1]) - np.repeat(self.bounds[:-1], cells)
        row_starts = np.concatenate([[0], np.cumsum(self.rows)])[:-1].astype(np.int64)
        column_starts = np.concatenate([[0], np.cumsum(self.columns)])[:-1].astype(np.int64)
        width = np.maximum(np.repeat(self.columns, cells), 1)
        self._cell_row = np.repeat(row_starts, cells) + local // width
        self._cell_column = np.repeat(column_starts, cells) + local % width
        self._row_pair = np.repeat(np.arange(n_pairs), self.rows)
        self._column_pair = np.repeat(np.arange(n_pairs), self.columns)
        self.n_pairs = n_pairs

    def counts(self, codes: np.ndarray) -> np.ndarray:
        """Joint counts of every pair, flat (see the module docstring).

        Parameters
        ----------
        codes : ndarray of int64, shape (n_columns, n_rows)
            Codes of every column, one row each, in ``[0, size)``.

        Returns
        -------
        ndarray of int64, shape (bounds[-1],)
            How often each pair of codes occurs, pair after pair.
        """
        total = int(self.bounds[-1])
        if not self.n_pairs:
            return np.zeros(0, dtype=np.int64)
        matrix = np.asarray(codes, dtype=np.int64)
        n_rows = matrix.shape[1]
        step = max(1, _KEYS_PER_CHUNK // max(n_rows, 1))
        counts = np.zeros(total, dtype=np.int64)
        starts = self.bounds[:-1]
        for start in range(0, self.n_pairs, step):
            chosen = slice(start, start + step)
            keys = (matrix[self.first[chosen]] * self.columns[chosen, None]
                    + matrix[self.second[chosen]] + starts[chosen, None])
            counts += np.bincount(keys.ravel(), minlength=total)
        return counts

    def tables(self, counts: np.ndarray) -> list[np.ndarray]:
        """Cut the flat counts into one ``(rows, columns)`` table per pair."""
        return [counts[start:stop].reshape(rows, columns) for start, stop, rows, columns
                in zip(self.bounds[:-1], self.bounds[1:], self.rows, self.columns, strict=True)]

    def _per_pair(self, values: np.ndarray) -> np.ndarray:
        """Sum of a per-cell array over each pair's cells."""
        return np.bincount(self._cell_pair, weights=values, minlength=self.n_pairs)

    def tvd(self, real: np.ndarray, synthetic: np.ndarray) -> np.ndarray:
        """Total variation distance of every pair's two joint tables.

        As :func:`~synthohive.metrics._column.tvd_from_frequencies` per pair: 0 when both
        tables are empty, 1 when one is.
        """
        real_total, synthetic_total = self._per_pair(real), self._per_pair(synthetic)
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.abs(real / real_total[self._cell_pair]
                         - synthetic / synthetic_total[self._cell_pair])
        distance = 0.5 * self._per_pair(np.nan_to_num(gap))
        one_empty = (real_total == 0) | (synthetic_total == 0)
        return np.where(one_empty, (real_total != synthetic_total).astype(np.float64), distance)

    def nmi(self, counts: np.ndarray) -> np.ndarray:
        """Normalised mutual information of every pair's joint table.

        As :func:`~synthohive.metrics._pairs.nmi_from_counts` per pair (arithmetic mean of
        the entropies; two constant labelings score 1, one constant labeling 0), with the
        marginals summed from the integer counts.
        """
        counts = np.asarray(counts, dtype=np.float64)
        total = self._per_pair(counts)
        safe_total = np.where(total > 0, total, 1.0)
        joint = counts / safe_total[self._cell_pair]
        n_rows, n_columns = int(self.rows.sum()), int(self.columns.sum())
        p_a = (np.bincount(self._cell_row, weights=counts, minlength=n_rows)
               / safe_total[self._row_pair])
        p_b = (np.bincount(self._cell_column, weights=counts, minlength=n_columns)
               / safe_total[self._column_pair])
        h_a = -np.bincount(self._row_pair, weights=_xlogx(p_a), minlength=self.n_pairs)
        h_b = -np.bincount(self._column_pair, weights=_xlogx(p_b), minlength=self.n_pairs)
        varied_a = np.bincount(self._row_pair, weights=p_a > 0, minlength=self.n_pairs) > 1
        varied_b = np.bincount(self._column_pair, weights=p_b > 0, minlength=self.n_pairs) > 1
        present = joint > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = joint * (np.log(joint) - np.log(p_a[self._cell_row])
                             - np.log(p_b[self._cell_column]))
            score = np.clip(self._per_pair(np.where(present, terms, 0.0)) / ((h_a + h_b) / 2.0),
                            0.0, 1.0)
        score = np.where((h_a == 0.0) | (h_b == 0.0), 0.0, score)
        return np.where((total == 0) | ~(varied_a | varied_b), 1.0, score)


def _xlogx(p: np.ndarray) -> np.ndarray:
    """``p * log(p)`` with 0 for ``p == 0``."""
    out = np.zeros_like(p)
    positive = p > 0
    out[positive] = p[positive] * np.log(p[positive])
    return out
