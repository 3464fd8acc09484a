"""What to protect and how: :class:`PrivacyConfig`."""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from typing import Any

from sklearn.base import BaseEstimator

from synthohive.exceptions import DataValidationError

__all__ = ["SECRET_ENV", "STRATEGIES", "PrivacyConfig"]

STRATEGIES = ("fake", "hash", "mask", "drop", "keep")
SECRET_ENV = "SYNTHOHIVE_PII_SECRET"


class PrivacyConfig(BaseEstimator):
    """Which columns are personal, and what replaces their values before training.

    Parameters
    ----------
    columns : dict, optional
        Per column, a strategy (``{"email": "hash"}``) or a dict with ``"strategy"`` and
        optionally ``"kind"`` (the output of :func:`~synthohive.privacy.detect_pii`, edited
        or not). Keys are column names for one table, ``"table.column"`` (or a bare column
        name, meaning that column in every table) for a dict of tables. Listed columns are
        always sanitised with their strategy; ``"keep"`` opts one out.
    secret : str or bytes, optional
        Key of the ``"hash"`` strategy. None reads the ``SYNTHOHIVE_PII_SECRET`` environment
        variable. The secret is never stored: it is left out of pickles (``joblib``) and
        artifacts; re-fitting a loaded model needs it again.
    detect : bool, default=True
        Also sanitise the columns :func:`~synthohive.privacy.detect_pii` proposes (personal
        kinds and identifier-like text) that ``columns`` does not list.
    default : {"fake", "hash", "mask", "drop", "keep"}, default="fake"
        Strategy of detected columns, and of listed ones given without a strategy.

    Examples
    --------
    >>> config = PrivacyConfig(columns={"customers.email": "hash"}, secret="s3cret")
    >>> config.strategy_of("customers", "email"), config.default
    ('hash', 'fake')
    """

    def __init__(
        self,
        columns: Mapping[str, Any] | None = None,
        secret: str | bytes | None = None,
        detect: bool = True,
        default: str = "fake",
    ) -> None:
        self.columns = columns
        self.secret = secret
        self.detect = detect
        self.default = default

    def __getstate__(self) -> dict[str, Any]:
        """Pickled state: the parameters without the secret."""
        state = dict(super().__getstate__())
        state["secret"] = None
        return state

    def __deepcopy__(self, memo: dict[int, Any]) -> PrivacyConfig:
        """Copy with the secret (``sklearn.clone`` and ``copy.deepcopy`` keep it)."""
        return PrivacyConfig(
            columns=copy.deepcopy(self.columns, memo),
            secret=self.secret,
            detect=self.detect,
            default=self.default,
        )

    def __repr__(self, N_CHAR_MAX: int = 700) -> str:  # noqa: N803 (sklearn's signature)
        """Show the parameters, the secret hidden."""
        shown = "None" if self.secret is None else "'***'"
        return (
            f"PrivacyConfig(columns={self.columns!r}, secret={shown}, detect={self.detect!r}, "
            f"default={self.default!r})"
        )

    def check(self) -> None:
        """Validate the parameters.

        Raises
        ------
        DataValidationError
            If ``default`` or a column's strategy is not one of :data:`STRATEGIES`, or
            ``columns`` is not a dict.
        """
        if self.default not in STRATEGIES:
            raise DataValidationError(
                f"PrivacyConfig default={self.default!r} is not a strategy; use one of "
                f"{STRATEGIES}."
            )
        if self.columns is not None and not isinstance(self.columns, Mapping):
            raise DataValidationError(
                "PrivacyConfig columns must be a dict of column to strategy, got "
                f"{type(self.columns).__name__}."
            )
        for key, entry in (self.columns or {}).items():
            strategy = self._entry(entry).get("strategy", self.default)
            if strategy not in STRATEGIES:
                raise DataValidationError(
                    f"PrivacyConfig column {key!r}: strategy {strategy!r} is not one of "
                    f"{STRATEGIES}."
                )

    def listed(self, table: str | None, column: str) -> dict[str, Any] | None:
        """Return the entry of ``column`` (of ``table``) in ``columns``, or None."""
        entries = self.columns or {}
        for key in ((f"{table}.{column}",) if table else ()) + (column,):
            if key in entries:
                return self._entry(entries[key])
        return None

    def strategy_of(self, table: str | None, column: str) -> str | None:
        """Return the strategy ``columns`` gives ``column`` (``default`` if unset), or None."""
        entry = self.listed(table, column)
        return None if entry is None else entry.get("strategy", self.default)

    def secret_bytes(self) -> bytes:
        """Return the ``"hash"`` key: ``secret``, else ``$SYNTHOHIVE_PII_SECRET``.

        Raises
        ------
        DataValidationError
            If neither is set.
        """
        secret = self.secret if self.secret is not None else os.environ.get(SECRET_ENV)
        if not secret:
            raise DataValidationError(
                "The 'hash' privacy strategy needs a secret key: pass "
                f"PrivacyConfig(secret=...) or set the {SECRET_ENV} environment variable "
                "(keep it out of the code and the artifact)."
            )
        return secret if isinstance(secret, bytes) else str(secret).encode("utf-8")

    @staticmethod
    def _entry(entry: Any) -> dict[str, Any]:
        if isinstance(entry, str):
            return {"strategy": entry}
        if isinstance(entry, Mapping):
            return dict(entry)
        raise DataValidationError(
            f"A PrivacyConfig columns entry must be a strategy name or a dict, got {entry!r}."
        )
