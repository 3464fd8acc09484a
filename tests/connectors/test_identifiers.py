"""The identifier allowlist (CONN-04)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synthohive.connectors._identifiers import (
    MAX_IDENTIFIER_LENGTH,
    validate_identifier,
    validate_identifiers,
    validate_qualified_name,
)
from synthohive.exceptions import InvalidIdentifierError

INJECTIONS = [
    "orders; DROP TABLE users",
    "orders--",
    "a'b",
    'a"b',
    "a`b",
    "a b",
    "a.b",
    "1abc",
    "",
    "ta\u0431le",
    "x/*",
    "../etc/passwd",
    "a\x00b",
    "a\nb",
    "x" * (MAX_IDENTIFIER_LENGTH + 1),
]


@pytest.mark.parametrize("name", ["orders", "_x", "Order_Items2", "a" * MAX_IDENTIFIER_LENGTH])
def test_allowed_names_are_returned_unchanged(name):
    assert validate_identifier(name, "table") == name


@pytest.mark.parametrize("name", INJECTIONS)
def test_injection_strings_are_rejected(name):
    with pytest.raises(InvalidIdentifierError, match="Invalid column name"):
        validate_identifier(name, "column")


@pytest.mark.parametrize("name", [None, 3, b"orders", ["orders"]])
def test_non_strings_are_rejected(name):
    with pytest.raises(InvalidIdentifierError, match="expected a string"):
        validate_identifier(name, "table")


def test_error_is_a_value_error_and_kind_is_checked():
    with pytest.raises(ValueError, match="Invalid schema name"):
        validate_identifier("a;b", "schema")
    with pytest.raises(InvalidIdentifierError, match="Unknown identifier kind"):
        validate_identifier("a", "tablespace")


def test_validate_identifiers_checks_every_name():
    assert validate_identifiers(["a", "b"], "column") == ["a", "b"]
    with pytest.raises(InvalidIdentifierError, match="'b c'"):
        validate_identifiers(["a", "b c"], "column")


def test_qualified_names_are_split_and_checked():
    assert validate_qualified_name("sales.orders") == ("sales", "orders")
    assert validate_qualified_name("orders") == ("orders",)
    with pytest.raises(InvalidIdentifierError, match="at most 2"):
        validate_qualified_name("a.b.c")
    with pytest.raises(InvalidIdentifierError, match="Invalid database name"):
        validate_qualified_name("x;y.orders")
    with pytest.raises(InvalidIdentifierError, match="expected a string"):
        validate_qualified_name(7)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_property_accepted_names_match_the_allowlist(name):
    try:
        validate_identifier(name, "table")
    except InvalidIdentifierError:
        return
    assert name.isascii()
    assert 0 < len(name) <= MAX_IDENTIFIER_LENGTH
    assert not name[0].isdigit()
    assert all(ch.isalnum() or ch == "_" for ch in name)
