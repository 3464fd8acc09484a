"""Replacing personal values before any model sees them: :class:`PIISanitizer`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state

from synthohive.exceptions import DataValidationError, NotFittedError
from synthohive.privacy._config import PrivacyConfig
from synthohive.privacy._detect import IDENTIFIER, KINDS, detect_table
from synthohive.privacy._fake import fake_values, hash_values, mask_values

__all__ = ["PIISanitizer"]

logger = logging.getLogger(__name__)

COPY_MIN_SHARE = 0.5
"""A text column whose values are at least this share of a sanitised column's is sanitised too."""

MAX_LINK_ROWS = 1000
"""Rows checked for e-mails made of the row's name."""

# Kinds sanitised first, so that e-mails can be made of the row's fake name.
_KIND_ORDER = {"person_name": 0, "email": 2}


class PIISanitizer(TransformerMixin, BaseEstimator):
    """Replace the values of personal and identifier-like columns (a DataFrame or tables).

    ``fit`` decides, per column, a kind and a strategy: the columns ``config.columns``
    lists, the columns the schema declares with role ``"pii"`` (their ``"strategy"``) or
    ``"id"``, and, with ``config.detect``, those :func:`~synthohive.privacy.detect_pii`
    proposes. A text column most of whose values are values of a sanitised column (a child
    table's copy of its customer's name, an order's shipping address) is sanitised with it
    (PRIV-03). Keys of the schema are never touched. ``transform`` then replaces values:

    ``"fake"``
        Every distinct value gets a fake in its own format (see :mod:`._fake`), the same
        fake wherever the value appears, in any column of any table, so copies and joins
        on it stay consistent; e-mails are made of the row's fake name when the real ones
        contain the row's name; fakes never equal a real value of a sanitised column.
        Deterministic for a given ``random_state``.
    ``"hash"``
        ``HMAC-SHA256(secret, value)`` tokens: the same value gives the same token in every
        table and every run with the same secret.
    ``"mask"``, ``"drop"``, ``"keep"``
        Letters and digits replaced by ``*``; the column removed; the column left as is.

    Nulls stay nulls, so null rates are kept.

    Parameters
    ----------
    config : PrivacyConfig, optional
        None uses ``PrivacyConfig()``: detection on, detected columns faked.
    random_state : int, RandomState instance or None
        Seed of the fakes.

    Attributes
    ----------
    columns_ : dict of str to dict
        Per sanitised column (``"column"`` for one table, ``"table.column"`` for tables):
        ``{"kind", "strategy", "evidence"}``. Plain data without any value; models keep it
        as ``privacy_``.
    name_columns_ : dict of str to list of str
        Per e-mail column whose real values contain the row's name, the name columns its
        fakes are made of.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"email": [f"user{i}@mail.org" for i in range(20)],
    ...                       "plan": ["a", "b"] * 10})
    >>> clean = PIISanitizer(random_state=0).fit_transform(frame)
    >>> bool(clean["email"].isin(frame["email"]).any()), clean["plan"].equals(frame["plan"])
    (False, True)
    """

    def __init__(self, config: PrivacyConfig | None = None, random_state: Any = None) -> None:
        self.config = config
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None, schema: Any = None,
            roles: Mapping[str, str] | None = None) -> PIISanitizer:
        """Decide the kind and strategy of every column to sanitise.

        Parameters
        ----------
        X : DataFrame or dict of str to DataFrame
            One table, or tables by name.
        y : None
            Ignored.
        schema : Schema, optional
            With tables: keys (never sanitised) and declared roles.
        roles : dict of str to str, optional
            With one table: its declared roles (a model's ``roles=``), read like the
            schema's: a column declared ``"categorical"``, ``"numeric"`` or ``"datetime"``
            is the user's statement that it is data, not an identifier.

        Returns
        -------
        self

        Raises
        ------
        DataValidationError
            If ``X`` is not a DataFrame or dict of DataFrames, the config is invalid, or a
            ``"hash"`` column has no secret.
        """
        config = self._config()
        tables, single = _as_tables(X)
        decided: dict[str, dict[str, Any]] = {}
        guessed: set[str] = set()  # detected as mere identifiers: a copy rule may refine them
        for name, frame in tables.items():
            table = None if single else name
            spec = schema[name] if schema is not None and name in schema.tables else None
            keys = set(spec.key_columns) if spec is not None else set()
            proposed = detect_table(frame, table, keys) if config.detect else {}
            for column in map(str, frame.columns):
                declared_role = spec.role(column) if spec is not None else (
                    (roles or {}).get(column) if single else None)
                entry = _decide(config, declared_role, spec, table, column,
                                proposed.get(column))
                if entry is not None and column not in keys:
                    decided[_key(table, column)] = entry
                    declared = declared_role is not None
                    if (entry["kind"] == IDENTIFIER and config.listed(table, column) is None
                            and not declared):
                        guessed.add(_key(table, column))
        decided.update(_copies(tables, single, decided, guessed, schema))
        self.columns_ = {k: v for k, v in decided.items() if v["strategy"] != "keep"}
        self.name_columns_ = _name_columns(tables, single, self.columns_)
        if any(v["strategy"] == "hash" for v in self.columns_.values()):
            config.secret_bytes()
        for key, entry in self.columns_.items():
            logger.info("Privacy: column %r (%s) is sanitised by %r: %s", key, entry["kind"],
                        entry["strategy"], entry["evidence"])
        return self

    def transform(self, X: Any) -> Any:
        """Return a sanitised copy of ``X`` (the input is not modified).

        Parameters
        ----------
        X : DataFrame or dict of str to DataFrame
            Tables with the columns seen in ``fit``.

        Returns
        -------
        DataFrame or dict of str to DataFrame
            Same container as ``X``.

        Raises
        ------
        NotFittedError
            If called before ``fit``.
        DataValidationError
            If a ``"hash"`` column has no secret.
        """
        if not hasattr(self, "columns_"):
            raise NotFittedError("This PIISanitizer is not fitted yet; call fit(X) first.")
        tables, single = _as_tables(X)
        secret = (self._config().secret_bytes()
                  if any(v["strategy"] == "hash" for v in self.columns_.values()) else b"")
        rng = np.random.default_rng(check_random_state(self.random_state).randint(2**31 - 1))
        faked = [k for k, v in self.columns_.items() if v["strategy"] == "fake"]
        avoid = _real_values(tables, single, faked)
        known = pd.Series(dtype=object)
        out = {}
        for name, frame in tables.items():
            table = None if single else name
            frame = frame.copy()
            columns = [c for c in map(str, frame.columns) if _key(table, c) in self.columns_]
            columns.sort(key=lambda c: _KIND_ORDER.get(self.columns_[_key(table, c)]["kind"], 1))
            for column in columns:
                entry = self.columns_[_key(table, column)]
                if entry["strategy"] == "drop":
                    frame = frame.drop(columns=column)
                    continue
                values = frame[column]
                present = values.notna().to_numpy()
                text = values[present].astype(str)
                if entry["strategy"] == "fake":
                    names = self._name_values(frame, table, column, text)
                    known = _extend(known, text, entry["kind"], rng, avoid, names)
                    replaced = known.reindex(text.to_numpy()).to_numpy()
                else:
                    distinct = pd.unique(text)
                    tokens = (hash_values(distinct, secret) if entry["strategy"] == "hash"
                              else mask_values(distinct))
                    replaced = pd.Series(tokens, index=distinct).reindex(text.to_numpy())
                    replaced = replaced.to_numpy()
                frame[column] = _restore(values, present, replaced)
            out[name] = frame
        return out[None] if single else out

    def _config(self) -> PrivacyConfig:
        config = PrivacyConfig() if self.config is None else self.config
        if not isinstance(config, PrivacyConfig):
            raise DataValidationError(
                f"privacy must be a synthohive.privacy.PrivacyConfig or None, got "
                f"{type(config).__name__}."
            )
        config.check()
        return config

    def _name_values(self, frame: pd.DataFrame, table: str | None, column: str,
                     text: pd.Series) -> np.ndarray | None:
        """Return the (already faked) name of the row where each distinct value first appears."""
        sources = self.name_columns_.get(_key(table, column))
        if not sources:
            return None
        first = text.drop_duplicates()
        parts = [frame.loc[first.index, c].astype(str).str.split().str[0].fillna("")
                 for c in sources]
        joined = parts[0]
        for part in parts[1:]:
            joined = joined + " " + part
        return pd.Series(joined.to_numpy(), index=first.to_numpy()).reindex(
            pd.unique(text)).to_numpy(dtype=object)


def _as_tables(X: Any) -> tuple[dict[Any, pd.DataFrame], bool]:
    if isinstance(X, pd.DataFrame):
        return {None: X}, True
    if isinstance(X, Mapping) and all(isinstance(f, pd.DataFrame) for f in X.values()):
        return dict(X), False
    raise DataValidationError(
        f"PIISanitizer needs a DataFrame or a dict of DataFrames, got {type(X).__name__}."
    )


def _key(table: str | None, column: str) -> str:
    return column if table is None else f"{table}.{column}"


def _decide(config: PrivacyConfig, role: str | None, spec: Any, table: str | None,
            column: str, proposed: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return the entry of one column: listed in the config, declared, or detected."""
    listed = config.listed(table, column)
    declared = spec.columns.get(column, {}) if spec is not None else {}
    if listed is not None:
        kind = listed.get("kind") or (proposed or {}).get("kind") or IDENTIFIER
        return {"kind": kind, "strategy": listed.get("strategy", config.default),
                "evidence": "listed in PrivacyConfig.columns"}
    if role == "pii":
        kind = declared.get("kind") or (proposed or {}).get("kind") or IDENTIFIER
        return {"kind": kind, "strategy": declared.get("strategy", config.default),
                "evidence": "declared with role 'pii' in the schema"}
    if role == "id" and config.detect:
        kind = (proposed or {}).get("kind", IDENTIFIER)
        return {"kind": kind, "strategy": config.default,
                "evidence": "declared with role 'id' in the schema"}
    if role is not None or proposed is None:
        return None
    if proposed.get("kind") not in KINDS:
        raise DataValidationError(
            f"Column {_key(table, column)!r}: unknown PII kind {proposed.get('kind')!r}; use "
            f"one of {KINDS}."
        )
    return {**proposed, "strategy": config.default}


def _copies(tables: Mapping[Any, pd.DataFrame], single: bool, decided: Mapping[str, Any],
            guessed: set[str], schema: Any) -> dict[str, dict[str, Any]]:
    """Text columns whose values mostly come from a sanitised column (copies, PRIV-03).

    Columns not decided yet, and those only guessed to be identifiers, qualify; every
    sanitised column, guessed ones included, is a source (a copy of a guessed identifier, e.g.
    a child's ``store_name``, must take the same fakes as the identifier itself).
    """
    sources = {k: v for k, v in decided.items() if v["strategy"] not in ("keep", "drop")}
    if not sources:
        return {}
    pools = {k: pd.Index(_column(tables, single, k).dropna().astype(str).unique())
             for k in sources}
    union = pd.Index(np.concatenate([pool.to_numpy(dtype=object) for pool in pools.values()]))
    found = {}
    for name, frame in tables.items():
        table = None if single else name
        spec = schema[name] if schema is not None and name in schema.tables else None
        keys = set(spec.key_columns) if spec is not None else set()
        for column in map(str, frame.columns):
            key = _key(table, column)
            values = frame[column]
            if (key in decided and key not in guessed) or column in keys or not (
                pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)
                or isinstance(values.dtype, pd.CategoricalDtype)
            ):
                continue
            counts = values.value_counts(dropna=True)  # each distinct value once
            if counts.empty:
                continue
            counts.index = counts.index.astype(str)
            weights = counts.to_numpy() / counts.sum()
            if weights[counts.index.isin(union)].sum() < COPY_MIN_SHARE:
                continue
            shares = {s: float(weights[counts.index.isin(pool)].sum())
                      for s, pool in pools.items() if s != key}
            if not shares:
                continue
            source = max(shares, key=shares.get)
            if shares[source] >= COPY_MIN_SHARE:
                found[key] = {**sources[source],
                              "evidence": f"{shares[source]:.0%} of its values are values of "
                                          f"{source}"}
    return found


def _column(tables: Mapping[Any, pd.DataFrame], single: bool, key: str) -> pd.Series:
    if single:
        return tables[None][key]
    table, column = key.split(".", 1)
    return tables[table][column]


def _real_values(tables: Mapping[Any, pd.DataFrame], single: bool, keys: list[str]) -> np.ndarray:
    if not keys:
        return np.zeros(0, dtype=object)
    parts = [_column(tables, single, k).dropna().astype(str).to_numpy(dtype=object) for k in keys]
    return pd.unique(np.concatenate(parts))


def _name_columns(tables: Mapping[Any, pd.DataFrame], single: bool,
                  columns: Mapping[str, Any]) -> dict[str, list[str]]:
    """E-mail columns whose local parts contain the row's (first) name, and those names."""
    links = {}
    for name, frame in tables.items():
        table = None if single else name
        names = [c for c in map(str, frame.columns)
                 if columns.get(_key(table, c), {}).get("kind") == "person_name"
                 and columns[_key(table, c)]["strategy"] == "fake"]
        for column in map(str, frame.columns):
            entry = columns.get(_key(table, column), {})
            if not names or entry.get("kind") != "email" or entry["strategy"] != "fake":
                continue
            rows = frame.head(MAX_LINK_ROWS)  # a bounded sample tells the pattern
            local = rows[column].astype(str).str.split("@").str[0].str.lower()
            used: list[str] = []
            seen: list[pd.Series] = []
            for source in names:
                first = rows[source].astype(str).str.split().str[0].str.lower()
                contained = pd.Series([f in loc for f, loc in zip(first, local, strict=True)])
                repeated = any((first == other).mean() >= COPY_MIN_SHARE for other in seen)
                if contained.mean() >= COPY_MIN_SHARE and not repeated:
                    used.append(source)
                    seen.append(first)
            if used:
                links[_key(table, column)] = used
    return links


def _extend(known: pd.Series, text: pd.Series, kind: str, rng: np.random.Generator,
            avoid: np.ndarray, names: np.ndarray | None) -> pd.Series:
    """Add fakes for the distinct values of ``text`` not faked yet (in first-seen order)."""
    distinct = pd.unique(text)
    new = ~pd.Index(distinct).isin(known.index)
    if not new.any():
        return known
    fakes = fake_values(np.asarray(distinct[new], dtype=str), kind, rng,
                        avoid=np.concatenate([avoid, known.to_numpy(dtype=object)]),
                        names=None if names is None else names[new])
    return pd.concat([known, pd.Series(fakes, index=distinct[new], dtype=object)])


def _restore(values: pd.Series, present: np.ndarray, replaced: np.ndarray) -> pd.Series:
    """Put replacements where values were present, nulls elsewhere, in the input's dtype.

    Numbers (a column declared ``"id"`` or ``"pii"``) come back as numbers when every
    replacement parses as one (fakes of numbers do); otherwise as text.
    """
    full = np.full(len(values), None, dtype=object)
    full[present] = replaced
    out = pd.Series(full, index=values.index)
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = pd.to_numeric(out, errors="coerce")
        if numbers.notna().sum() == present.sum():
            return numbers.astype(values.dtype)
        return out
    if isinstance(values.dtype, pd.StringDtype):
        return out.astype(values.dtype)
    if isinstance(values.dtype, pd.CategoricalDtype):
        return out.astype("category")
    return out
