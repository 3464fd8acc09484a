"""One-hot encoding of one discrete column."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synthohive.transform._dtypes import from_storable, to_storable


@dataclass
class CategoryEncoder:
    """The categories of one discrete column and their training frequencies.

    Attributes
    ----------
    categories : ndarray of shape (n_categories,)
        Observed categories as a plain array (numbers, bool, datetime64, or ``str`` in an
        object array), sorted, or in dtype order for ``category`` columns.
    frequencies : ndarray of shape (n_categories,)
        Share of the non-null training rows holding each category (sums to one).
    """

    categories: np.ndarray
    frequencies: np.ndarray
    _lookup: pd.Index = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Build the hash index used to look categories up."""
        self._lookup = pd.Index(self.categories)

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

    @property
    def n_categories(self) -> int:
        """Number of categories (width of the one-hot)."""
        return int(self.categories.shape[0])

    def encode(self, values: np.ndarray) -> np.ndarray:
        """Return the index of each value's category, ``-1`` where it is unknown."""
        return self._lookup.get_indexer(values)

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """Return the categories of ``codes``."""
        return self.categories[codes]

    def to_state(self) -> dict[str, Any]:
        """Return the encoder as a state tree of arrays."""
        return {"categories": to_storable(self.categories), "frequencies": self.frequencies}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CategoryEncoder:
        """Rebuild an encoder from :meth:`to_state`'s tree."""
        return cls(
            categories=from_storable(state["categories"]),
            frequencies=np.asarray(state["frequencies"], dtype=np.float64),
        )
