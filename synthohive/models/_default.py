"""The default per-table model of :class:`synthohive.RelationalSynthesizer`."""

from __future__ import annotations

from synthohive.models.base import ConditionalGenerativeModel

# Below this many training rows a Gaussian copula is the default. On every real table of
# ``synthohive/datasets/data`` and on 500- to 20,439-row samples of the sales lines of
# ``benchmarks/bench_ctgan.py``, it scores higher SDMetrics quality than CTGAN with its
# defaults (e.g. 0.88 vs 0.53 on 1,000 rows, 0.90 vs 0.72 on 20,439), in a fraction of the
# time: a GAN gets too few optimiser steps from a small table (see doc/relational.md).
SMALL_TABLE_ROWS = 20_000


def default_model(n_rows: int | None = None) -> ConditionalGenerativeModel:
    """Return a fresh, unfitted default model for a table of ``n_rows`` rows.

    The relational meta-estimator calls this for every table when it is given
    ``model=None``. Concrete models are imported here, on first use, so the meta-estimator
    never imports one.

    Parameters
    ----------
    n_rows : int, optional
        Training rows of the table. Below ``SMALL_TABLE_ROWS`` (20,000) the default is a
        :class:`~synthohive.GaussianCopula`; from there on, or when unknown, ``CTGAN()``.

    Returns
    -------
    ConditionalGenerativeModel
        A new :class:`synthohive.GaussianCopula` or :class:`synthohive.CTGAN`.
    """
    if n_rows is not None and n_rows < SMALL_TABLE_ROWS:
        from synthohive.models.copula import GaussianCopula

        return GaussianCopula()
    from synthohive.models.ctgan import CTGAN  # lazy: keeps torch networks out of import

    return CTGAN()
