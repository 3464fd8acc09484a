"""Helpers on the long-format metric frames (one row per table and column or pair).

Shared by :class:`~synthohive.metrics.QualityReport` and its HTML page, which import this
module rather than each other.
"""

from __future__ import annotations

import pandas as pd


def rows_of(frame: pd.DataFrame, table: str | None) -> pd.DataFrame:
    """Rows of ``table`` (None: rows of an unnamed table)."""
    return frame[frame["table"].isna() if table is None else frame["table"].eq(table)]
