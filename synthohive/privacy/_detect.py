"""Detection of personal (PII) and identifier-like columns, from values and column names.

:func:`detect_pii` looks at every text column (object, string or category dtype) and
proposes one *kind* per column it judges sensitive, with the evidence. Nothing is
sanitised on the strength of a guess the user cannot see: the result is a plain dict the
user may edit (change a kind or strategy, delete an entry, add one) and pass on as
``PrivacyConfig(columns=...)``.

Kinds
-----
Personal kinds (:data:`PERSONAL_KINDS`): ``email``, ``card_number`` (13-19 digits passing
the Luhn check), ``iban`` (passing the mod-97 check), ``ip_address`` (IPv4/IPv6),
``national_id`` (US SSN ``999-99-9999`` by value; other national ids by column name),
``phone``, ``postal_code`` (by column name and short codes), ``street_address``
(a house number and words, or a street word, or by column name), ``person_name``
(capitalised words in a column whose name says it holds a person's name) and
``free_text`` (long multi-word text, distinct in every row or nearly, such as notes or
descriptions, in a table of any size: nine employees' biographies are as personal as nine
thousand) and
``credential`` (passwords, password hashes, secrets and tokens, by column name).

``identifier`` is not personal: text that identifies a row or an entity (titles, codes,
company names) because it has many distinct values: at least 100 making up 20 % of the
values (the relational synthesizer's id-like rule), or at least 10 with one per row in a table
that has other varied non-key columns (the only such column of a lookup table, such as 25
genre names, is its labels). Product names, cities, countries, categories and genres are not
flagged as personal; they are flagged ``identifier`` only when they are that distinct.

Values are judged on at most :data:`MAX_CHECKED_VALUES` distinct non-null values of the
column (the first ones in row order), so detection costs little on large tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from synthohive.exceptions import DataValidationError
from synthohive.privacy._distinct import Distinct, distinct
from synthohive.schema._kinds import (
    ID_LIKE_MIN_DISTINCT,
    ID_LIKE_MIN_RATIO,
    UNIQUE_TEXT_MIN_DISTINCT,
    UNIQUE_TEXT_MIN_RATIO,
)

__all__ = [
    "IDENTIFIER",
    "KINDS",
    "MAX_CHECKED_VALUES",
    "PERSONAL_KINDS",
    "detect_pii",
    "detect_table",
    "code_points",
    "iban_remainder",
    "identifier_like",
    "luhn_total",
    "luhn_valid",
]

MAX_CHECKED_VALUES = 200
IDENTIFIER = "identifier"
PERSONAL_KINDS = (
    "email",
    "card_number",
    "iban",
    "ip_address",
    "national_id",
    "phone",
    "postal_code",
    "street_address",
    "person_name",
    "free_text",
    "credential",
)
KINDS = (*PERSONAL_KINDS, IDENTIFIER)

_VALUE_SHARE = 0.8  # share of checked values that must match a kind's pattern
_SEPARATED = re.compile(r".*[+()\s.\-]")
_DIGIT = re.compile(r".*\d")
_ANY_DIGIT = re.compile(r"\d")
_ADDRESS_SHARE = 0.6
_FREE_TEXT_MIN_LENGTH = 40
_FREE_TEXT_MIN_WORDS = 5

_PATTERNS = {
    "email": re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"),
    "card_number": re.compile(r"^\d(?:[ -]?\d){12,18}$"),
    "iban": re.compile(r"^[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}$"),
    "ipv4": re.compile(r"^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$"),
    "ipv6": re.compile(r"^(?=.*:)[0-9A-Fa-f:]{2,39}$"),
    "ssn": re.compile(r"^\d{3}-\d{2}-\d{4}$"),
    "phone": re.compile(r"^\+?[\d\s().\-/]{7,24}$"),
    "extension": re.compile(r"^\d{1,6}$"),
    "postal_code": re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{1,9}$"),
    "house_number": re.compile(r"^\d+[A-Za-z]?[,\s]+\S+\s*\S*"),
    "street_word": re.compile(
        r"\b(?:street|st\.|avenue|ave\.?|road|rd\.|boulevard|blvd|lane|drive|dr\.|court|way|"
        r"place|square|rua|rue|calle|via|strasse|straße|str\.|weg|gatan|plaza|av\.)\b",
        re.IGNORECASE,
    ),
    "name_word": re.compile(r"^[A-Z][A-Za-z'\-.\u00C0-\u024F]*$"),
}

# Column-name hints: tokens of the normalised column name (e.g. "ContactName" gives
# {"contact", "name"}, "ship_email" gives {"ship", "email"}).
_NAME_HINTS = {
    "email": ({"email", "mail", "e_mail"}, None),
    "phone": ({"phone", "telephone", "tel", "mobile", "cell", "fax"}, None),
    "card_number": ({"card", "cc", "pan"}, {"number", "no", "num", "card"}),
    "iban": ({"iban"}, None),
    "ip_address": ({"ip", "ipv4", "ipv6"}, None),
    "credential": ({"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey"},
                   None),
    "national_id": (
        {"ssn", "nin", "passport", "insee", "sin", "nino", "taxid", "tin", "national", "social",
         "dni", "pesel", "nif", "cpf"},
        None,
    ),
    "postal_code": ({"postal", "zip", "zipcode", "postcode", "plz"}, None),
    "street_address": ({"address", "street", "addr"}, None),
}
_EXTENSION_TOKENS = {"extension", "ext"}  # a phone extension, when its values are digits
_PERSON_NAME_TOKENS = {"first", "last", "given", "family", "middle", "sur", "surname",
                       "firstname", "lastname", "fullname", "forename", "maiden"}
_PERSON_TOKENS = {"contact", "customer", "employee", "person", "user", "patient", "staff",
                  "member", "client", "owner", "manager", "student", "applicant", "holder",
                  "full"}
_PERSON_TABLES = {"customer", "customers", "employee", "employees", "person", "people",
                  "persons", "user", "users", "patient", "patients", "staff", "member",
                  "members", "client", "clients", "contact", "contacts", "actor", "actors"}
_NOT_PERSON_TOKENS = {"product", "category", "company", "city", "country", "region", "state",
                      "genre", "album", "track", "artist", "film", "store", "shipper", "brand",
                      "file", "host", "domain", "street", "table", "column", "department"}


def detect_pii(
    tables: pd.DataFrame | Mapping[str, pd.DataFrame], schema: Any = None
) -> dict[str, dict[str, str]]:
    """Propose a PII kind for every sensitive column of one table or of a dict of tables.

    Parameters
    ----------
    tables : DataFrame or dict of str to DataFrame
        One table (keys of the result are column names) or tables by name (keys are
        ``"table.column"``).
    schema : Schema, optional
        Keys of the tables: primary and foreign keys are never proposed (the relational
        synthesizer generates them anew) and do not count as a lookup table's columns.

    Returns
    -------
    dict
        ``{"table.column": {"kind": ..., "strategy": "fake", "evidence": ...}}`` for every
        flagged column, in table and column order. The evidence names what matched (the
        column name, the share of values matching a pattern) and never quotes a value.

    Raises
    ------
    DataValidationError
        If ``tables`` is not a DataFrame or a mapping of DataFrames.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"email": ["ann@mail.org", "bo@web.net"], "city": ["Oslo", "Rome"]})
    >>> detect_pii(frame)["email"]["kind"]
    'email'
    >>> "city" in detect_pii(frame)
    False
    """
    if isinstance(tables, pd.DataFrame):
        return detect_table(tables)
    if not isinstance(tables, Mapping) or not all(
        isinstance(f, pd.DataFrame) for f in tables.values()
    ):
        raise DataValidationError(
            f"detect_pii needs a DataFrame or a dict of DataFrames, got {type(tables).__name__}."
        )
    found = {}
    for name, frame in tables.items():
        keys = schema[name].key_columns if schema is not None and name in schema.tables else ()
        for column, entry in detect_table(frame, name, keys).items():
            found[f"{name}.{column}"] = entry
    return found


def detect_table(
    frame: pd.DataFrame, table: str | None = None, skipped: Any = (),
    values: Mapping[str, Distinct] | None = None,
) -> dict[str, dict[str, str]]:
    """Detect the sensitive columns of one table (see :func:`detect_pii`).

    Parameters
    ----------
    frame : DataFrame
        The table.
    table : str, optional
        Its name, a hint for person names (``customers.name`` is a person's name).
    skipped : sequence of str
        Columns never proposed.
    values : mapping of str to Distinct, optional
        Distinct values of some columns, already computed (see :func:`.distinct`); the
        text columns missing from it are computed here and added when it is a dict.

    Returns
    -------
    dict
        ``{column: {"kind", "strategy", "evidence"}}``.
    """
    skipped = {str(c) for c in skipped}
    values = {} if values is None else values
    text = [i for i, (column, dtype) in enumerate(zip(frame.columns, frame.dtypes, strict=True))
            if str(column) not in skipped and _is_text_dtype(dtype)]
    if not text:
        return {}
    varied = (c for i, c in enumerate(frame.columns)
              if str(c) not in skipped and frame.iloc[:, i].nunique() > 1)
    others = next(varied, None) is not None and next(varied, None) is not None
    found = {}
    for i in text:
        name = str(frame.columns[i])
        if name not in values and isinstance(values, dict):
            values[name] = distinct(frame.iloc[:, i])
        column_values = values[name] if name in values else distinct(frame.iloc[:, i])
        guess = _classify(column_values, name, table, others)
        if guess is not None:
            found[name] = {"kind": guess[0], "strategy": "fake", "evidence": guess[1]}
    return found


def identifier_like(values: pd.Series, has_other_columns: bool = True) -> bool:
    """Whether a text column identifies rows or entities by its many distinct values.

    Parameters
    ----------
    values : Series
        The column.
    has_other_columns : bool, default=True
        False for a lookup table whose only non-key column with more than one value this
        is: up to 100 labels (genre or category names) are what the table holds, not
        identifiers.

    Returns
    -------
    bool
        At least 100 distinct non-null values making up 20 % of them, or (with other
        columns) at least 10 distinct values that make up 95 % of them.
    """
    non_null = values.dropna()
    return _identifier_counts(non_null.nunique(), len(non_null), has_other_columns)


def _identifier_counts(n_distinct: int, n_present: int, has_other_columns: bool) -> bool:
    """:func:`identifier_like` from the counts of distinct and non-null values."""
    if n_distinct >= ID_LIKE_MIN_DISTINCT and n_distinct >= ID_LIKE_MIN_RATIO * n_present:
        return True
    return has_other_columns and n_distinct >= UNIQUE_TEXT_MIN_DISTINCT and (
        n_distinct >= UNIQUE_TEXT_MIN_RATIO * n_present
    )


def luhn_valid(numbers: np.ndarray) -> np.ndarray:
    """Whether each digit string passes the Luhn check (separators are ignored).

    Parameters
    ----------
    numbers : ndarray of str
        Card numbers.

    Returns
    -------
    ndarray of bool

    Examples
    --------
    >>> import numpy as np
    >>> luhn_valid(np.array(["4539 1488 0343 6467", "4539 1488 0343 6468"])).tolist()
    [True, False]
    """
    return luhn_total(code_points(numbers)) % 10 == 0


def code_points(values: np.ndarray) -> np.ndarray:
    """Return the Unicode code points of each string as a 0-padded matrix (one row each)."""
    fixed = np.asarray(values, dtype=str)
    width = max(fixed.dtype.itemsize // 4, 1)
    return fixed.astype(f"<U{width}").view(np.uint32).reshape(len(fixed), width).copy()


def luhn_total(chars: np.ndarray) -> np.ndarray:
    """Luhn sum of the digits of each code-point row (every other digit from the right doubled)."""
    digits = (chars >= ord("0")) & (chars <= ord("9"))
    from_right = np.cumsum(digits[:, ::-1], axis=1)[:, ::-1] - 1
    values = chars.astype(np.int64) - ord("0")
    doubled = np.where(from_right % 2 == 1, 2 * values, values)
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    return np.where(digits, doubled, 0).sum(axis=1)


def iban_remainder(values: np.ndarray) -> np.ndarray:
    """ISO 13616 mod-97 remainder of each IBAN (1 for a valid one); spaces are ignored."""
    compact = pd.Series(values, dtype=object).astype(str).str.replace(" ", "", regex=False)
    moved = (compact.str[4:] + compact.str[:4]).str.upper()
    codes = code_points(moved.to_numpy(dtype=str)).astype(np.int64)
    remainder = np.zeros(len(codes), dtype=np.int64)
    for position in range(codes.shape[1]):  # one vectorised step per character position
        code = codes[:, position]
        letter = code >= ord("A")
        value = np.where(letter, code - ord("A") + 10, code - ord("0"))
        step = (remainder * np.where(letter, 100, 10) + value) % 97
        remainder = np.where(code >= ord("0"), step, remainder)
    return remainder


def _is_text_dtype(dtype: Any) -> bool:
    """Whether a column of this dtype holds text (object, string or category), not numbers."""
    return not (is_numeric_dtype(dtype) or is_bool_dtype(dtype) or is_datetime64_any_dtype(dtype))


def _tokens(name: str) -> set[str]:
    """Lower-case tokens of a column or table name (snake_case, camelCase, spaces)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return {t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t}


def _share(values: list[str], test: str | re.Pattern[str] | Callable[[str], Any],
           at_least: float = 0.0) -> float:
    """Share of ``values`` passing ``test`` (a pattern matched at their start, or a function).

    With ``at_least``, counting stops as soon as that share is out of reach (most checks fail
    within a few dozen values); 0.0 is then returned.
    """
    if not values:
        return 0.0
    if isinstance(test, str):
        test = _PATTERNS[test]
    passes = test.match if isinstance(test, re.Pattern) else test
    misses_allowed = len(values) - np.ceil(at_least * len(values) - 1e-9)
    misses = 0
    for value in values:
        if not passes(value):
            misses += 1
            if misses > misses_allowed:
                return 0.0
    return 1.0 - misses / len(values)


def _hinted(tokens: set[str], kind: str) -> bool:
    required, companions = _NAME_HINTS[kind]
    if not tokens & required:
        return False
    return companions is None or bool(tokens & companions) or kind != "card_number"


def _person_name(values: list[str], tokens: set[str], table: str | None) -> bool:
    """Capitalised words, in a column whose (table) name points to a person's name."""
    if tokens & _NOT_PERSON_TOKENS or not values:
        return False
    named = bool(tokens & _PERSON_NAME_TOKENS) or (
        "name" in tokens
        and (bool(tokens & _PERSON_TOKENS) or (table is not None and _tokens(table) & _PERSON_TABLES
                                               and tokens == {"name"}))
    )
    if not named:
        return False
    word = _PATTERNS["name_word"]
    looks = sum(1 for v in values if 0 < len(v.split()) <= 4 and all(
        word.match(w) for w in v.split()))
    return looks / len(values) >= _VALUE_SHARE


def _classify(
    column: Distinct, name: str, table: str | None, has_other_columns: bool
) -> tuple[str, str] | None:
    """Return ``(kind, evidence)`` for a text column, or None when it looks harmless."""
    values = [v.strip() for v in column.values[:MAX_CHECKED_VALUES]]
    if not values:
        return None
    tokens = _tokens(name)
    checked = f"{len(values)} distinct values checked"

    def by_value(kind: str, pattern: str) -> tuple[str, str] | None:
        matched = _share(values, pattern, _VALUE_SHARE)
        if matched >= _VALUE_SHARE:
            return kind, f"{matched:.0%} of {checked} match the {kind} pattern"
        return None

    # Patterns that need a character the values lack are not tried (names have no digit).
    joined = "\n".join(values)
    digits = _ANY_DIGIT.search(joined) is not None
    found = by_value("email", "email") if "@" in joined else None
    if (found is None and digits
            and _share(values, "card_number", _VALUE_SHARE) >= _VALUE_SHARE):
        valid = float(luhn_valid(np.asarray(values)).mean())
        if valid >= _VALUE_SHARE:
            found = ("card_number", f"{valid:.0%} of {checked} are 13-19 digits passing Luhn")
    if found is None and digits and _share(values, "iban", _VALUE_SHARE) >= _VALUE_SHARE:
        valid = float((iban_remainder(np.asarray(values)) == 1).mean())
        if valid >= _VALUE_SHARE:
            found = ("iban", f"{valid:.0%} of {checked} pass the IBAN mod-97 check")
    if digits:
        found = found or by_value("ip_address", "ipv4")
    if ":" in joined:
        found = found or by_value("ip_address", "ipv6")
    if digits:
        found = found or by_value("national_id", "ssn")
    if found is not None:
        return found
    for kind in ("credential", "email", "phone", "card_number", "iban", "ip_address",
                 "national_id", "postal_code"):
        if _hinted(tokens, kind):
            return kind, f"column name {name!r} names a {kind}"
    if tokens & _EXTENSION_TOKENS and digits and (
            _share(values, "extension", _VALUE_SHARE) >= _VALUE_SHARE):
        return "phone", f"column name {name!r} and short digit strings: a phone extension"
    phone = _share(values, "phone", _VALUE_SHARE)
    if phone >= _VALUE_SHARE and _share(values, _SEPARATED, 0.5) >= 0.5:
        return "phone", f"{phone:.0%} of {checked} look like phone numbers"
    if _hinted(tokens, "street_address"):
        return "street_address", f"column name {name!r} names an address"
    house, street = _PATTERNS["house_number"], _PATTERNS["street_word"]
    address = _share(values, lambda v: house.match(v) or street.search(v),
                     _ADDRESS_SHARE) if digits else 0.0
    if address >= _ADDRESS_SHARE and _share(values, _DIGIT, 0.5) >= 0.5:
        return "street_address", f"{address:.0%} of {checked} look like street addresses"
    if _person_name(values, tokens, table):
        return "person_name", f"column name {name!r} and capitalised words: a person's name"
    n_distinct, n_present = len(column.values), column.n_present
    length = float(np.median([len(v) for v in values]))
    if (
        length >= _FREE_TEXT_MIN_LENGTH
        and np.median([len(v.split()) for v in values]) >= _FREE_TEXT_MIN_WORDS
        and n_distinct >= 2 and n_distinct >= UNIQUE_TEXT_MIN_RATIO * n_present
    ):
        return "free_text", f"long distinct text (median {length:.0f} characters)"
    if _identifier_counts(n_distinct, n_present, has_other_columns):
        return IDENTIFIER, f"{n_distinct} distinct values in {n_present} rows"
    return None
