"""The identifier allowlist (CONN-04).

Every database, schema, table and column name that reaches SQL (or a file path) is checked here
first. Names must be plain identifiers: ASCII letters, digits and underscores, not starting with
a digit, at most :data:`MAX_IDENTIFIER_LENGTH` characters. Anything else (quotes, semicolons,
spaces, dots, comment markers, non-ASCII look-alikes) raises :class:`InvalidIdentifierError`
before any statement is built. A qualified name (``schema.table``, ``database.table``) is split
by :func:`validate_qualified_name` and each part checked. Values never go through here: they
always travel as bound parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from synthohive.exceptions import InvalidIdentifierError

__all__ = [
    "IDENTIFIER_KINDS",
    "MAX_IDENTIFIER_LENGTH",
    "validate_identifier",
    "validate_identifiers",
    "validate_qualified_name",
]

#: Longest accepted name: PostgreSQL's limit (63 bytes); MySQL allows 64, SQLite more.
MAX_IDENTIFIER_LENGTH = 63

#: Kinds of names, used in error messages.
IDENTIFIER_KINDS = ("database", "schema", "table", "column", "identifier")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def validate_identifier(name: object, kind: str = "identifier") -> str:
    """Check one name against the allowlist and return it unchanged.

    Parameters
    ----------
    name : object
        The name to check; anything but a matching ``str`` is rejected.
    kind : {"database", "schema", "table", "column", "identifier"}, default="identifier"
        What the name is, for the error message.

    Returns
    -------
    str
        ``name``, unchanged.

    Raises
    ------
    InvalidIdentifierError
        If ``name`` is not a string of ASCII letters, digits and underscores that starts with a
        letter or underscore and is at most :data:`MAX_IDENTIFIER_LENGTH` characters long.

    Examples
    --------
    >>> validate_identifier("orders", "table")
    'orders'
    >>> validate_identifier("orders; DROP TABLE users", "table")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    synthohive.exceptions.InvalidIdentifierError: Invalid table name 'orders; DROP TABLE users': ...
    """
    if kind not in IDENTIFIER_KINDS:
        raise InvalidIdentifierError(
            f"Unknown identifier kind {kind!r}; use one of {IDENTIFIER_KINDS}."
        )
    if not isinstance(name, str):
        raise InvalidIdentifierError(
            f"Invalid {kind} name {name!r}: expected a string, got {type(name).__name__}."
        )
    if len(name) > MAX_IDENTIFIER_LENGTH:
        raise InvalidIdentifierError(
            f"Invalid {kind} name {name[:80]!r}...: {len(name)} characters, the limit is "
            f"{MAX_IDENTIFIER_LENGTH}; use a shorter name."
        )
    if _IDENTIFIER.fullmatch(name) is None:
        raise InvalidIdentifierError(
            f"Invalid {kind} name {name!r}: names may contain only ASCII letters, digits and "
            "underscores and must not start with a digit; rename it (or expose it through a "
            "view with such a name)."
        )
    return name


def validate_identifiers(names: Iterable[object], kind: str = "identifier") -> list[str]:
    """Check several names with :func:`validate_identifier`.

    Parameters
    ----------
    names : iterable of object
        Names to check.
    kind : str, default="identifier"
        What the names are, for the error message.

    Returns
    -------
    list of str
        The names, unchanged, in order.

    Raises
    ------
    InvalidIdentifierError
        On the first name that is not allowed.
    """
    return [validate_identifier(name, kind) for name in names]


def validate_qualified_name(
    name: object, kinds: tuple[str, ...] = ("database", "table")
) -> tuple[str, ...]:
    """Split a dotted name such as ``"db.table"`` and check every part.

    Parameters
    ----------
    name : object
        The dotted name; it may have between one and ``len(kinds)`` parts.
    kinds : tuple of str, default=("database", "table")
        Kinds of the parts, outermost first; a name with fewer parts uses the last kinds.

    Returns
    -------
    tuple of str
        The parts, outermost first.

    Raises
    ------
    InvalidIdentifierError
        If the name is not a string, has too many parts, or a part is not allowed.

    Examples
    --------
    >>> validate_qualified_name("sales.orders")
    ('sales', 'orders')
    """
    if not isinstance(name, str):
        raise InvalidIdentifierError(
            f"Invalid {kinds[-1]} name {name!r}: expected a string, got {type(name).__name__}."
        )
    parts = name.split(".")
    if len(parts) > len(kinds):
        raise InvalidIdentifierError(
            f"Invalid {kinds[-1]} name {name!r}: expected at most {len(kinds)} dot-separated "
            f"parts ({'.'.join(kinds)})."
        )
    used = kinds[len(kinds) - len(parts):]
    return tuple(validate_identifier(part, kind) for part, kind in zip(parts, used, strict=True))
