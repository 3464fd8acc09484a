"""The privacy section of a quality report: which columns are sensitive, and the leakage rows.

Sensitive columns of a real table are the keys of the schema and the columns a default
:class:`~synthohive.privacy.PIISanitizer` sanitises: declared ``"id"`` or ``"pii"``, flagged
by :func:`synthohive.privacy.detect_pii`, or copies of those (an order's ``ship_name``). They are
left out of fidelity scores (a copied identifier would score perfectly and hide a leak) and
out of the row comparisons below; the personal ones are searched for in the output.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from synthohive.metrics._privacy import dcr_share, exact_copy_share, nn_distance_ratio, pii_reuse
from synthohive.privacy import PERSONAL_KINDS, PIISanitizer

__all__ = ["privacy_row", "sensitive_columns"]


def sensitive_columns(
    real: pd.DataFrame | Mapping[str, pd.DataFrame], schema: Any
) -> dict[str | None, tuple[set[str], set[str]]]:
    """Return, per table, the ``(personal, sensitive)`` column names of the real data.

    The columns are those a default :class:`~synthohive.privacy.PIISanitizer` would
    sanitise (detected, declared ``"id"``/``"pii"``, and copies of those in other tables),
    plus the keys of the schema.

    Parameters
    ----------
    real : DataFrame or dict of str to DataFrame
        The real table(s); a single table is keyed None.
    schema : Schema or None
        Keys and declared roles.

    Returns
    -------
    dict
        ``{table: (personal, sensitive)}``: ``personal`` holds the columns of a personal
        kind or declared ``"pii"``, ``sensitive`` those plus keys, ``"id"`` columns and
        identifier-like text.
    """
    decided = PIISanitizer().fit(real, schema=schema).columns_
    tables = {None: real} if isinstance(real, pd.DataFrame) else real
    out = {}
    for name, frame in tables.items():
        entries = {c: decided.get(c if name is None else f"{name}.{c}") for c in frame.columns}
        entries = {c: e for c, e in entries.items() if e is not None}
        keys = set(schema[name].key_columns) if schema is not None and name in schema.tables \
            else set()
        personal = {c for c, e in entries.items() if e["kind"] in PERSONAL_KINDS}
        out[name] = (personal, personal | keys | set(entries))
    return out


def privacy_row(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    output: pd.DataFrame | Mapping[str, pd.DataFrame],
    table: str | None,
    columns: tuple[set[str], set[str]],
    holdout: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the one-row leakage table of a synthetic table.

    Parameters
    ----------
    real, synthetic : DataFrame
        The real (training) table and its synthetic counterpart.
    output : DataFrame or dict of str to DataFrame
        Every synthetic table, searched for the real personal values.
    table : str or None
        The table's name.
    columns : tuple of set
        The table's ``(personal, sensitive)`` columns (from :func:`sensitive_columns`).
    holdout : DataFrame, optional
        Real rows of the table the model never saw; adds ``dcr_share`` and
        ``nn_distance_ratio``.

    Returns
    -------
    DataFrame
        Columns ``table``, ``exact_copy_share``, ``pii_reuse``, ``dcr_share``,
        ``nn_distance_ratio`` (the last two NaN without holdout; the first NaN when no
        column is left to compare).
    """
    personal, sensitive = columns
    compared = [c for c in real.columns if str(c) not in sensitive and c in synthetic.columns]
    copies = exact_copy_share(real, synthetic, compared) if compared else np.nan
    dcr = ratio = np.nan
    if holdout is not None and compared:
        dcr = dcr_share(real, holdout, synthetic, compared)
        ratio = nn_distance_ratio(real, synthetic, compared)
    reuse = pii_reuse(real, output, sorted(personal))
    return pd.DataFrame(
        [{"table": table, "exact_copy_share": copies, "pii_reuse": reuse, "dcr_share": dcr,
          "nn_distance_ratio": ratio}]
    )
