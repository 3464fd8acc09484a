"""Keep generated context inside what a child model saw during ``fit``.

At ``fit`` a child model sees the attributes of the parents that *have* children; at
``sample`` it gets generated parents, which can carry a category that no parent with
children had (e.g. an employee who supports no customer) or a null where the training
context had none. Many models refuse such input. A :class:`ContextGuard`, learned from the
training context, replaces an unseen category or an unexpected null by the column's most
frequent training value (median for continuous numbers and datetimes) before the model is
called. Which columns count as categorical is decided by
:func:`synthohive.schema._kinds.is_guarded_category`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synthohive.schema._kinds import is_guarded_category


def _storable(values: pd.Series) -> np.ndarray:
    """Values as a non-object numpy array (text as str, nullable numbers as numpy)."""
    if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
        return values.astype(str).to_numpy(dtype=str)
    numpy_dtype = getattr(values.dtype, "numpy_dtype", None)
    return values.to_numpy(dtype=numpy_dtype) if numpy_dtype is not None else values.to_numpy()


class ContextGuard:
    """Per-column fill values and seen categories of a training context.

    Parameters
    ----------
    fills : dict of str to ndarray
        One-element array per column: the replacement value.
    seen : dict of str to ndarray
        Training values of each categorical column (as strings).
    nullable : list of str
        Columns that had nulls in the training context (their nulls are kept).
    """

    def __init__(self, fills: dict[str, np.ndarray], seen: dict[str, np.ndarray],
                 nullable: list[str]) -> None:
        self.fills = fills
        self.seen = seen
        self.nullable = nullable

    @classmethod
    def learn(cls, context: pd.DataFrame) -> ContextGuard:
        """Learn the guard of a training context."""
        fills: dict[str, np.ndarray] = {}
        seen: dict[str, np.ndarray] = {}
        for column in context.columns:
            values = context[column].dropna()
            if len(values) == 0:
                continue
            if is_guarded_category(values):
                as_text = values.astype(str)
                seen[column] = np.sort(as_text.unique()).astype(str)
                chosen = values[(as_text == as_text.mode().iloc[0]).to_numpy()].iloc[:1]
            else:
                chosen = values.sort_values().iloc[[len(values) // 2]]
            fills[column] = _storable(chosen)
        nullable = [str(c) for c in context.columns if context[c].isna().any()]
        return cls(fills, seen, nullable)

    def apply(self, context: pd.DataFrame) -> pd.DataFrame:
        """Return ``context`` with unseen categories and unexpected nulls replaced."""
        out = context
        for column, fill in self.fills.items():
            values = out[column]
            bad = np.zeros(len(values), dtype=bool)
            if column not in self.nullable:
                bad |= values.isna().to_numpy()
            if column in self.seen:
                bad |= (values.notna() & ~values.astype(str).isin(self.seen[column])).to_numpy()
            if bad.any():
                if out is context:
                    out = context.copy()
                replacement = pd.Series(np.repeat(fill, int(bad.sum()))).astype(values.dtype)
                fixed = values.copy()
                fixed[bad] = replacement.to_numpy()
                out[column] = fixed
        return out

    def to_state(self) -> dict[str, Any]:
        """Return the guard as a state tree (arrays and lists)."""
        return {"fills": self.fills, "seen": self.seen, "nullable": self.nullable}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ContextGuard:
        """Rebuild a guard from :meth:`to_state`."""
        return cls(dict(state["fills"]), dict(state["seen"]), list(state["nullable"]))
