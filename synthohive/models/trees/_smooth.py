"""How far each leaf's category counts are evened out, chosen on held-out rows.

A leaf of a discrete column hands out its codes in proportion to their training counts.
Where those counts are few per code (a column of customers' cities, each seen four or five
times), much of the difference between them is the sample's noise, and reproducing it is
learning the sample rather than the population: a city that happens to hold more training
rows is drawn more often, and its synthetic rows sit closer to the training rows than to
unseen real rows. In a child table whose parents have about the same number of children
(every customer of chinook has seven invoices) the noise is even anti-correlated with the
unseen rows: a city with more training rows has fewer held-out ones.

The estimate that does not overfit the counts adds a weight ``w`` to the count of every code
the leaf holds (the mean of a Dirichlet posterior over the leaf's observed codes): ``w = 0``
keeps the counts, a large ``w`` draws the leaf's codes evenly. No code the leaf never held is
ever drawn, so exact dependencies (a pure leaf) are kept whatever ``w`` is. ``w`` is chosen
per tree from :data:`WEIGHTS` by the log-likelihood of the held-out rows (the rows that prune
the tree) under the leaf's evened shares, mixed as when pruning with ``PRIOR_ROWS`` rows of
the column's distribution (so that a code the leaf does not hold has a small share that no
``w`` changes). Columns whose frequencies are real (a long tail of rare codes behind a few
common ones) keep a small ``w``; where the counts are noise the held-out rows ask for a
large one.
"""

from __future__ import annotations

import numpy as np

from synthohive.models.trees._prune import PRIOR_ROWS

__all__ = ["WEIGHTS", "support_weight"]

WEIGHTS = np.array([0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0])
"""Weights (in rows, added to each code a leaf holds) :func:`support_weight` chooses from."""


def support_weight(grown_leaves: np.ndarray, grown_codes: np.ndarray, held_leaves: np.ndarray,
                   held_codes: np.ndarray, n_codes: int) -> float:
    """Return the weight of :data:`WEIGHTS` under which the held-out codes are likeliest.

    Parameters
    ----------
    grown_leaves, grown_codes : ndarray of int64
        Leaf and code of each row the leaves are counted on.
    held_leaves, held_codes : ndarray of int64
        Leaf and code of each held-out row.
    n_codes : int
        Number of codes (codes are integers in ``[0, n_codes)``).

    Returns
    -------
    float
        The smallest weight reaching the highest held-out log-likelihood (0 without held-out
        rows).
    """
    if not len(held_codes) or not len(grown_codes):
        return 0.0
    keys, counts = np.unique(grown_leaves * n_codes + grown_codes, return_counts=True)
    n_nodes = int(max(grown_leaves.max(), held_leaves.max())) + 1
    totals = np.bincount(grown_leaves, minlength=n_nodes)[held_leaves]
    support = np.bincount(keys // n_codes, minlength=n_nodes)[held_leaves]
    prior = (np.bincount(grown_codes, minlength=n_codes) + 1.0) / (len(grown_codes) + n_codes)
    query = held_leaves * n_codes + held_codes
    position = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    seen = np.where(keys[position] == query, counts[position], 0)
    weights = WEIGHTS[None, :]
    evened = np.where((seen > 0)[:, None], (seen[:, None] + weights)
                      / np.maximum(totals[:, None] + weights * support[:, None], 1e-300), 0.0)
    share = (totals[:, None] * evened + PRIOR_ROWS * prior[held_codes][:, None]) / (
        totals[:, None] + PRIOR_ROWS)
    scores = np.log(share).sum(axis=0)
    return float(WEIGHTS[np.argmax(scores >= scores.max() - 1e-9 * abs(scores.max()))])
