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
from synthohive.privacy._distinct import Distinct, distinct
from synthohive.privacy._embedded import (
    MAX_EMBED_ROWS,
    embedding_columns,
    name_words,
    replace_words,
)
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
        return self._fit(X, schema, roles, {})

    def fit_transform(self, X: Any, y: Any = None, schema: Any = None,
                      roles: Mapping[str, str] | None = None) -> Any:
        """:meth:`fit`, then :meth:`transform` of the same ``X``, reading each column once.

        Parameters
        ----------
        X, y, schema, roles
            As for :meth:`fit`.

        Returns
        -------
        DataFrame or dict of str to DataFrame
            The sanitised copy of ``X``.
        """
        seen: dict[str, Distinct] = {}
        return self._fit(X, schema, roles, seen)._transform(X, seen)

    def _fit(self, X: Any, schema: Any, roles: Mapping[str, str] | None,
             seen: dict[str, Distinct]) -> PIISanitizer:
        """:meth:`fit`; ``seen`` receives the distinct values it computes, by column key."""
        config = self._config()
        tables, single = _as_tables(X)
        decided: dict[str, dict[str, Any]] = {}
        guessed: set[str] = set()  # detected as mere identifiers: a copy rule may refine them
        free: dict[Any, list[str]] = {}  # text columns nothing was declared or listed for
        for name, frame in tables.items():
            table = None if single else name
            spec = schema[name] if schema is not None and name in schema.tables else None
            keys = set(spec.key_columns) if spec is not None else set()
            found: dict[str, Distinct] = {}
            proposed = detect_table(frame, table, keys, found) if config.detect else {}
            seen.update({_key(table, c): v for c, v in found.items()})
            for column in map(str, frame.columns):
                declared_role = spec.role(column) if spec is not None else (
                    (roles or {}).get(column) if single else None)
                entry = _decide(config, declared_role, spec, table, column,
                                proposed.get(column))
                if (entry is None and column not in keys and declared_role is None
                        and config.listed(table, column) is None
                        and _is_text(frame[column].dtype)):
                    free.setdefault(name, []).append(column)
                if entry is not None and column not in keys:
                    decided[_key(table, column)] = entry
                    declared = declared_role is not None
                    if (entry["kind"] == IDENTIFIER and config.listed(table, column) is None
                            and not declared):
                        guessed.add(_key(table, column))
        decided.update(_copies(tables, single, decided, guessed, schema, seen))
        self.columns_ = {k: v for k, v in decided.items() if v["strategy"] != "keep"}
        self.name_columns_ = _name_columns(tables, single, self.columns_)
        self.columns_.update(_embedding(tables, single, self.columns_, {
            name: [c for c in columns if _key(None if single else name, c) not in decided]
            for name, columns in free.items()}))
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
        return self._transform(X, {})

    def _transform(self, X: Any, seen: dict[str, Distinct]) -> Any:
        """:meth:`transform`, reusing the distinct values in ``seen`` (by column key)."""
        tables, single = _as_tables(X)
        secret = (self._config().secret_bytes()
                  if any(v["strategy"] == "hash" for v in self.columns_.values()) else b"")
        rng = np.random.default_rng(check_random_state(self.random_state).randint(2**31 - 1))
        found = {k: _values_of(tables, single, k, seen) for k, v in self.columns_.items()
                 if v["strategy"] != "drop" and _has_column(tables, single, k)}
        # Fakes never equal a real value of a faked column, nor a fake already given out.
        avoid = {v for k, d in found.items() if self.columns_[k]["strategy"] == "fake"
                 for v in d.values}
        known: dict[str, str] = {}
        out = {}
        for name, frame in tables.items():
            table = None if single else name
            columns = [c for c in map(str, frame.columns) if _key(table, c) in self.columns_]
            columns.sort(key=lambda c: _KIND_ORDER.get(self.columns_[_key(table, c)]["kind"], 1))
            # Columns are replaced, never written into: a table without any keeps its arrays.
            frame = frame.copy(deep=bool(columns))
            for column in columns:
                entry = self.columns_[_key(table, column)]
                if entry["strategy"] == "drop":
                    frame = frame.drop(columns=column)
                    continue
                values = found[_key(table, column)]
                if "embeds" in entry and all(source in found for source in entry["embeds"]):
                    reals = [r for source in entry["embeds"] for r in found[source].values]
                    replaced = replace_words(values.values,
                                             name_words(reals, [known[r] for r in reals]))
                elif entry["strategy"] == "fake":  # without its names, a column is faked whole
                    names = self._name_values(frame, table, column, values)
                    replaced = _fakes(known, values.values, entry["kind"], rng, avoid, names)
                elif entry["strategy"] == "hash":
                    replaced = hash_values(values.values, secret)
                else:
                    replaced = mask_values(values.values)
                frame[column] = _restore(frame[column], values.codes, replaced)
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
                     values: Distinct) -> np.ndarray | None:
        """Return the (already faked) name of the row where each distinct value first appears."""
        sources = self.name_columns_.get(_key(table, column))
        if not sources:
            return None
        first = values.first_rows()
        parts = [_first_words(frame[c].to_numpy(dtype=object)[first]) for c in sources]
        return np.array([" ".join(words) for words in zip(*parts, strict=True)], dtype=object)


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
            guessed: set[str], schema: Any,
            seen: dict[str, Distinct]) -> dict[str, dict[str, Any]]:
    """Text columns whose values mostly come from a sanitised column (copies, PRIV-03).

    Columns not decided yet, and those only guessed to be identifiers, qualify; every
    sanitised column, guessed ones included, is a source (a copy of a guessed identifier, e.g.
    a child's ``store_name``, must take the same fakes as the identifier itself). ``seen``
    holds the distinct values already computed (and receives those computed here).
    """
    sources = [k for k, v in decided.items() if v["strategy"] not in ("keep", "drop")]
    if not sources:
        return {}
    pools = [_values_of(tables, single, k, seen).values for k in sources]
    # One row per distinct value of any source, one column per source: does it hold it?
    codes, union = pd.factorize(np.concatenate(pools))
    holds = np.zeros((len(union), len(sources)))
    holds[codes, np.repeat(np.arange(len(sources)), [len(p) for p in pools])] = 1.0
    union = pd.Index(union)
    found = {}
    for name, frame in tables.items():
        table = None if single else name
        spec = schema[name] if schema is not None and name in schema.tables else None
        keys = set(spec.key_columns) if spec is not None else set()
        for column, dtype in zip(map(str, frame.columns), frame.dtypes, strict=True):
            key = _key(table, column)
            if (key in decided and key not in guessed) or column in keys or not _is_text(dtype):
                continue
            values = _values_of(tables, single, key, seen)
            counts = values.counts
            if counts.sum() == 0:
                continue
            where = union.get_indexer(values.values)
            hit = where >= 0
            weights = counts[hit] / counts.sum()
            if weights.sum() < COPY_MIN_SHARE:
                continue
            shares = weights @ holds[where[hit]]
            if key in sources:
                shares[sources.index(key)] = -1.0
            best = int(np.argmax(shares))
            if len(sources) > (key in sources) and shares[best] >= COPY_MIN_SHARE:
                found[key] = {**decided[sources[best]],
                              "evidence": f"{shares[best]:.0%} of its values are values of "
                                          f"{sources[best]}"}
    return found


def _column(tables: Mapping[Any, pd.DataFrame], single: bool, key: str) -> pd.Series:
    if single:
        return tables[None][key]
    table, column = key.split(".", 1)
    return tables[table][column]


def _has_column(tables: Mapping[Any, pd.DataFrame], single: bool, key: str) -> bool:
    if single:
        return key in tables[None].columns
    table, column = key.split(".", 1)
    return table in tables and column in tables[table].columns


def _values_of(tables: Mapping[Any, pd.DataFrame], single: bool, key: str,
               seen: dict[str, Distinct]) -> Distinct:
    """Distinct values of a column, from ``seen`` or computed (and kept there)."""
    if key not in seen:
        seen[key] = distinct(_column(tables, single, key))
    return seen[key]


def _first_words(values: np.ndarray) -> list[str]:
    """First word of each text value (``""`` for a null, a blank or a non-text value)."""
    return [(v.split(maxsplit=1) or [""])[0] if isinstance(v, str) else "" for v in values]


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
            local = [str(v).split("@")[0].lower() for v in rows[column].to_numpy(dtype=object)]
            used: list[str] = []
            seen: list[list[str]] = []
            for source in names:
                first = [w.lower() for w in _first_words(rows[source].to_numpy(dtype=object))]
                contained = np.mean([bool(f) and f in loc
                                     for f, loc in zip(first, local, strict=True)])
                repeated = any(np.mean([a == b for a, b in zip(first, other, strict=True)])
                               >= COPY_MIN_SHARE for other in seen)
                if contained >= COPY_MIN_SHARE and not repeated:
                    used.append(source)
                    seen.append(first)
            if used:
                links[_key(table, column)] = used
    return links


def _embedding(tables: Mapping[Any, pd.DataFrame], single: bool,
               columns: Mapping[str, Any], free: Mapping[Any, list[str]]
               ) -> dict[str, dict[str, Any]]:
    """Return the entries of the ``free`` text columns that embed a sanitised person name.

    See :mod:`synthohive.privacy._embedded`. A column embedding a faked name gets the
    name's words replaced by the fake's (``"embeds"``: the name columns); one embedding a
    name sanitised otherwise (hash, mask, drop) is sanitised whole by the same strategy.
    """
    entries = {}
    for name, candidates in free.items():
        table = None if single else name
        frame = tables[name]
        names = {c: columns[_key(table, c)]["strategy"] for c in map(str, frame.columns)
                 if columns.get(_key(table, c), {}).get("kind") == "person_name"}
        if not names or not candidates:
            continue
        rows = {c: frame[c].head(MAX_EMBED_ROWS).to_numpy(dtype=object)
                for c in [*names, *candidates]}
        for column, sources in embedding_columns(rows, names, candidates).items():
            evidence = f"most values hold a word of the row's {', '.join(sources)}"
            faked = [_key(table, c) for c in sources if names[c] == "fake"]
            entry = ({"kind": IDENTIFIER, "strategy": "fake", "embeds": faked} if faked
                     else {"kind": IDENTIFIER, "strategy": names[sources[0]]})
            entries[_key(table, column)] = {**entry, "evidence": evidence}
    return entries


def _is_text(dtype: Any) -> bool:
    return (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype))


def _fakes(known: dict[str, str], values: np.ndarray, kind: str, rng: np.random.Generator,
           avoid: set[str], names: np.ndarray | None) -> np.ndarray:
    """Fake of every distinct value: the one already given, or a new one (added to both sets).

    ``known`` maps the values faked so far to their fakes (so a value gets the same fake in
    every column); new fakes join ``avoid``, so no two values share a fake.
    """
    replaced = np.array([known.get(v) for v in values], dtype=object)
    new = np.array([r is None for r in replaced], dtype=bool)
    if new.any():
        fakes = fake_values(np.asarray(values[new], dtype=str), kind, rng, avoid=avoid,
                            names=None if names is None else names[new])
        known.update(zip(values[new], fakes, strict=True))
        avoid.update(fakes)
        replaced[new] = fakes
    return replaced


def _restore(values: pd.Series, codes: np.ndarray, replaced: np.ndarray) -> pd.Series:
    """Return each row's replacement (by its code), nulls kept, in the input's dtype.

    Numbers (a column declared ``"id"`` or ``"pii"``) come back as numbers when every
    replacement parses as one (fakes of numbers do); otherwise as text.
    """
    present = codes >= 0
    full = np.full(len(codes), None, dtype=object)
    full[present] = np.asarray(replaced, dtype=object)[codes[present]]
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
