"""Text columns that embed a person's name, and the names replaced by their fakes inside them.

A column such as ``photo_path = "http://…/davolio.bmp"`` or ``login = "nancy.davolio"``
is no name column, yet it carries the real last name of its row. :func:`embedding_columns`
finds such columns: at least ``EMBED_MIN_SHARE`` of the (first ``MAX_EMBED_ROWS``) rows
hold, as a word, a word of the same row's value of a faked person-name column of the table.
:func:`replace_words` then rewrites every word of those columns that is a word of *any* real
name of the source column (another row's name is as real as the row's own) by the word at
the same place of that name's fake, in the word's letter case; the rest of the text stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np

__all__ = ["EMBED_MIN_SHARE", "MAX_EMBED_ROWS", "MIN_WORD_LENGTH", "embedding_columns",
           "name_words", "replace_words"]

EMBED_MIN_SHARE = 0.5
"""Share of rows whose text holds a word of the row's name for the column to embed names."""

MAX_EMBED_ROWS = 1000
"""Rows checked (a bounded sample tells the pattern)."""

MIN_WORD_LENGTH = 3
"""Shorter name words (initials, "Li") are too common in other text to replace."""

_WORD = re.compile(r"[^\W\d_]+")


def _words(text: object) -> list[str]:
    """Return the lower-case words (letter runs) of a text value (none for a non-text one)."""
    return [w.lower() for w in _WORD.findall(text)] if isinstance(text, str) else []


def embedding_columns(frame_rows: Mapping[str, np.ndarray], names: Iterable[str],
                      candidates: Iterable[str]) -> dict[str, list[str]]:
    """Return the candidate columns that embed a name column's words, with those columns.

    Parameters
    ----------
    frame_rows : mapping of str to ndarray of object
        The first rows of every column involved, by column.
    names : iterable of str
        The person-name columns (faked).
    candidates : iterable of str
        The text columns not sanitised otherwise.

    Returns
    -------
    dict of str to list of str
        ``{column: [name columns whose words it holds]}``.
    """
    words = {n: [{w for w in _words(v) if len(w) >= MIN_WORD_LENGTH} for v in frame_rows[n]]
             for n in names}
    found = {}
    for column in candidates:
        held = [set(_words(v)) for v in frame_rows[column]]
        sources = [n for n, own in words.items()
                   if held and np.mean([bool(o & h) for o, h in zip(own, held, strict=True)])
                   >= EMBED_MIN_SHARE]
        if sources:
            found[column] = sources
    return found


def name_words(reals: Iterable[str], fakes: Iterable[str]) -> dict[str, str]:
    """Map each word of the real names to the word at the same place of their fakes.

    Names whose fake has another number of words, and words shorter than
    ``MIN_WORD_LENGTH``, are left out.
    """
    mapping = {}
    for real, fake in zip(reals, fakes, strict=True):
        real_words, fake_words = _WORD.findall(str(real)), _WORD.findall(str(fake))
        if len(real_words) == len(fake_words):
            mapping.update({r.lower(): f for r, f in zip(real_words, fake_words, strict=True)
                            if len(r) >= MIN_WORD_LENGTH})
    return mapping


def replace_words(values: np.ndarray, mapping: Mapping[str, str]) -> np.ndarray:
    """Replace every word of ``values`` found in ``mapping`` (lower case) by its image.

    The image takes the word's case: all lower, all upper, or capitalised as given.
    """
    def swap(match: re.Match[str]) -> str:
        word = match.group()
        image = mapping.get(word.lower())
        if image is None:
            return word
        if word.islower():
            return image.lower()
        return image.upper() if word.isupper() and len(word) > 1 else image.capitalize()

    return np.array([_WORD.sub(swap, v) if isinstance(v, str) else v for v in values],
                    dtype=object)
