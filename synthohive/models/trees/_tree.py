"""A fitted decision tree as plain arrays, and the value distributions of its leaves.

:class:`TreeArrays` keeps the split structure of a scikit-learn tree (children, feature,
threshold) and routes rows to their leaves with numpy, one tree level at a time over the
rows still inside the tree. :class:`CategoryLeaves` and :class:`NumberLeaves` hold what each
leaf knows about the column the tree predicts and draw from it:

* categories: the count of each code among the leaf's training rows (drawn evened out by
  a smoothing weight, see ``_smooth``);
* numbers (besides the atoms and missing values counted as codes, see ``_columns``): an
  equal-mass histogram of the leaf's other values (up to ``max_bins`` bins of at least
  ``min_samples_leaf`` rows each), on the column's quantile scale
  (``ColumnCoder.to_quantile``). A value is drawn uniformly inside a bin chosen with the
  bins' equal probability, so numbers are new, not copies of training values.

The rows drawn from one leaf are drawn together, stratified (:func:`stratified`).

Every array is indexed by tree node; internal nodes hold empty entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

_LEAF = -1
_UNDEFINED = -2  # feature and threshold of a leaf, as in scikit-learn


@dataclass
class TreeArrays:
    """Split structure of one binary tree.

    Attributes
    ----------
    left, right : ndarray of int64
        Children of each node (``-1`` at leaves).
    feature : ndarray of int64
        Feature each internal node splits on.
    threshold : ndarray of float64
        A row goes left when its feature (as float32, like scikit-learn) is ``<=`` this.
    """

    left: np.ndarray
    right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray

    @classmethod
    def from_estimator(cls, estimator: Any) -> TreeArrays:
        """Copy the structure of a fitted scikit-learn decision tree."""
        tree = estimator.tree_
        return cls(
            left=np.asarray(tree.children_left, dtype=np.int64),
            right=np.asarray(tree.children_right, dtype=np.int64),
            feature=np.asarray(tree.feature, dtype=np.int64),
            threshold=np.asarray(tree.threshold, dtype=np.float64),
        )

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.left.shape[0])

    @property
    def n_leaves(self) -> int:
        """Number of leaves."""
        return int(np.count_nonzero(self.left == _LEAF))

    @property
    def depth(self) -> int:
        """Length of the longest root-to-leaf path."""
        return int(self.node_depths().max())

    def node_depths(self) -> np.ndarray:
        """Return the depth of every node (the root is at 0), one tree level at a time."""
        depths = np.zeros(self.n_nodes, dtype=np.int64)
        level, nodes = 0, np.zeros(1, dtype=np.int64)
        while nodes.size:
            depths[nodes] = level
            inner = nodes[self.left[nodes] != _LEAF]
            nodes, level = np.concatenate([self.left[inner], self.right[inner]]), level + 1
        return depths

    def pruned(self, keep: np.ndarray) -> TreeArrays:
        """Return the tree whose internal nodes split only where ``keep`` is true.

        A node that does not keep its split becomes a leaf; the nodes below it are dropped
        and the rest renumbered in their order (children still follow their parent).

        Parameters
        ----------
        keep : ndarray of bool, shape (n_nodes,)
            Whether each node keeps its split (ignored at leaves).
        """
        splits = keep & (self.left != _LEAF)
        reached = np.zeros(self.n_nodes, dtype=bool)
        nodes = np.zeros(1, dtype=np.int64)
        while nodes.size:
            reached[nodes] = True
            inner = nodes[splits[nodes]]
            nodes = np.concatenate([self.left[inner], self.right[inner]])
        renumber = np.cumsum(reached) - 1
        old = np.flatnonzero(reached)
        inner = splits[old]
        return TreeArrays(
            left=np.where(inner, renumber[self.left[old]], _LEAF),
            right=np.where(inner, renumber[self.right[old]], _LEAF),
            feature=np.where(inner, self.feature[old], _UNDEFINED),
            threshold=np.where(inner, self.threshold[old], float(_UNDEFINED)),
        )

    def apply(self, features: np.ndarray) -> np.ndarray:
        """Return the leaf of every row.

        All rows step down one level at a time: a leaf sends its rows to itself (its
        threshold is infinite and both its children are itself), and rows that reached a
        leaf are dropped from the step once they are a quarter of those still stepping.

        Parameters
        ----------
        features : ndarray of float32, shape (n_rows, n_features)
            Rows, C-contiguous, with at least the features the tree splits on.

        Returns
        -------
        ndarray of int64
            Leaf node of each row.
        """
        n_rows, width = features.shape
        flat = features.reshape(-1)
        is_leaf = self.left == _LEAF
        nodes = np.arange(self.n_nodes)
        feature = np.where(is_leaf, 0, self.feature)
        threshold = np.where(is_leaf, np.inf, self.threshold)
        # children[2 * node + goes_right]
        children = np.column_stack([np.where(is_leaf, nodes, self.left),
                                    np.where(is_leaf, nodes, self.right)]).reshape(-1)
        leaf = np.zeros(n_rows, dtype=np.int64)
        rows = np.arange(n_rows, dtype=np.int64)
        current = np.zeros(n_rows, dtype=np.int64)
        offsets = rows * width
        while rows.size:
            goes_right = flat[offsets + feature[current]] > threshold[current]
            current = children[2 * current + goes_right]
            done = is_leaf[current]
            finished = np.count_nonzero(done)
            if finished and (finished == rows.size or 4 * finished >= rows.size):
                leaf[rows[done]] = current[done]
                keep = ~done
                rows, current, offsets = rows[keep], current[keep], offsets[keep]
        return leaf

    def to_state(self) -> dict[str, Any]:
        """Return the structure as arrays."""
        return {"left": self.left, "right": self.right, "feature": self.feature,
                "threshold": self.threshold}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> TreeArrays:
        """Rebuild from :meth:`to_state`."""
        return cls(**{k: np.asarray(state[k], dtype=np.float64 if k == "threshold"
                                    else np.int64) for k in ("left", "right", "feature",
                                                             "threshold")})


def stratified(leaves: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Order rows by leaf and give each a uniform, stratified among the rows of its leaf.

    The ``m`` rows drawn from one leaf take one uniform in each ``1/m`` of ``[0, 1)``, in
    random order: every row's draw still follows its leaf's distribution, and the rows of a
    leaf together follow it without the sampling noise of independent draws (a leaf of 40%
    ``"a"`` gives 40 of 100 rows ``"a"``, not 32-48).

    Parameters
    ----------
    leaves : ndarray of int64
        Leaf of each row.
    rng : numpy.random.Generator
        Source of the order within each leaf and of the place inside each stratum.

    Returns
    -------
    order : ndarray of int64
        The rows sorted by leaf (randomly within a leaf).
    uniforms : ndarray of float64
        In that order, each row's uniform.
    """
    n_rows = leaves.shape[0]
    draws = rng.random((2, n_rows))
    order = np.argsort(leaves + draws[0])
    ordered = leaves[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    sizes = np.diff(np.append(starts, n_rows))
    rank = np.arange(n_rows) - np.repeat(starts, sizes)
    return order, (rank + draws[1]) / np.repeat(sizes, sizes)


def _segments(keys: np.ndarray, n_nodes: int) -> np.ndarray:
    """CSR offsets of sorted node ``keys``: entries of node ``i`` are ``[o[i], o[i+1])``."""
    return np.concatenate([[0], np.cumsum(np.bincount(keys, minlength=n_nodes))])


@dataclass
class CategoryLeaves:
    """Counts of each code in each leaf.

    Attributes
    ----------
    offsets : ndarray of int64, shape (n_nodes + 1,)
        Entries of node ``i`` are ``offsets[i]:offsets[i + 1]``.
    codes : ndarray of int64
        Codes seen in the node, ascending.
    counts : ndarray of int64
        Training rows of the node holding each code.
    smoothing : float, default=0.0
        Weight added to the count of every code a node holds before drawing (see
        :mod:`synthohive.models.trees._smooth`).
    """

    offsets: np.ndarray
    codes: np.ndarray
    counts: np.ndarray
    smoothing: float = 0.0
    _keys: np.ndarray = field(init=False, repr=False)

    @classmethod
    def fit(cls, leaves: np.ndarray, codes: np.ndarray, n_nodes: int, n_codes: int,
            smoothing: float = 0.0) -> CategoryLeaves:
        """Count ``codes`` (integers in ``[0, n_codes)``) per leaf of each row."""
        keys, counts = np.unique(leaves * n_codes + codes, return_counts=True)
        return cls(_segments(keys // n_codes, n_nodes), keys % n_codes, counts, smoothing)

    def __post_init__(self) -> None:
        """Precompute the search keys of :meth:`sample`."""
        owner, before, totals = self._totals()
        within = (np.cumsum(self._weights()) - before[owner]) / np.maximum(totals[owner], 1)
        # ``node + cumulative share`` increases over all entries: one search serves all rows.
        self._keys = owner + within

    def _weights(self) -> np.ndarray:
        """Return the drawing weight of every entry: its count plus the smoothing."""
        return self.counts + self.smoothing

    def _totals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the node of every entry, the weight drawn before it and per node."""
        owner = np.repeat(np.arange(len(self.offsets) - 1), np.diff(self.offsets))
        running = np.concatenate([[0.0], np.cumsum(self._weights())])
        before = running[self.offsets[:-1]]
        return owner, before, running[self.offsets[1:]] - before

    def sample(self, leaves: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Draw one code per row from its leaf's counts (stratified, see :func:`stratified`)."""
        order, uniforms = stratified(leaves, rng)
        position = np.empty(len(leaves), dtype=np.int64)
        # The queries ``leaf + uniform`` ascend in this order: one search in cache order.
        position[order] = np.searchsorted(self._keys, leaves[order] + uniforms, side="right")
        return self.codes[np.minimum(position, self.offsets[leaves + 1] - 1)]

    def probability(self, leaves: np.ndarray, code: int) -> np.ndarray:
        """Probability that a row of each leaf draws ``code``."""
        owner, _, totals = self._totals()
        by_node = np.zeros(len(self.offsets) - 1)
        hit = self.codes == code
        by_node[owner[hit]] = self._weights()[hit] / totals[owner[hit]]
        return by_node[leaves]

    def to_state(self) -> dict[str, Any]:
        """Return the counts as arrays, and the smoothing."""
        return {"offsets": self.offsets, "codes": self.codes, "counts": self.counts,
                "smoothing": self.smoothing}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CategoryLeaves:
        """Rebuild from :meth:`to_state`."""
        return cls(*(np.asarray(state[k], dtype=np.int64) for k in ("offsets", "codes",
                                                                      "counts")),
                   smoothing=float(state["smoothing"]))


@dataclass
class NumberLeaves:
    """Equal-mass histogram of the values of each leaf.

    Attributes
    ----------
    offsets : ndarray of int64, shape (n_nodes + 1,)
        Bin edges of node ``i`` are ``edges[offsets[i]:offsets[i + 1]]`` (none when the
        node holds no value).
    edges : ndarray of float64
        Ascending bin edges; each bin holds the same share of the node's values.
    """

    offsets: np.ndarray
    edges: np.ndarray

    @classmethod
    def fit(cls, leaves: np.ndarray, numbers: np.ndarray, n_nodes: int, min_samples_leaf: int,
            max_bins: int) -> NumberLeaves:
        """Learn each leaf's histogram from the leaves and numbers of its rows.

        A leaf with ``m`` values gets ``clip(m // min_samples_leaf, 1, max_bins)`` bins; its
        edges are the values' quantiles at even steps, interpolated between neighbouring
        order statistics (the outer edges are the leaf's range).
        """
        ranked = numbers[np.lexsort((numbers, leaves))]
        counts = np.bincount(leaves, minlength=n_nodes)
        bins = np.where(counts > 0, np.clip(counts // max(min_samples_leaf, 1), 1, max_bins), 0)
        widths = np.where(counts > 0, bins + 1, 0)
        offsets = np.concatenate([[0], np.cumsum(widths)])
        node = np.repeat(np.arange(n_nodes), widths)
        step = np.arange(offsets[-1]) - offsets[node]
        starts = np.concatenate([[0], np.cumsum(counts)])[node]
        position = step * (counts[node] - 1) / bins[node]
        low = np.floor(position).astype(np.int64)
        high = np.minimum(low + 1, counts[node] - 1)
        fraction = position - low
        edges = ranked[starts + low] * (1 - fraction) + ranked[starts + high] * fraction
        return cls(offsets, edges)

    def sample(self, leaves: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Draw one number per row from its leaf's histogram (leaves holding values).

        One uniform per row (stratified, see :func:`stratified`) picks both the bin (its
        whole part on the bins' scale) and the place inside it (the fraction).
        """
        order, uniforms = stratified(leaves, rng)
        ordered = leaves[order]
        n_bins = np.diff(self.offsets)[ordered] - 1
        position = uniforms * n_bins
        bin_ = np.minimum(position.astype(np.int64), n_bins - 1)
        chosen = self.offsets[ordered] + bin_
        low, high = self.edges[chosen], self.edges[chosen + 1]
        drawn = np.empty(len(leaves))
        drawn[order] = low + (position - bin_) * (high - low)
        return drawn

    def to_state(self) -> dict[str, Any]:
        """Return the histograms as arrays."""
        return {"offsets": self.offsets, "edges": self.edges}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> NumberLeaves:
        """Rebuild from :meth:`to_state`."""
        return cls(np.asarray(state["offsets"], dtype=np.int64),
                   np.asarray(state["edges"], dtype=np.float64))
