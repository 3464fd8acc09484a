"""Text columns declared ``"numeric"``: learned as numbers, written back as text.

A code stored as text (``"00417"``, ``"12.50"``) that the schema or ``roles=`` declares
``"numeric"`` is parsed at ``fit`` and the model learns the numbers. Generated numbers are
written back as text in the column's own format: whole numbers without a decimal point,
zero-padded to the training width when every training value has the same number of
digits and some start with ``0``; other numbers with the most decimals seen in training.
The column keeps its input dtype (``object`` or ``string``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from synthohive.exceptions import DataValidationError


def learn_formats(frame: pd.DataFrame, roles: Mapping[str, str] | None,
                  owner: str) -> dict[str, dict[str, Any]]:
    """Return the text format of every text column declared ``"numeric"``.

    Parameters
    ----------
    frame : DataFrame
        Training rows.
    roles : mapping of str to str or None
        Declared roles (``roles=`` of the model).
    owner : str
        Estimator name, for messages.

    Returns
    -------
    dict of str to dict
        Per column: ``{"width": int or None, "decimals": int}``.

    Raises
    ------
    DataValidationError
        If a value of such a column is not a number.
    """
    formats: dict[str, dict[str, Any]] = {}
    for column, role in (roles or {}).items():
        if role != "numeric" or column not in frame.columns:
            continue
        values = frame[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        text = values.dropna().astype(str).str.strip()
        numbers = pd.to_numeric(text, errors="coerce")
        bad = text[numbers.isna()]
        if len(bad):
            raise DataValidationError(
                f"{owner}: column {column!r} has role 'numeric' but holds {bad.iloc[0]!r}, "
                "which is not a number; fix or null such values, or declare another role."
            )
        fraction = text.str.partition(".")[2]
        decimals = int(fraction.str.len().max()) if len(fraction) else 0
        digits = text.str.fullmatch(r"\d+")
        lengths = text.str.len()
        padded = bool(len(text)) and bool(digits.all()) and lengths.nunique() == 1 \
            and bool(text.str.startswith("0").any())
        formats[column] = {"width": int(lengths.iloc[0]) if padded else None,
                           "decimals": decimals}
    return formats


def to_numbers(frame: pd.DataFrame, formats: Mapping[str, dict[str, Any]]) -> pd.DataFrame:
    """Return ``frame`` with the formatted text columns parsed as float numbers."""
    if not formats:
        return frame
    out = frame.copy()
    for column in formats:
        text = out[column].astype("string").str.strip()
        out[column] = pd.to_numeric(text, errors="raise").to_numpy(dtype=np.float64,
                                                                   na_value=np.nan)
    return out


def to_text(frame: pd.DataFrame, formats: Mapping[str, dict[str, Any]],
            dtypes: Mapping[str, str]) -> pd.DataFrame:
    """Write generated numbers of the formatted columns back as text in their format."""
    if not formats:
        return frame
    out = frame.copy()
    for column, fmt in formats.items():
        numbers = pd.to_numeric(out[column]).to_numpy(dtype=np.float64, na_value=np.nan)
        present = ~np.isnan(numbers)
        decimals = int(fmt["decimals"])
        rounded = np.round(numbers[present], decimals)
        if decimals == 0:
            text = rounded.astype(np.int64).astype(str)
            if fmt["width"] is not None:
                text = np.char.zfill(text, int(fmt["width"]))
        else:
            text = np.char.mod(f"%.{decimals}f", rounded)
        values = np.full(len(numbers), None, dtype=object)
        values[present] = text.astype(object)
        out[column] = pd.Series(values, index=out.index).astype(dtypes[column])
    return out
