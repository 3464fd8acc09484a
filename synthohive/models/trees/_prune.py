"""Pruning a grown tree on rows it was not grown on (reduced-error pruning).

A tree grown until its leaves hold ``min_samples_leaf`` rows splits wherever its growing rows
allow, also where a split only separates noise: a leaf of ten rows then hands out those ten
rows' values, and the column drawn from it repeats their combinations with the columns
before it. Synthetic rows come out closer to the training rows than to unseen real rows,
which is memorisation, not fidelity (the DCR share of :mod:`synthohive.metrics`).

Held-out rows decide which splits are real. Every node is scored as if it were a leaf: the
log-likelihood of the held-out targets under the node's growing-row distribution (a
classifier; counts smoothed toward the whole column's distribution by ``PRIOR_ROWS`` rows)
or minus their squared error around the node's growing-row mean (a regressor). Going up
from the deepest level, a split is kept only when its two subtrees, each already pruned,
score better than the node alone (by more than rounding). A region without held-out rows
has no evidence for its splits and becomes one leaf.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from synthohive.models.trees._tree import TreeArrays

__all__ = ["PRIOR_ROWS", "TOLERANCE", "class_scores", "prune", "regression_scores"]

PRIOR_ROWS = 1.0
"""Weight, in rows, of the column's distribution added to every node's counts."""

TOLERANCE = 1e-9
"""Relative gain a split needs over its node (a split that changes nothing loses)."""


def _entries(paths: sparse.csr_matrix, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the node and the row's value of every (row, node on its path) pair."""
    return paths.indices.astype(np.int64), np.repeat(values, np.diff(paths.indptr))


def class_scores(grown: sparse.csr_matrix, grown_labels: np.ndarray,
                 held: sparse.csr_matrix, held_labels: np.ndarray, n_labels: int) -> np.ndarray:
    """Held-out log-likelihood of each node of a classification tree as a leaf.

    Parameters
    ----------
    grown, held : sparse matrix of shape (n_rows, n_nodes)
        Decision paths (``DecisionTreeClassifier.decision_path``) of the growing rows (at
        least one) and of the held-out rows.
    grown_labels, held_labels : ndarray of int64
        Their targets, integers in ``[0, n_labels)``.
    n_labels : int
        Number of distinct targets.

    Returns
    -------
    ndarray of float64, shape (n_nodes,)
        Sum over the held-out rows reaching each node of ``log p(label)``, ``p`` the node's
        smoothed share of the label (0 where no held-out row reaches it).
    """
    n_nodes = grown.shape[1]
    nodes, labels = _entries(grown, grown_labels)
    keys, counts = np.unique(nodes * n_labels + labels, return_counts=True)
    totals = np.bincount(nodes, minlength=n_nodes)
    prior = ((np.bincount(grown_labels, minlength=n_labels) + 1.0)
             / (len(grown_labels) + n_labels))
    held_nodes, held_values = _entries(held, held_labels)
    query = held_nodes * n_labels + held_values
    position = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    seen = np.where(keys[position] == query, counts[position], 0)
    share = ((seen + PRIOR_ROWS * prior[held_values])
             / (totals[held_nodes] + PRIOR_ROWS))
    return np.bincount(held_nodes, weights=np.log(share), minlength=n_nodes)


def regression_scores(grown: sparse.csr_matrix, grown_targets: np.ndarray,
                      held: sparse.csr_matrix, held_targets: np.ndarray) -> np.ndarray:
    """Minus the held-out squared error of each node of a regression tree as a leaf.

    Parameters
    ----------
    grown, held : sparse matrix of shape (n_rows, n_nodes)
        Decision paths of the growing rows and of the held-out rows.
    grown_targets, held_targets : ndarray of float64
        Their targets.

    Returns
    -------
    ndarray of float64, shape (n_nodes,)
        Minus the sum over the held-out rows reaching each node of the squared difference
        to the mean target of the node's growing rows.
    """
    n_nodes = grown.shape[1]
    nodes, targets = _entries(grown, grown_targets)
    means = (np.bincount(nodes, weights=targets, minlength=n_nodes)
             / np.maximum(np.bincount(nodes, minlength=n_nodes), 1))
    held_nodes, held_values = _entries(held, held_targets)
    return -np.bincount(held_nodes, weights=(held_values - means[held_nodes]) ** 2,
                        minlength=n_nodes)


def prune(tree: TreeArrays, scores: np.ndarray) -> TreeArrays:
    """Keep the splits whose pruned subtrees score strictly better than their node.

    Parameters
    ----------
    tree : TreeArrays
        The grown tree.
    scores : ndarray of float64, shape (n_nodes,)
        Held-out score of each node as a leaf (higher is better; additive over rows), from
        :func:`class_scores` or :func:`regression_scores`.

    Returns
    -------
    TreeArrays
        The pruned tree.
    """
    depths = tree.node_depths()
    inner = tree.left != -1
    best = scores.astype(np.float64)
    keep = np.zeros(tree.n_nodes, dtype=bool)
    for level in range(int(depths.max()) - 1, -1, -1):
        nodes = np.flatnonzero(inner & (depths == level))
        split = best[tree.left[nodes]] + best[tree.right[nodes]]
        keep[nodes] = split > scores[nodes] + TOLERANCE * np.abs(scores[nodes])
        best[nodes] = np.where(keep[nodes], split, scores[nodes])
    return tree.pruned(keep)
