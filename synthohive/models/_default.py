"""The default per-table model of :class:`synthohive.RelationalSynthesizer`."""

from __future__ import annotations

from synthohive.models.base import ConditionalGenerativeModel

# Below this many training rows a Gaussian copula is the default, from there on a
# TreeSynthesizer. On a few dozen rows a tree has one or two splits and keeps little more
# than the marginals, while the copula keeps pairwise dependence (northwind's 77 products and
# 91 customers: detection 0.25 and 0.36 for the copula, 0.59 and 0.56 for trees); from a
# few hundred rows on (chinook's 412 invoices, northwind's 830 orders, sakila's 16k rentals,
# generated tables of 1k to 1M rows) the trees' rows are much harder to tell from real ones
# (0.59 vs 0.71, 0.62 vs 0.98, 0.60 vs 0.68). The measurements are in doc/trees.md.
SMALL_TABLE_ROWS = 200


def default_model(n_rows: int | None = None) -> ConditionalGenerativeModel:
    """Return a fresh, unfitted default model for a table of ``n_rows`` rows.

    The relational meta-estimator calls this for every table when it is given
    ``model=None``. Concrete models are imported here, on first use, so the meta-estimator
    never imports one.

    Parameters
    ----------
    n_rows : int, optional
        Training rows of the table. Below ``SMALL_TABLE_ROWS`` (200) the default is a
        :class:`~synthohive.GaussianCopula`; from there on, or when unknown, a
        :class:`~synthohive.TreeSynthesizer`. ``doc/trees.md`` has the measurements.

    Returns
    -------
    ConditionalGenerativeModel
        A new :class:`synthohive.GaussianCopula` or :class:`synthohive.TreeSynthesizer`.
    """
    if n_rows is not None and n_rows < SMALL_TABLE_ROWS:
        from synthohive.models.copula import GaussianCopula

        return GaussianCopula()
    from synthohive.models.trees import TreeSynthesizer

    return TreeSynthesizer()
