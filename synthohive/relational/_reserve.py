"""Reserve rows: fresh fakes for the id-like columns, so generated identities do not repeat.

The id-like values of a generated row come from one pool row (:mod:`._values`): at first
the sanitised training rows. When the generated anchor values drift from the training ones
(13 customers in the USA where training had 10) or a table is sampled in chunks, a group
needs more rows than training had, and reusing them would give two synthetic customers one
e-mail address, one phone number and one street address, where every real one had its own.

So ``fit`` adds *reserve rows* to the pool: the id-like columns of some training rows
sanitised again, with other seeds. The sanitiser fakes every personal value anew (a new
name, an e-mail address made of it, a phone in the same format), and each reserve row
keeps the anchor value of its training row, so the reserve rows follow their anchor like
the others. Each anchor group gets ``RESERVE_MIN`` rows plus a share of its rows
(``identity_reserve``, by default ``RESERVE_SHARE``; a group of two rows gets five, made in
three passes over them): by default enough for the drift of one sample at the training
size, at a tenth of the pool's size on a large table; ``scale - 1`` for larger samples. A reserve
row with a faked value that the real table or the pool holds, or that an earlier reserve
row took, is left out (checked here, at ``fit``, where the real values are at hand), so
every reserve row is new and no real value enters the pool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from synthohive.privacy import PIISanitizer
from synthohive.relational._plan import TablePlan
from synthohive.utils._random import derive_seed, numpy_generator

RESERVE_MIN = 4
RESERVE_SHARE = 0.1


def reserve_tables(sanitizer: PIISanitizer, real: Mapping[str, pd.DataFrame],
                   sanitised: Mapping[str, pd.DataFrame], plans: Mapping[str, TablePlan],
                   seed: int, share: float = RESERVE_SHARE) -> dict[str, pd.DataFrame]:
    """Return the reserve rows of every table whose id-like columns have faked ones.

    Parameters
    ----------
    sanitizer : PIISanitizer
        The synthesizer's sanitiser, fitted on ``real``; its ``random_state`` is changed.
    real : mapping of str to DataFrame
        The validated training tables, before sanitisation.
    sanitised : mapping of str to DataFrame
        The same tables sanitised by ``sanitizer`` (the training pool).
    plans : mapping of str to TablePlan
        Plans of the tables (id-like columns and anchor).
    seed : int
        The synthesizer's seed.
    share : float, default=RESERVE_SHARE
        Reserve rows per training row of each anchor group, beyond ``RESERVE_MIN`` per
        group (``identity_reserve``); 0 makes none.

    Returns
    -------
    dict of str to DataFrame
        Per table with reserve rows, the id-like columns (and the anchor) of those rows.
    """
    faked = {name: _faked(sanitizer, name, plan.id_like_columns)
             for name, plan in plans.items() if len(sanitised[name]) and share > 0}
    sources = {name: _sources(sanitised[name], plans[name].id_anchor, share,
                              numpy_generator(derive_seed(seed, "reserve", name)))
               for name, columns in faked.items() if columns}
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in sources}
    n_passes = max((int(passes.max()) + 1 for _, passes in sources.values()), default=0)
    for number in range(n_passes):  # a real value gets one fake per pass
        sanitizer.set_params(random_state=derive_seed(seed, "privacy", "reserve", number))
        again = sanitizer.transform({
            name: real[name].iloc[rows[passes == number]][_inputs(sanitizer, name, plans[name])]
            for name, (rows, passes) in sources.items() if (passes == number).any()})
        for name, frame in again.items():
            part = frame[list(plans[name].id_like_columns)].reset_index(drop=True)
            anchor = plans[name].id_anchor
            if anchor is not None:  # the training rows' value, sanitised or not
                rows, passes = sources[name]
                part[anchor] = sanitised[name][anchor].iloc[rows[passes == number]].to_numpy()
            parts[name].append(part)
    reserves = {}
    avoid = _real_values(sanitizer, real) if parts else pd.Index([])
    for name, frames in parts.items():
        candidates = pd.concat(frames, ignore_index=True)
        kept = candidates[_new(candidates, sanitised[name], avoid, faked[name])]
        if len(kept):
            reserves[name] = kept.reset_index(drop=True)
    return reserves


def pooled(frame: pd.DataFrame, plan: TablePlan,
           reserve: pd.DataFrame | None) -> tuple[pd.DataFrame, np.ndarray]:
    """Return the pool of a table's id-like values: its training rows, then its reserve rows.

    Returns
    -------
    pool : DataFrame
        The id-like columns and the anchor of every pool row.
    flags : ndarray of bool
        Whether each pool row is a reserve row.
    """
    columns = _pool_columns(plan)
    parts = [frame[columns]] if reserve is None else [frame[columns], reserve[columns]]
    flags = np.zeros(sum(len(p) for p in parts), dtype=bool)
    flags[len(frame):] = True
    return pd.concat(parts, ignore_index=True), flags


def _inputs(sanitizer: PIISanitizer, name: str, plan: TablePlan) -> list[str]:
    """Return the id-like columns and the columns their fakes are made from (names)."""
    needed = list(plan.id_like_columns)
    for column in plan.id_like_columns:
        key = f"{name}.{column}"
        embedded = sanitizer.columns_.get(key, {}).get("embeds", [])
        needed += sanitizer.name_columns_.get(key, [])
        needed += [k[len(name) + 1:] for k in embedded if k.startswith(f"{name}.")]
    return list(dict.fromkeys(needed))


def _faked(sanitizer: PIISanitizer, name: str, columns: Sequence[str]) -> list[str]:
    """Return the columns among ``columns`` that ``sanitizer`` replaces by fakes."""
    return [c for c in columns
            if sanitizer.columns_.get(f"{name}.{c}", {}).get("strategy") == "fake"]


def _pool_columns(plan: TablePlan) -> list[str]:
    return [*plan.id_like_columns, *([plan.id_anchor] if plan.id_anchor else [])]


def _sources(frame: pd.DataFrame, anchor: str | None, share: float,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Training rows to sanitise again, and the pass of each.

    Each anchor group gets ``RESERVE_MIN`` + ``share`` of its rows reserve rows,
    made from its rows in random order, again from the first in a later pass when the group
    has fewer rows than that.
    """
    groups = (np.zeros(len(frame), dtype=np.int64) if anchor is None
              else pd.factorize(frame[anchor].astype(object), use_na_sentinel=False)[0])
    sizes = np.bincount(groups)
    quota = RESERVE_MIN + np.ceil(share * sizes).astype(np.int64)
    order = np.lexsort((rng.random(len(frame)), groups))  # each group's rows, shuffled
    owner = np.repeat(np.arange(len(sizes)), quota)
    k = np.arange(len(owner)) - np.repeat(np.cumsum(quota) - quota, quota)
    rows = order[(np.cumsum(sizes) - sizes)[owner] + k % sizes[owner]]
    return rows, k // sizes[owner]


def _real_values(sanitizer: PIISanitizer,
                 real: Mapping[str, pd.DataFrame]) -> pd.Index:
    """Every real value of every faked column, as text: no fake may equal one."""
    columns = [(name, c) for name, frame in real.items()
               for c in _faked(sanitizer, name, list(map(str, frame.columns)))]
    if not columns:
        return pd.Index([])
    return pd.Index(pd.concat([real[name][c].dropna().astype(str) for name, c in columns]
                              ).unique())


def _new(candidates: pd.DataFrame, pool: pd.DataFrame, avoid: pd.Index,
         faked: Sequence[str]) -> np.ndarray:
    """Whether each candidate row's faked values are all new.

    New: no real value (``avoid``), not in the pool's column, not repeated.
    """
    new = np.ones(len(candidates), dtype=bool)
    for column in faked:
        values = candidates[column]
        text = values.astype(str)
        clash = (values.duplicated() | values.isin(pool[column].dropna())
                 | text.isin(avoid)) & values.notna()
        new &= ~clash.to_numpy()
    return new
