"""Reading a dataset folder: one CSV per table, ``schema.json`` and ``dtypes.json``."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from synthohive.exceptions import DataValidationError
from synthohive.schema import Schema

logger = logging.getLogger(__name__)

_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}


def _to_int(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values)
    return numbers.astype("Int64" if numbers.isna().any() else "int64")


def _to_float(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values).astype("float64")


def _to_datetime(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="ISO8601").astype("datetime64[ns]")


def _to_bool(values: pd.Series) -> pd.Series:
    lowered = values.str.strip().str.lower()
    unknown = lowered.notna() & ~lowered.isin(_TRUE | _FALSE)
    if unknown.any():
        raise ValueError(f"{lowered[unknown].iloc[0]!r} is not a boolean")
    flags = lowered.isin(_TRUE).astype("boolean").mask(lowered.isna())
    return flags if flags.isna().any() else flags.astype(bool)


_CONVERTERS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "int": _to_int,
    "float": _to_float,
    "string": lambda values: values.astype("string"),
    "date": _to_datetime,
    "datetime": _to_datetime,
    "bool": _to_bool,
}


def _read_json(path: Path) -> dict:
    if not path.is_file():
        raise DataValidationError(
            f"{path} is missing; a dataset folder needs schema.json, dtypes.json and one "
            "<table>.csv per table."
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataValidationError(f"{path} is not valid JSON: {exc}") from exc


def _read_table(folder: Path, table: str, types: dict[str, str]) -> pd.DataFrame:
    path = folder / f"{table}.csv"
    if not path.is_file():
        raise DataValidationError(f"Table {table!r}: {path} is missing from the dataset folder.")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    missing = [c for c in types if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"Table {table!r}: column(s) {missing} of dtypes.json are missing from {path.name}."
        )
    for column in frame.columns:
        kind = types.get(column, "string")
        converter = _CONVERTERS.get(kind)
        if converter is None:
            raise DataValidationError(
                f"Table {table!r}, column {column!r}: type {kind!r} in dtypes.json is not one "
                f"of {sorted(_CONVERTERS)}."
            )
        try:
            frame[column] = converter(frame[column])
        except (ValueError, TypeError) as exc:
            raise DataValidationError(
                f"Table {table!r}, column {column!r}: cannot read the values as {kind} ({exc}); "
                "fix the CSV or its type in dtypes.json."
            ) from exc
    return frame


def read_dataset_dir(
    path: str | os.PathLike[str], validate: bool = True
) -> tuple[dict[str, pd.DataFrame], Schema]:
    """Read a dataset folder into typed DataFrames and its schema.

    The folder holds ``schema.json`` (the :meth:`Schema.from_dict` format), ``dtypes.json``
    (``{table: {column: "int" | "float" | "string" | "date" | "datetime" | "bool"}}``) and
    one ``<table>.csv`` per schema table (empty fields are nulls). Types become: int →
    ``int64`` (``Int64`` when the column has nulls), float → ``float64``, string → pandas
    ``string``, date and datetime → ``datetime64[ns]``, bool → ``bool`` (``boolean`` with
    nulls). Columns missing from ``dtypes.json`` are read as strings.

    Parameters
    ----------
    path : str or path-like
        The folder.
    validate : bool, default=True
        Run :meth:`Schema.validate` on the tables (orphans raise).

    Returns
    -------
    tables : dict of str to DataFrame
        One DataFrame per table, in schema order.
    schema : Schema
        The schema.

    Raises
    ------
    DataValidationError
        If a file is missing or a value cannot be read as its declared type.
    SchemaValidationError
        If ``validate`` and the tables do not match the schema.
    """
    folder = Path(path)
    schema = Schema.from_dict(_read_json(folder / "schema.json"))
    dtypes = _read_json(folder / "dtypes.json")
    tables = {name: _read_table(folder, name, dtypes.get(name, {}))
              for name in schema.table_names}
    if validate:
        tables = schema.validate(tables)
    logger.info("Read dataset %s: %d tables, %d rows", folder.name, len(tables),
                sum(len(frame) for frame in tables.values()))
    return tables, schema
