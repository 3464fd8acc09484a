"""The privacy section of a quality report: which columns are sensitive, and the leakage rows.

Sensitive columns of a real table are the keys of the schema, the columns it declares with
role ``"id"`` or ``"pii"``, and those :func:`synthohive.privacy.detect_pii` flags. They are
left out of fidelity scores (a copied identifier would score perfectly and hide a leak) and
out of the row comparisons below; the personal ones are searched for in the output.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from synthohive.metrics._privacy import dcr_share, exact_copy_share, nn_distance_ratio, pii_reuse
from synthohive.privacy._detect import PERSONAL_KINDS, detect_table

__all__ = ["privacy_row", "sensitive_columns"]


def sensitive_columns(frame: pd.DataFrame, table: str | None, schema: Any) -> tuple[set, set]:
    """Return ``(personal, sensitive)`` column names of a real table.

    Parameters
    ----------
    frame : DataFrame
        The real table.
    table : str or None
        Its name in ``schema``.
    schema : Schema or None
        Keys and declared roles.

    Returns
    -------
    personal : set of str
        Columns of a personal kind, or declared ``"pii"``.
    sensitive : set of str
        ``personal`` plus keys, ``"id"`` columns and identifier-like text.
    """
    spec = schema[table] if schema is not None and table in schema.tables else None
    keys = set(spec.key_columns) if spec is not None else set()
    detected = detect_table(frame, table, keys)
    personal = {c for c, entry in detected.items() if entry["kind"] in PERSONAL_KINDS}
    sensitive = keys | set(detected)
    if spec is not None:
        personal |= {c for c in spec.columns if spec.role(c) == "pii"}
        sensitive |= {c for c in spec.columns if spec.role(c) in ("id", "pii")}
    return personal & set(map(str, frame.columns)), (sensitive | personal)


def privacy_row(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    output: pd.DataFrame | Mapping[str, pd.DataFrame],
    table: str | None,
    schema: Any,
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
    schema : Schema or None
        Keys and declared roles.
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
    personal, sensitive = sensitive_columns(real, table, schema)
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
