"""The default per-table model of :class:`synthohive.RelationalSynthesizer`."""

from __future__ import annotations

from synthohive.models.base import ConditionalGenerativeModel


def default_model() -> ConditionalGenerativeModel:
    """Return a fresh, unfitted default per-table model: ``CTGAN()`` with its defaults.

    The relational meta-estimator calls this when it is given ``model=None``; CTGAN is
    imported here, on first use, so the meta-estimator never imports a concrete model.

    Returns
    -------
    ConditionalGenerativeModel
        A new :class:`synthohive.CTGAN`.
    """
    from synthohive.models.ctgan import CTGAN  # lazy: keeps torch networks out of import

    return CTGAN()
