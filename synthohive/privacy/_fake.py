"""Fake values in a column's own format, and the other replacement strategies.

Every function here takes distinct real values and returns one replacement per value,
vectorised over the values (character matrices, no per-value Python loops):

- :func:`fake_values`: a new value of the same *shape*: each digit replaced by a random
  digit, each letter by a random letter of the same case (consonants and vowels
  alternating, so names stay pronounceable), every other character kept; a phone's
  leading ``+country`` code and a leading trunk ``0`` are kept (the number still belongs to
  the row's country); card numbers keep their first digit (the network) and get a valid
  Luhn check digit; IBANs keep their country and get valid mod-97 check digits; IPv4
  addresses get four random octets; e-mails get a random local part (or one made of the
  row's fake name) at a random domain with the original top-level domain. Fakes are
  distinct and never equal a value in ``avoid`` (redrawn until they do not).
- :func:`hash_values`: ``HMAC-SHA256(secret, value)`` as 32 hexadecimal characters.
- :func:`mask_values`: every letter and digit replaced by ``*``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable, Collection
from typing import Any

import numpy as np
import pandas as pd

from synthohive.privacy._detect import code_points, iban_remainder, luhn_total

__all__ = ["fake_values", "hash_values", "mask_values", "shape_of"]

_MAX_REDRAWS = 20
_CONSONANTS = np.array([ord(c) for c in "bcdfghjklmnprstvwz"], dtype=np.uint32)
_VOWELS = np.array([ord(c) for c in "aeiou"], dtype=np.uint32)
_HEX = np.array([ord(c) for c in "0123456789abcdef"], dtype=np.uint32)
_TOKEN_LENGTH = 32
_NOT_LETTER = re.compile(r"[^a-z\s]")


def hash_values(values: np.ndarray, secret: bytes) -> np.ndarray:
    """Return the keyed HMAC-SHA256 token of every value (same value, same token).

    Parameters
    ----------
    values : ndarray of str
        Distinct values.
    secret : bytes
        The key.

    Returns
    -------
    ndarray of str
        32 hexadecimal characters per value.
    """
    tokens = [
        hmac.new(secret, str(v).encode("utf-8"), hashlib.sha256).hexdigest()[:_TOKEN_LENGTH]
        for v in values
    ]
    return np.asarray(tokens, dtype=object)


def mask_values(values: np.ndarray) -> np.ndarray:
    """Replace every letter and digit of each value by ``*`` (the shape survives).

    Parameters
    ----------
    values : ndarray of str

    Returns
    -------
    ndarray of str
    """
    return pd.Series(values, dtype=object).str.replace(r"\w", "*", regex=True).to_numpy()


def shape_of(values: pd.Series) -> pd.Series:
    """Return the character-class shape of each value: ``A`` upper, ``a`` lower, ``9`` digit.

    Shapes are how reference profiles describe a sensitive column without its values.

    Parameters
    ----------
    values : Series of str

    Returns
    -------
    Series of str

    Examples
    --------
    >>> import pandas as pd
    >>> shape_of(pd.Series(["Ann-Marie 42"])).tolist()
    ['Aaa-Aaaaa 99']
    """
    text = values.astype(str).str.replace(r"[0-9]", "9", regex=True)
    text = text.str.replace(r"[A-ZÀ-Þ]", "\x01", regex=True)
    text = text.str.replace(r"[^\W\d_]", "a", regex=True)
    return text.str.replace("\x01", "A", regex=False)


def fake_values(
    values: np.ndarray,
    kind: str,
    rng: np.random.Generator,
    avoid: Collection[str],
    names: np.ndarray | None = None,
) -> np.ndarray:
    """Return one fake per distinct real value, in the value's own format.

    Parameters
    ----------
    values : ndarray of str
        Distinct real values.
    kind : str
        Their kind (see :mod:`._detect`); decides the format rules.
    rng : numpy.random.Generator
        Source of every random character.
    avoid : collection of str
        Values no fake may equal (every real value of the sanitised columns, and the fakes
        already given out); a set is used as is, anything else is turned into one.
    names : ndarray of str, optional
        For e-mails: the fake name of the row each value first appears in; the local part
        is then made of that name.

    Returns
    -------
    ndarray of str (object dtype)
        Distinct fakes, none in ``avoid``.

    Examples
    --------
    >>> import numpy as np
    >>> fake = fake_values(np.array(["+1 (514) 555-0100"]), "phone",
    ...                    np.random.default_rng(0), avoid=np.array([]))
    >>> fake[0][:4], len(fake[0])
    ('+1 (', 17)
    """
    values = np.asarray(values, dtype=str)
    avoid = avoid if isinstance(avoid, (set, frozenset)) else set(avoid)
    fakes = _draw(values, kind, rng, names, lengthen=False)
    for round_ in range(_MAX_REDRAWS):
        bad = pd.Series(fakes, dtype=object).duplicated().to_numpy()
        bad |= np.fromiter((f in avoid for f in fakes), dtype=bool, count=len(fakes))
        if not bad.any():
            break
        # Redraw the clashes; a name-made e-mail or a tiny format space gets 2 more digits.
        lengthen = names is not None or round_ >= _MAX_REDRAWS // 2
        fakes[bad] = _draw(values[bad], kind, rng, None if names is None else names[bad],
                           lengthen=lengthen)
    return fakes


def _draw(values: np.ndarray, kind: str, rng: np.random.Generator,
          names: np.ndarray | None, lengthen: bool) -> np.ndarray:
    """One fake per value (not yet checked for clashes)."""
    if len(values) == 0:
        return values.astype(object)
    if kind == "email":
        return _emails(values, rng, names, lengthen)
    if kind == "ip_address" and (np.char.count(values, ".") == 3).all():
        octets = rng.integers(1, 255, size=(len(values), 4)).astype(str)
        joined = octets[:, 0]
        for column in range(1, 4):
            joined = np.char.add(np.char.add(joined, "."), octets[:, column])
        return joined.astype(object)
    fakes = _by_length(values, lambda group: _same_shape(group, kind, rng))
    if lengthen and kind not in ("card_number", "iban"):
        fakes = np.char.add(fakes.astype(str), _digit_suffix(rng, len(fakes))).astype(object)
    return fakes


def _by_length(values: np.ndarray, make: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Apply ``make`` to groups of values of similar length, each as narrow as it can be.

    A character matrix is as wide as its longest value; lengths grouped by powers of two keep
    the padding under half of each group's cells (3,257 track names of up to 123 characters
    but mostly under 30).
    """
    lengths = np.char.str_len(values)
    if lengths.max() * len(values) <= 2 * lengths.sum():  # padding is at most half already
        return make(values)
    groups = np.ceil(np.log2(np.maximum(lengths, 1))).astype(np.int64)
    out = np.empty(len(values), dtype=object)
    for group in np.unique(groups):
        members = groups == group
        out[members] = make(values[members].astype(f"<U{max(int(lengths[members].max()), 1)}"))
    return out


def _same_shape(values: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Fakes keeping every character's class (see :func:`fake_values`)."""
    chars = code_points(values)
    keep = ~(_letters(chars) | _digits(chars))
    if kind == "phone":
        keep |= _phone_prefix(chars)
    if kind in ("card_number", "iban"):
        keep[:, 0] = True
        keep[:, 1] |= kind == "iban"
    filled = _fill(chars, keep, rng, hex_only=kind == "ip_address")
    if kind == "card_number":
        filled = _with_luhn(filled)
    if kind == "iban":
        filled = _with_iban_check(filled)
    return _strings(filled)


def _digits(chars: np.ndarray) -> np.ndarray:
    return (chars >= ord("0")) & (chars <= ord("9"))


def _letters(chars: np.ndarray) -> np.ndarray:
    """Which code points are letters (ASCII by comparison, others looked up once each)."""
    return _classify(chars, str.isalpha, ((65, 90), (97, 122)))


def _upper(chars: np.ndarray) -> np.ndarray:
    """Which code points are upper-case letters."""
    return _classify(chars, str.isupper, ((65, 90),))


def _classify(chars: np.ndarray, test: Any, ascii_ranges: tuple) -> np.ndarray:
    out = np.zeros(chars.shape, dtype=bool)
    for low, high in ascii_ranges:
        out |= (chars >= low) & (chars <= high)
    wide = chars >= 128
    if wide.any():
        points, inverse = np.unique(chars[wide], return_inverse=True)
        out[wide] = np.array([test(chr(p)) for p in points], dtype=bool)[inverse]
    return out


def _phone_prefix(chars: np.ndarray) -> np.ndarray:
    """Mask of a leading ``+country`` code (up to 3 digits after ``+``) or trunk ``0``."""
    plus = chars[:, 0] == ord("+")
    run = np.cumprod(_digits(chars[:, 1:]), axis=1).astype(bool)
    prefix = np.zeros(chars.shape, dtype=bool)
    prefix[:, 1:] = run & plus[:, None] & (np.cumsum(run, axis=1) <= 3)
    prefix[:, 0] = chars[:, 0] == ord("0")
    return prefix


def _random_chars(rng: np.random.Generator, alphabet: np.ndarray, n: int) -> np.ndarray:
    return alphabet[rng.integers(0, len(alphabet), size=n)]


def _digit_suffix(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(10, 100, size=n).astype(str)


def _fill(chars: np.ndarray, keep: np.ndarray, rng: np.random.Generator,
          hex_only: bool = False) -> np.ndarray:
    """Replace every character not kept by a random one of its class."""
    out = chars.copy()
    digits = _digits(chars) & ~keep
    letters = ~keep & ~digits & (chars > 0)
    if hex_only:
        changed = letters | digits
        out[changed] = _random_chars(rng, _HEX, int(changed.sum()))
        return out
    out[digits] = _random_chars(rng, _HEX[:10], int(digits.sum()))
    where = np.flatnonzero(letters)  # row by row, so letters alternate within each value
    odd = np.cumsum(letters, axis=1, dtype=np.int32).ravel()[where] % 2 == 1
    # One draw serves both alphabets: 90 is a multiple of 18 and 5, so each is uniform.
    picks = rng.integers(0, len(_CONSONANTS) * len(_VOWELS), size=len(where), dtype=np.uint8)
    drawn = np.where(odd, _CONSONANTS[picks % len(_CONSONANTS)], _VOWELS[picks % len(_VOWELS)])
    drawn -= np.uint32(32) * _upper(chars).ravel()[where]
    np.put(out, where, drawn)
    return out


def _strings(chars: np.ndarray) -> np.ndarray:
    width = chars.shape[1]
    return np.ascontiguousarray(chars).view(f"<U{width}").ravel().astype(object)


def _with_luhn(chars: np.ndarray) -> np.ndarray:
    """Set the last digit of each card number so the Luhn check passes."""
    last = chars.shape[1] - 1 - np.argmax(_digits(chars)[:, ::-1], axis=1)
    rows = np.arange(len(chars))
    chars[rows, last] = ord("0")
    chars[rows, last] = ord("0") + (10 - luhn_total(chars) % 10) % 10
    return chars


def _with_iban_check(chars: np.ndarray) -> np.ndarray:
    """Set the two check digits (positions 3-4) so the mod-97 check passes."""
    chars[:, 2:4] = ord("0")
    check = 98 - iban_remainder(_strings(chars))
    chars[:, 2] = ord("0") + check // 10
    chars[:, 3] = ord("0") + check % 10
    return chars


def _emails(values: np.ndarray, rng: np.random.Generator, names: np.ndarray | None,
            lengthen: bool) -> np.ndarray:
    """Fake e-mails: local part from the row's name or random, random host, same TLD."""
    split = [str(v).rsplit("@", 1) for v in values]
    hosts = [(p[1] if len(p) > 1 else "mail.com").rsplit(".", 1) for p in split]
    local_chars = code_points(np.array([p[0].lower() for p in split], dtype=str))
    local = _strings(_fill(local_chars, ~(_letters(local_chars) | _digits(local_chars)), rng))
    if names is not None:
        from_name = [_local_part(str(n)) for n in names]
        local = np.array([made or drawn for made, drawn in zip(from_name, local, strict=True)],
                         dtype=object)
    if lengthen:
        local = np.char.add(local.astype(str), _digit_suffix(rng, len(local)))
    host_chars = code_points(np.array([h[0].lower() for h in hosts], dtype=str))
    fake_host = _strings(_fill(host_chars, ~(_letters(host_chars) | _digits(host_chars)), rng))
    return np.array([f"{lp}@{host}.{h[1] if len(h) > 1 else 'com'}"
                     for lp, host, h in zip(local, fake_host, hosts, strict=True)], dtype=object)


def _local_part(name: str) -> str:
    """Return an e-mail local part made of a name: ASCII letters, words joined by dots."""
    ascii_name = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    return ".".join(_NOT_LETTER.sub("", ascii_name).split())
