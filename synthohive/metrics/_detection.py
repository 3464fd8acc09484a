"""Detection: how well a classifier tells synthetic rows from real ones (0.5 is ideal).

:func:`detection_score` trains scikit-learn's ``HistGradientBoostingClassifier`` to label
rows real or synthetic and returns its cross-validated accuracy, on balanced classes: 0.5
means the synthetic rows cannot be told apart, 1.0 that every one is recognised.
:func:`detection_table` scores every table of a schema, each child table on its rows joined
with the columns of its parents (so a child row must also fit its parent row).

Children of one parent share that parent's columns, so a joined child table repeats each
parent's tuple once per child. With every child row, a cross-validated classifier meets in
its test fold the very tuples it was trained on and recognises a parent rather than a kind
of row: two sets of *real* child rows with different parents (what a perfect generator
produces: new parents of the right distribution) read 0.87-0.97 on the shipped datasets.
Folds grouped by parent were tried and fail the other way: a child column constant within
a family (sakila's ``payment.last_update`` is one per customer) puts all real rows of a
value in the test fold and only synthetic ones in training, and the score falls to 0.35.
So a child table is scored on **one row per family**: one child row drawn at random per
parent row of the foreign key with the most families (see :func:`judged_parents`), on
both sides; no parent tuple repeats, and two halves of one real table, or children of new
real parents, read about 0.5 (identical joined rows, as the halves share, are kept in one
fold). A parent that most of those rows share with another (nine employees, or 77
products, for 830 orders) is not joined: its tuples would repeat again, and a classifier
would tell each generated individual from each real one whatever the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_score
from threadpoolctl import threadpool_limits

from synthohive.exceptions import DataValidationError
from synthohive.schema import Schema

__all__ = [
    "DETECTION_COLUMNS",
    "detection_score",
    "detection_table",
    "joined_with_parents",
    "judged_parents",
    "one_per_family",
    "without_id_like",
]

DETECTION_COLUMNS = ["table", "rows", "detection"]
#: Rows used by default, half from each frame.
DEFAULT_MAX_ROWS = 20_000
#: Cross-validation folds by default.
DEFAULT_SPLITS = 5
#: Largest number of distinct values a text column is given as a categorical feature.
_MAX_CATEGORIES = 255
#: A text column with at least this many distinct values, making up at least half of its
#: non-null values, is id-like (names, e-mails, phone numbers): not judged.
_ID_LIKE_MIN_DISTINCT = 10
#: Fewest families (parents with two children or more) for a child table to be scored on
#: one row per family.
MIN_FAMILIES = 20


def without_id_like(real: Mapping[str, pd.DataFrame], columns: Mapping[str, list[Any]]
                    ) -> dict[str, list[Any]]:
    """Return ``columns`` of each table without its id-like text columns (see below)."""
    return {name: [c for c in kept if not _id_like(real[name][c])]
            for name, kept in columns.items()}


def _id_like(values: pd.Series) -> bool:
    """Whether a real column is id-like text, left out of detection like keys."""
    if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
        return False
    present = values.dropna()
    distinct = present.nunique()
    return distinct >= _ID_LIKE_MIN_DISTINCT and distinct >= 0.5 * len(present)


def _encode(real: pd.DataFrame, synthetic: pd.DataFrame
            ) -> tuple[np.ndarray, np.ndarray, list[bool]]:
    """Return both frames as float matrices (NaN for missing) and which columns are categorical.

    Numbers, booleans and datetimes become floats; other columns a category code (at most
    255 distinct values) or the count of their value in the two frames together.
    """
    real_columns, synthetic_columns, categorical = [], [], []
    for column in real.columns:
        pair = [real[column], synthetic[column]]
        if all(pd.api.types.is_datetime64_any_dtype(s) for s in pair):
            pair = [s.astype("datetime64[ns]").astype("int64").where(s.notna()) for s in pair]
        if all(pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s) for s in pair):
            numbers = [pd.to_numeric(s.astype("float64"), errors="coerce").to_numpy() for s in pair]
            is_categorical = False
        else:
            text = [s.astype(object).where(s.notna()).map(
                lambda v: None if v is None else str(v)) for s in pair]
            counts = pd.concat(text).value_counts()
            is_categorical = len(counts) <= _MAX_CATEGORIES
            # Few values: a category code each (sorted). Many: how often the value occurs
            # in both frames together, which says nothing about which frame a row is from
            # unless one frame repeats values the other does not.
            lookup = (pd.Series(np.arange(len(counts), dtype=np.float64),
                                index=counts.index.sort_values())
                      if is_categorical else counts.astype(np.float64))
            numbers = [t.map(lookup).to_numpy(dtype=np.float64) for t in text]
        real_columns.append(numbers[0])
        synthetic_columns.append(numbers[1])
        categorical.append(is_categorical)
    return (np.column_stack(real_columns), np.column_stack(synthetic_columns), categorical)


def detection_score(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    random_state: int | None = 0,
    max_rows: int = DEFAULT_MAX_ROWS,
    n_splits: int = DEFAULT_SPLITS,
) -> float:
    """Cross-validated accuracy of a classifier telling ``synthetic`` rows from ``real`` ones.

    The same number of rows is taken from each frame (at most ``max_rows // 2``, drawn at
    random), every column is encoded (numbers and datetimes as numbers, other columns as
    categories), and a ``HistGradientBoostingClassifier`` (one thread) is scored with
    stratified ``n_splits``-fold cross-validation.

    Parameters
    ----------
    real, synthetic : DataFrame
        Rows with the same columns (key columns are best left out: they are labels).
    random_state : int or None, default=0
        Seed of the row draw, the folds and the classifier.
    max_rows : int, default=20_000
        Rows used in all, half from each frame.
    n_splits : int, default=5
        Folds (fewer for tiny frames).

    Returns
    -------
    float
        Mean accuracy over the folds: 0.5 when synthetic rows cannot be told apart from
        real ones (two random halves of one table read about 0.5), 1.0 when all are.

    Raises
    ------
    DataValidationError
        If the frames do not have the same columns or have fewer than two rows each.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> real = pd.DataFrame({"x": rng.normal(size=400)})
    >>> shifted = pd.DataFrame({"x": rng.normal(size=400) + 5})
    >>> detection_score(real, shifted) > 0.95
    True
    """
    if not (isinstance(real, pd.DataFrame) and isinstance(synthetic, pd.DataFrame)):
        raise DataValidationError(
            f"detection_score needs two DataFrames, got {type(real).__name__} and "
            f"{type(synthetic).__name__}."
        )
    if sorted(map(str, real.columns)) != sorted(map(str, synthetic.columns)):
        raise DataValidationError(
            f"real and synthetic have different columns ({list(real.columns)} vs "
            f"{list(synthetic.columns)}); pass the same columns."
        )
    n = min(len(real), len(synthetic), max_rows // 2)
    if n < 2 or real.shape[1] == 0:
        raise DataValidationError(
            f"detection_score needs at least 2 rows and 1 column in each frame, got "
            f"{len(real)} real and {len(synthetic)} synthetic rows, {real.shape[1]} columns."
        )
    return _accuracy(real, synthetic, random_state, n, n_splits, by_content=False)


def _accuracy(real: pd.DataFrame, synthetic: pd.DataFrame, random_state: int | None, n: int,
              n_splits: int, by_content: bool) -> float:
    """Return the cross-validated accuracy on ``n`` rows drawn from each frame.

    With ``by_content``, rows with identical values (on either side) are kept in one fold:
    a row present in both frames then cannot be learned with one label and tested with
    the other, which makes the score fall below 0.5 when the frames share rows.
    """
    rng = np.random.default_rng(random_state)
    real = real.iloc[np.sort(rng.choice(len(real), n, replace=False))]
    synthetic = synthetic.iloc[np.sort(rng.choice(len(synthetic), n, replace=False))]
    real_matrix, synthetic_matrix, categorical = _encode(real, synthetic[list(real.columns)])
    features = np.vstack([real_matrix, synthetic_matrix])
    labels = np.repeat([0, 1], n)
    classifier = HistGradientBoostingClassifier(categorical_features=np.array(categorical),
                                                random_state=random_state)
    if by_content:
        content = pd.util.hash_pandas_object(pd.DataFrame(features), index=False).to_numpy()
        groups = pd.factorize(content)[0]
        if groups.max() == 0:
            return 0.5  # every row of both frames is the same row: nothing to tell apart
        folds = StratifiedGroupKFold(n_splits=min(n_splits, groups.max() + 1, n),
                                     shuffle=True, random_state=random_state)
        splits = list(folds.split(features, labels, groups))
    else:
        folds = StratifiedKFold(n_splits=min(n_splits, n), shuffle=True,
                                random_state=random_state)
        splits = list(folds.split(features, labels))
    # One OpenMP thread: the gradient boosting's spinning threads slow to a crawl when the
    # cores are shared, and a few thousand rows gain little from more.
    with threadpool_limits(limits=1, user_api="openmp"):
        return float(np.mean(cross_val_score(classifier, features, labels, cv=splits)))


def judged_parents(real: Mapping[str, pd.DataFrame], name: str, schema: Schema,
                   random_state: int | None = 0) -> tuple[list[Any], Any]:
    """Return the foreign keys of table ``name`` whose parents are joined, and the family key.

    The *family key* is the foreign key with the most families (parents with two child
    rows or more) in the real table, at least ``MIN_FAMILIES``: one child row per parent of
    it is scored (:func:`one_per_family`). Among those rows, a parent that most rows share
    with another row (nine employees for 830 orders, 77 products for 830 orders) is left
    out of the join: its rows would repeat, and a classifier would recognise each
    generated individual apart from each real one whatever the model. Other parents (e.g.
    a rental with its one payment) are joined.

    Parameters
    ----------
    real : mapping of str to DataFrame
        The real tables.
    name : str
        The child table.
    schema : Schema
        Its keys.
    random_state : int or None, default=0
        Seed of the one-row-per-family draw.

    Returns
    -------
    (joined, family_key) : list of ForeignKey, and ForeignKey or None
    """
    frame = real[name]
    family_key, most = None, MIN_FAMILIES - 1
    for fk in schema[name].foreign_keys:
        families = int((frame[fk.column].value_counts() >= 2).sum())
        if families > most:
            family_key, most = fk, families
    if family_key is not None:
        frame = frame.iloc[one_per_family(frame, family_key.column, random_state)]
    joined = []
    for fk in schema[name].foreign_keys:
        keys = frame[fk.column].dropna()
        if keys.duplicated(keep=False).sum() < 0.5 * max(len(keys), 1):
            joined.append(fk)
    return joined, family_key


def one_per_family(frame: pd.DataFrame, column: str, random_state: int | None) -> np.ndarray:
    """Return the positions of one row drawn at random per value of ``column``.

    Rows with a null ``column`` are all kept (each is a family of its own).

    Parameters
    ----------
    frame : DataFrame
        Child rows.
    column : str
        Their foreign key.
    random_state : int or None
        Seed of the draw.

    Returns
    -------
    ndarray of int
        Ascending row positions.
    """
    order = np.random.default_rng(random_state).permutation(len(frame))
    keys = frame[column].iloc[order]
    first = ~keys.duplicated().to_numpy() | keys.isna().to_numpy()
    return np.sort(order[first])


def joined_with_parents(tables: Mapping[str, pd.DataFrame], name: str, schema: Schema,
                        columns: Mapping[str, list[Any]],
                        foreign_keys: Sequence[Any] | None = None) -> pd.DataFrame:
    """Return the ``columns`` of table ``name``, each row joined with its parents' columns.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        All tables of the schema.
    name : str
        The table.
    schema : Schema
        Its keys.
    columns : mapping of str to list
        Columns to keep of each table (e.g. without keys and id columns); a parent's are
        prefixed with ``"<foreign key>."``.
    foreign_keys : sequence of ForeignKey, optional
        The parents joined; default: all.

    Returns
    -------
    DataFrame
        One row per row of the table (missing parent values where the key is null or
        points nowhere).
    """
    frame = tables[name]
    joined = frame[list(columns[name])].reset_index(drop=True)
    for fk in schema[name].foreign_keys if foreign_keys is None else foreign_keys:
        parent = tables[fk.parent_table]
        kept = list(columns[fk.parent_table])
        if not kept:
            continue
        position = pd.Index(parent[fk.parent_column]).get_indexer(frame[fk.column])
        block = parent[kept].iloc[np.maximum(position, 0)].reset_index(drop=True)
        block = block.mask(pd.Series(position < 0), other=None) if (position < 0).any() else block
        joined = pd.concat([joined, block.add_prefix(f"{fk.column}.")], axis=1)
    return joined


def detection_table(real: Mapping[str, pd.DataFrame], synthetic: Mapping[str, pd.DataFrame],
                    schema: Schema | None, columns: Mapping[str, list[Any]],
                    random_state: int | None = 0) -> pd.DataFrame:
    """Return :func:`detection_score` per table, child tables joined with their parents.

    Parameters
    ----------
    real, synthetic : mapping of str to DataFrame
        The tables.
    schema : Schema or None
        Keys of the tables; without it every table is scored alone.
    columns : mapping of str to list
        Columns judged in each table; id-like text columns among them (at least 10
        distinct values making up half the non-null real values: names, e-mails, phone
        numbers) are left out too, like keys. Child tables are scored on one row per
        family (see the module docstring and :func:`judged_parents`).
    random_state : int or None, default=0
        Seed of each score.

    Returns
    -------
    DataFrame
        ``table``, ``rows`` (real rows) and ``detection`` (NaN for a table with fewer
        than two rows or no judged column).
    """
    columns = without_id_like(real, columns)
    rows = []
    for name in real:
        if schema is None or name not in schema.tables:
            score = _score([real[name][list(columns[name])],
                            synthetic[name][list(columns[name])]], random_state)
        else:
            score = joined_detection(real, synthetic, name, schema, columns, random_state)
        rows.append((name, len(real[name]), score))
    return pd.DataFrame(rows, columns=DETECTION_COLUMNS)


def joined_detection(real: Mapping[str, pd.DataFrame], synthetic: Mapping[str, pd.DataFrame],
                     name: str, schema: Schema, columns: Mapping[str, list[Any]],
                     random_state: int | None = 0) -> float:
    """Return :func:`detection_score` of table ``name`` joined with its parents' columns.

    Parents are joined, and one row per family scored, as :func:`judged_parents` decides
    (see the module docstring); NaN when either side has fewer than two rows or no column
    is judged.

    Parameters
    ----------
    real, synthetic : mapping of str to DataFrame
        The tables.
    name : str
        The table scored.
    schema : Schema
        Keys of the tables.
    columns : mapping of str to list
        Columns judged in each table (id-like ones already left out).
    random_state : int or None, default=0
        Seed of the score.

    Returns
    -------
    float
    """
    joined, family_key = judged_parents(real, name, schema, random_state)
    pair = []
    for tables in (real, synthetic):
        frame = joined_with_parents(tables, name, schema, columns, joined)
        if family_key is not None:
            frame = frame.iloc[one_per_family(tables[name], family_key.column, random_state)]
        pair.append(frame)
    return _score(pair, random_state, by_content=True)


def _score(pair: list[pd.DataFrame], random_state: int | None, by_content: bool = False
           ) -> float:
    """:func:`detection_score` of a pair, NaN when there is too little to score."""
    n = min(len(pair[0]), len(pair[1]), DEFAULT_MAX_ROWS // 2)
    if n < 2 or pair[0].shape[1] == 0:
        return float("nan")
    return _accuracy(pair[0], pair[1][list(pair[0].columns)], random_state, n, DEFAULT_SPLITS,
                     by_content)
