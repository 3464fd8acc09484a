"""Typed errors raised by SynthoHive.

Every failure that reaches a user is a :class:`SynthoHiveError`. Subclasses also derive
from the builtin exception they narrow (``ValueError``, ``OSError`` …) so generic
``except ValueError`` handlers keep working. Messages name the table, column and offending
value and say what to do about it.
"""

from __future__ import annotations

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

__all__ = [
    "ConnectorError",
    "ConstraintViolationError",
    "DataValidationError",
    "InvalidIdentifierError",
    "NotFittedError",
    "QualityGateError",
    "SchemaValidationError",
    "SerializationError",
    "SynthoHiveError",
    "TrainingError",
]


class SynthoHiveError(Exception):
    """Base class of every error raised by SynthoHive."""


class SchemaValidationError(SynthoHiveError, ValueError):
    """The schema, or the tables checked against it, are inconsistent.

    Parameters
    ----------
    message : str
        Summary of the failure.
    problems : list of str, optional
        Every problem found; all of them are listed in the message.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
        if self.problems:
            listing = "\n".join(f"  - {p}" for p in self.problems)
            message = f"{message}\n{listing}"
        super().__init__(message)


class DataValidationError(SynthoHiveError, ValueError):
    """Input data cannot be used as given (empty, all-null, inf, wrong columns …)."""


class TrainingError(SynthoHiveError, RuntimeError):
    """Training failed (diverged, produced non-finite values, or was misconfigured)."""


class NotFittedError(SynthoHiveError, _SklearnNotFittedError):
    """An estimator was used before ``fit``; also a scikit-learn ``NotFittedError``."""


class SerializationError(SynthoHiveError, OSError):
    """A model artifact is missing, corrupt, truncated, tampered with or of another version."""


class ConstraintViolationError(SynthoHiveError, ValueError):
    """Generated data violates a constraint declared in the schema.

    Parameters
    ----------
    message : str
        Summary of the failure.
    violations : list of dict, optional
        One entry per violated constraint, with keys ``table``, ``column``, ``constraint``,
        ``value`` (an observed offending value), ``count`` and ``text`` (a readable line);
        every ``text`` is listed in the message.
    """

    def __init__(self, message: str, violations: list[dict] | None = None) -> None:
        self.violations = list(violations or [])
        if self.violations:
            listing = "\n".join(f"  - {v['text']}" for v in self.violations)
            message = f"{message}\n{listing}"
        super().__init__(message)


class QualityGateError(SynthoHiveError):
    """Generated data misses the requested quality threshold.

    Parameters
    ----------
    message : str
        Summary of the failure.
    failures : list of str, optional
        One entry per failing ``table.column`` with its score and the threshold.
    """

    def __init__(self, message: str, failures: list[str] | None = None) -> None:
        self.failures = list(failures or [])
        if self.failures:
            listing = "\n".join(f"  - {f}" for f in self.failures)
            message = f"{message}\n{listing}"
        super().__init__(message)


class ConnectorError(SynthoHiveError, IOError):
    """Reading from or writing to an external store failed."""


class InvalidIdentifierError(SynthoHiveError, ValueError):
    """A database, schema, table or column name is not on the identifier allowlist."""
