"""One-hot encoding of one discrete column."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synthohive.transform._dtypes import from_storable, to_storable
from synthohive.utils._random import derive_seed, numpy_generator


@dataclass
class CategoryEncoder:
    """The categories of one discrete column and their training frequencies.

    Attributes
    ----------
    categories : ndarray of shape (n_categories,)
        Observed categories as a plain array (numbers, bool, datetime64, or ``str`` in an
        object array), sorted, or in dtype order for ``category`` columns.
    frequencies : ndarray of shape (n_categories,)
        Share of the non-null training rows holding each category (sums to one); with
        pooled values, the last entry is the share of the pooled "other" category.
    pooled : ndarray or None
        Rare values pooled into one "other" category by :meth:`pool` (None: no pooling).
        That category is the last entry of the one-hot block; decoding it draws one of these
        values by its training frequency.
    pooled_frequencies : ndarray or None
        Share of each pooled value among the pooled rows.
    seed : int
        Seed of the draws that decode the "other" category.
    """

    categories: np.ndarray
    frequencies: np.ndarray
    pooled: np.ndarray | None = None
    pooled_frequencies: np.ndarray | None = None
    seed: int = 0
    _lookup: pd.Index = field(init=False, repr=False)
    _pooled_lookup: pd.Index | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Build the hash indexes used to look categories up."""
        self._lookup = pd.Index(self.categories)
        self._pooled_lookup = None if self.pooled is None else pd.Index(self.pooled)

    @classmethod
    def fit(cls, values: np.ndarray, order: np.ndarray | None = None) -> CategoryEncoder:
        """Learn the categories of the non-null ``values`` of a column.

        Parameters
        ----------
        values : ndarray of shape (n,)
            Non-null values (text as a ``str`` object array).
        order : ndarray, optional
            All categories in the order to keep (a ``category`` dtype's categories);
            unobserved ones are left out. Default: sorted order.

        Returns
        -------
        CategoryEncoder
            The fitted encoder.
        """
        # value_counts hashes Python objects; factorize would merge "" and "\x00".
        tally = pd.Series(values).value_counts(sort=False)
        uniques, counts = tally.index.to_numpy(), tally.to_numpy()
        by_value = np.argsort(uniques, kind="stable")
        uniques, counts = uniques[by_value], counts[by_value]
        if order is not None:
            lookup = pd.Index(uniques)
            observed = lookup.get_indexer(order)
            position = observed[observed >= 0]
            uniques, counts = uniques[position], counts[position]
        return cls(categories=uniques, frequencies=counts / counts.sum())

    def pool(self, cap: int, seed: int) -> CategoryEncoder:
        """Keep the ``cap - 1`` most frequent categories; pool the others into "other".

        Parameters
        ----------
        cap : int
            Width of the one-hot block after pooling (at least 2).
        seed : int
            Seed of the draws that decode the "other" category.

        Returns
        -------
        CategoryEncoder
            The pooled encoder (kept categories in their original order).
        """
        by_frequency = np.argsort(-self.frequencies, kind="stable")
        kept = np.sort(by_frequency[:cap - 1])
        pooled = np.sort(by_frequency[cap - 1:])
        pooled_share = self.frequencies[pooled].sum()
        return CategoryEncoder(
            categories=self.categories[kept],
            frequencies=np.append(self.frequencies[kept], pooled_share),
            pooled=self.categories[pooled],
            pooled_frequencies=self.frequencies[pooled] / pooled_share,
            seed=seed,
        )

    @property
    def n_categories(self) -> int:
        """Number of categories (width of the one-hot; the "other" category included)."""
        return int(self.categories.shape[0]) + (self.pooled is not None)

    def encode(self, values: np.ndarray) -> np.ndarray:
        """Return the index of each value's category, ``-1`` where it is unknown."""
        codes = self._lookup.get_indexer(values)
        if self._pooled_lookup is not None:
            other = (codes < 0) & (self._pooled_lookup.get_indexer(values) >= 0)
            codes[other] = self.categories.shape[0]
        return codes

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """Return the categories of ``codes`` (pooled values drawn for "other")."""
        n_kept = self.categories.shape[0]
        if self.pooled is None:
            return self.categories[codes]
        other = codes == n_kept
        values = np.concatenate([self.categories, self.pooled[:1]])[codes]
        rng = numpy_generator(derive_seed(self.seed, "pooled", len(codes)))
        values[other] = self.pooled[rng.choice(self.pooled.shape[0], size=int(other.sum()),
                                               p=self.pooled_frequencies)]
        return values

    def to_state(self) -> dict[str, Any]:
        """Return the encoder as a state tree of arrays."""
        state: dict[str, Any] = {
            "categories": to_storable(self.categories), "frequencies": self.frequencies,
        }
        if self.pooled is not None:
            state.update(pooled=to_storable(self.pooled),
                         pooled_frequencies=self.pooled_frequencies, seed=int(self.seed))
        return state

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CategoryEncoder:
        """Rebuild an encoder from :meth:`to_state`'s tree."""
        pooled = state.get("pooled")
        return cls(
            categories=from_storable(state["categories"]),
            frequencies=np.asarray(state["frequencies"], dtype=np.float64),
            pooled=None if pooled is None else from_storable(pooled),
            pooled_frequencies=None if pooled is None else np.asarray(
                state["pooled_frequencies"], dtype=np.float64),
            seed=int(state.get("seed", 0)),
        )
