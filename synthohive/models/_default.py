"""The default per-table model of :class:`synthohive.RelationalSynthesizer`."""

from __future__ import annotations

from synthohive.models.base import ConditionalGenerativeModel

# Below this many training rows a Gaussian copula is the default, from there on a
# TreeSynthesizer. A tree needs 2 * min_samples_leaf (40) rows for its first split, so on
# tiny tables it only keeps the marginals, while the copula keeps pairwise dependence; on
# every larger table of chinook, northwind and sakila and on generated tables of 1k to 1M
# rows the trees' synthetic rows are far harder to tell from real ones (see doc/trees.md).
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
