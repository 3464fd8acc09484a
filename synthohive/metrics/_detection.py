"""Detection: how well a classifier tells synthetic rows from real ones (0.5 is ideal).

:func:`detection_score` trains scikit-learn's ``HistGradientBoostingClassifier`` to label
rows real or synthetic and returns its cross-validated accuracy, on balanced classes: 0.5
means the synthetic rows cannot be told apart, 1.0 that every one is recognised.
:func:`detection_table` scores every table of a schema, each child table on its rows joined
with the columns of its parents (so a child row must also fit its parent row).

Children of one parent share that parent's columns, so a joined child table repeats each
parent's tuple once per child. Under row-level cross-validation the classifier then meets
in its test fold the very tuples it was trained on, and recognises a parent rather than a
kind of row: two sets of *real* child rows with different parents (what a perfect
generator produces: new parents of the right distribution) read 0.87-0.97 on the shipped
datasets. Child tables are therefore scored with folds grouped by parent
(:func:`parent_groups`): every parent row (of the foreign keys with many families, see
:func:`judged_parents`) is given a fold, a row is tested in fold ``k`` only when all its
grouped parents are in fold ``k`` and trained on only when none is, so the score says
whether the classifier tells *unseen* synthetic families from unseen real ones. A parent
table of a few individuals holding most of the children (nine employees for 830 orders)
is not joined: its rows cannot be grouped into comparable folds, and a classifier would
tell each generated individual from each real one whatever the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from threadpoolctl import threadpool_limits

from synthohive.exceptions import DataValidationError
from synthohive.schema import Schema

__all__ = [
    "DETECTION_COLUMNS",
    "detection_score",
    "detection_table",
    "joined_with_parents",
    "judged_parents",
    "parent_groups",
    "without_id_like",
]

DETECTION_COLUMNS = ["table", "rows", "detection"]
#: Rows used by default, half from each frame.
DEFAULT_MAX_ROWS = 20_000
#: Largest number of distinct values a text column is given as a categorical feature.
_MAX_CATEGORIES = 255
#: A text column with at least this many distinct values, making up at least half of its
#: non-null values, is id-like (names, e-mails, phone numbers): not judged.
_ID_LIKE_MIN_DISTINCT = 10
#: Fewest families (parents with two children or more) for folds grouped by a parent.
MIN_FAMILIES = 20
#: Most foreign keys grouped at once: a row is tested only when all its grouped parents fall
#: in the test fold, so each grouping divides the tested rows by the number of folds.
MAX_GROUPINGS = 2


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
    n_splits: int = 5,
    groups: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
) -> float:
    """Cross-validated accuracy of a classifier telling ``synthetic`` rows from ``real`` ones.

    The same number of rows is taken from each frame (at most ``max_rows // 2``, drawn at
    random), every column is encoded (numbers and datetimes as numbers, other columns as
    categories), and a ``HistGradientBoostingClassifier`` (one thread) is scored with
    stratified ``n_splits``-fold cross-validation, or with folds grouped by ``groups``.

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
    groups : sequence of pairs of arrays, optional
        Groupings of the rows (e.g. by parent row, one per foreign key, see
        :func:`parent_groups`), each a label per row of ``real`` and of ``synthetic``;
        equal labels, on either side, are one group. Every group of every grouping is
        given one of ``n_splits`` folds at random; fold ``k`` tests the rows all of whose
        groups are in fold ``k`` and trains on the rows none of whose groups is, and the
        score is the balanced accuracy of all tested rows.

    Returns
    -------
    float
        Mean accuracy over the folds (balanced accuracy of the tested rows with
        ``groups``): 0.5 when synthetic rows cannot be told apart from real ones (two
        random halves of one table read about 0.5), 1.0 when all are.

    Raises
    ------
    DataValidationError
        If the frames do not have the same columns or have fewer than two rows each, or
        ``groups`` do not have one label per row or leave no fold to test.

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
    if groups is not None and any([len(g) for g in pair] != [len(real), len(synthetic)]
                                  for pair in groups):
        raise DataValidationError(
            f"groups must hold one label per row of real and of synthetic, got "
            f"{[[len(g) for g in pair] for pair in groups]} for {len(real)} and "
            f"{len(synthetic)} rows."
        )
    if n < 2 or real.shape[1] == 0:
        raise DataValidationError(
            f"detection_score needs at least 2 rows and 1 column in each frame, got "
            f"{len(real)} real and {len(synthetic)} synthetic rows, {real.shape[1]} columns."
        )
    score = _detection(real, synthetic, random_state, n, n_splits, groups)
    if np.isnan(score):
        raise DataValidationError(
            "detection_score: the groups leave no fold with both real and synthetic rows to "
            "test (too few groups); score without groups."
        )
    return score


def _detection(real: pd.DataFrame, synthetic: pd.DataFrame, random_state: int | None, n: int,
               n_splits: int, groups: Sequence[tuple[np.ndarray, np.ndarray]] | None) -> float:
    """Return the score of :func:`detection_score` on ``n`` rows per frame (NaN: untestable)."""
    rng = np.random.default_rng(random_state)
    drawn = [np.sort(rng.choice(len(frame), n, replace=False)) for frame in (real, synthetic)]
    real, synthetic = real.iloc[drawn[0]], synthetic.iloc[drawn[1]]
    real_matrix, synthetic_matrix, categorical = _encode(real, synthetic[list(real.columns)])
    features = np.vstack([real_matrix, synthetic_matrix])
    labels = np.repeat([0, 1], n)
    classifier = HistGradientBoostingClassifier(categorical_features=np.array(categorical),
                                                random_state=random_state)
    # One OpenMP thread: the gradient boosting's spinning threads slow to a crawl when the
    # cores are shared, and a few thousand rows gain little from more.
    with threadpool_limits(limits=1, user_api="openmp"):
        if not groups:
            folds = StratifiedKFold(n_splits=min(n_splits, n), shuffle=True,
                                    random_state=random_state)
            return float(np.mean(cross_val_score(classifier, features, labels, cv=folds)))
        tested, predicted = [], []
        for train, test in _grouped_splits(groups, drawn, n_splits, rng):
            if len(np.unique(labels[train])) < 2 or not len(test):
                continue
            tested.append(test)
            predicted.append(classifier.fit(features[train], labels[train])
                             .predict(features[test]))
    if not tested or len(np.unique(labels[np.concatenate(tested)])) < 2:
        return float("nan")
    return float(balanced_accuracy_score(labels[np.concatenate(tested)],
                                         np.concatenate(predicted)))


def _grouped_splits(groups: Sequence[tuple[np.ndarray, np.ndarray]], drawn: list[np.ndarray],
                    n_splits: int, rng: np.random.Generator
                    ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Train/test rows of each fold when every group of every grouping gets a random fold."""
    row_folds = []
    for pair in groups:
        codes, uniques = pd.factorize(np.concatenate(
            [np.asarray(g)[rows] for g, rows in zip(pair, drawn, strict=True)]))
        row_folds.append(rng.integers(0, n_splits, len(uniques))[codes])
    folds = np.column_stack(row_folds)
    return [(np.flatnonzero((folds != k).all(axis=1)), np.flatnonzero((folds == k).all(axis=1)))
            for k in range(n_splits)]


def judged_parents(real: Mapping[str, pd.DataFrame], name: str, schema: Schema
                   ) -> tuple[list[Any], list[Any]]:
    """Return the foreign keys of table ``name`` whose parents are joined, and grouped.

    A parent is *grouped* (its children kept in one fold) when it has at least
    ``MIN_FAMILIES`` families (parents with two child rows or more) in the real table; at
    most the ``MAX_GROUPINGS`` with the most families are. A parent with fewer families
    that still holds most child rows in families (nine employees for 830 orders) is left
    out of the join: its few rows are individuals, not a sample, and a classifier would
    recognise each one (grouping by so few parents leaves folds without comparable rows).
    Other parents (e.g. a rental with its one payment) are joined without grouping.

    Parameters
    ----------
    real : mapping of str to DataFrame
        The real tables.
    name : str
        The child table.
    schema : Schema
        Its keys.

    Returns
    -------
    (joined, grouped) : two lists of ForeignKey
    """
    joined, candidates = [], []
    for fk in schema[name].foreign_keys:
        counts = real[name][fk.column].value_counts()
        families = int((counts >= 2).sum())
        if families >= MIN_FAMILIES:
            candidates.append((-families, len(candidates), fk))
        elif counts[counts >= 2].sum() >= 0.5 * max(int(counts.sum()), 1):
            continue
        joined.append(fk)
    grouped = [fk for _, _, fk in sorted(candidates)[:MAX_GROUPINGS]]
    return joined, grouped


def parent_groups(real: Mapping[str, pd.DataFrame], synthetic: Mapping[str, pd.DataFrame],
                  name: str, columns: Mapping[str, list[Any]], foreign_keys: Sequence[Any]
                  ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return the groupings of the rows of child table ``name``: by parent row, per key.

    A real and a synthetic row share a group when they have the same parent key and the
    same parent columns (``columns``), i.e. the same parent row, as the two halves of one
    real table have. Rows with a null key are groups of their own.

    Parameters
    ----------
    real, synthetic : mapping of str to DataFrame
        The tables.
    name : str
        The child table.
    columns : mapping of str to list
        Columns judged in each table (as for :func:`joined_with_parents`).
    foreign_keys : sequence of ForeignKey
        The keys grouped (see :func:`judged_parents`).

    Returns
    -------
    list of pairs of ndarray of uint64
        Per foreign key, one label per row of the real and of the synthetic table.
    """
    groupings = []
    for fk in foreign_keys:
        labels = []
        for side, tables in enumerate((real, synthetic)):
            keys = tables[name][fk.column]
            parent = tables[fk.parent_table].set_index(fk.parent_column)[
                list(columns[fk.parent_table])]
            rows = parent.reindex(keys).reset_index(drop=True).astype(object)
            rows["__key__"] = keys.astype(object).to_numpy()
            alone = keys.isna().to_numpy()
            rows["__alone__"] = np.where(alone, np.arange(len(keys)) * 2 + side, -1)
            labels.append(pd.util.hash_pandas_object(rows, index=False).to_numpy())
        groupings.append((labels[0], labels[1]))
    return groupings


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
        numbers) are left out too, like keys. Child tables are scored with folds grouped
        by parent (see the module docstring and :func:`parent_groups`).
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
                            synthetic[name][list(columns[name])]], None, random_state)
        else:
            score = joined_detection(real, synthetic, name, schema, columns, random_state)
        rows.append((name, len(real[name]), score))
    return pd.DataFrame(rows, columns=DETECTION_COLUMNS)


def joined_detection(real: Mapping[str, pd.DataFrame], synthetic: Mapping[str, pd.DataFrame],
                     name: str, schema: Schema, columns: Mapping[str, list[Any]],
                     random_state: int | None = 0) -> float:
    """Return :func:`detection_score` of table ``name`` joined with its parents' columns.

    Parents are joined and folds grouped by parent as :func:`judged_parents` decides; NaN
    when either side has fewer than two rows, no column is judged, or the groups leave no
    fold to test.

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
    joined, grouped = judged_parents(real, name, schema)
    pair = [joined_with_parents(t, name, schema, columns, joined) for t in (real, synthetic)]
    return _score(pair, parent_groups(real, synthetic, name, columns, grouped), random_state)


def _score(pair: list[pd.DataFrame], groups: list[tuple[np.ndarray, np.ndarray]] | None,
           random_state: int | None) -> float:
    """:func:`detection_score` of a pair, NaN when there is too little to score."""
    if min(len(pair[0]), len(pair[1])) < 2 or pair[0].shape[1] == 0:
        return float("nan")
    n = min(len(pair[0]), len(pair[1]), DEFAULT_MAX_ROWS // 2)
    return _detection(pair[0], pair[1][list(pair[0].columns)], random_state, n, 5, groups)
