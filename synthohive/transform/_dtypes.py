"""Describe a column's dtype, extract its values, and rebuild it with the exact dtype.

Every supported column is reduced to a *plain* numpy array (numbers, ``bool``,
``datetime64`` or, for text, Python ``str`` in an object array) plus a null mask.
:class:`DtypeSpec` records what is needed to turn such an array back into the original
pandas dtype. Text arrays are stored as UTF-8 bytes plus offsets (:func:`to_storable`), so
state trees hold no object arrays and any string, even one ending in a NUL character, survives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from synthohive.exceptions import DataValidationError

_OBJECT_KINDS = {"string": "str", "integer": "int", "floating": "float", "boolean": "bool"}
_MISSING: dict[str, Any] = {"none": None, "nan": np.nan, "na": pd.NA}
_OBJECT_PLAIN = {"str": object, "int": np.int64, "float": np.float64, "bool": np.bool_}


@dataclass(frozen=True)
class DtypeSpec:
    """How to rebuild a column with its exact dtype.

    Attributes
    ----------
    name : str
        ``str(dtype)`` of the column (``"int64"``, ``"Int64"``, ``"category"``, ``"string"`` …).
    family : str
        ``"numpy"`` (plain numpy numeric/bool), ``"masked"`` (pandas nullable numeric or
        ``boolean``), ``"string"``, ``"object"``, ``"category"`` or ``"datetime"``.
    value_dtype : str
        numpy dtype of the plain values (``"<U0"`` stands for text).
    storage : str or None
        Storage of a ``string`` column (``"python"`` or ``"pyarrow"``).
    missing : {"none", "nan", "na"}
        The missing value to restore: ``None``, ``NaN`` or ``pd.NA`` (the first one found in
        an object column; the dtype's ``na_value`` for ``string``).
    categories : ndarray or None
        All categories of a ``category`` column (also the unused ones), as a plain array.
    categories_dtype : str or None
        ``str`` of the categories' own dtype.
    ordered : bool
        Whether a ``category`` column is ordered.
    """

    name: str
    family: str
    value_dtype: str
    storage: str | None = None
    missing: str = "na"
    categories: np.ndarray | None = None
    categories_dtype: str | None = None
    ordered: bool = False

    @property
    def is_text(self) -> bool:
        """Whether the plain values are text."""
        return np.dtype(self.value_dtype).kind == "U"

    @property
    def is_integer(self) -> bool:
        """Whether the plain values are integers (decoded values are rounded)."""
        return np.dtype(self.value_dtype).kind in "iu"

    @property
    def is_datetime(self) -> bool:
        """Whether the plain values are ``datetime64``."""
        return np.dtype(self.value_dtype).kind == "M"

    def to_state(self) -> dict[str, Any]:
        """Return the spec as a state tree (no object arrays)."""
        return {
            "name": self.name,
            "family": self.family,
            "value_dtype": self.value_dtype,
            "storage": self.storage,
            "missing": self.missing,
            "categories": None if self.categories is None else to_storable(self.categories),
            "categories_dtype": self.categories_dtype,
            "ordered": self.ordered,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> DtypeSpec:
        """Rebuild a spec from :meth:`to_state`'s tree."""
        categories = state["categories"]
        return cls(
            **{**state, "categories": None if categories is None else from_storable(categories)}
        )


def to_storable(array: np.ndarray) -> np.ndarray | dict[str, np.ndarray]:
    """Return ``array`` for a state tree: text as UTF-8 bytes and offsets, others unchanged.

    Parameters
    ----------
    array : ndarray
        A plain array; an object array must hold ``str``.

    Returns
    -------
    ndarray or dict
        The array itself, or ``{"utf8": uint8 array, "offsets": int64 array}`` for text.
    """
    if array.dtype.kind not in "OU":
        return array
    encoded = [str(item).encode("utf-8", "surrogatepass") for item in array]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(item) for item in encoded])
    return {"utf8": np.frombuffer(b"".join(encoded), dtype=np.uint8), "offsets": offsets}


def from_storable(value: np.ndarray | dict[str, np.ndarray]) -> np.ndarray:
    """Invert :func:`to_storable`: text comes back as an object array of ``str``."""
    if not isinstance(value, dict):
        return np.asarray(value)
    data, offsets = np.asarray(value["utf8"]).tobytes(), np.asarray(value["offsets"])
    text = [
        data[start:stop].decode("utf-8", "surrogatepass")
        for start, stop in zip(offsets[:-1], offsets[1:], strict=True)
    ]
    array = np.empty(len(text), dtype=object)
    array[:] = text
    return array


def _value_dtype(dtype: np.dtype) -> str:
    return "<U0" if dtype.kind in "UO" else str(dtype)


def plain_array(values: Any, column: str) -> np.ndarray:
    """Return category-like ``values`` as a plain numpy array, checking their type.

    Parameters
    ----------
    values : array-like
        Non-null values (an Index, an array …).
    column : str
        Column name used in error messages.

    Returns
    -------
    ndarray
        Numbers, ``bool``, ``datetime64`` or Python ``str`` (in an object array).

    Raises
    ------
    DataValidationError
        If the values mix types or are of an unsupported type.
    """
    array = np.asarray(values)
    if array.dtype.kind == "U":
        return array.astype(object)
    if array.dtype.kind != "O":
        return array
    kind = infer_dtype(array, skipna=True)
    if kind not in _OBJECT_KINDS and kind != "empty":
        raise DataValidationError(
            f"Column {column!r} holds values of kind {kind!r} (e.g. {array[:3].tolist()!r}); "
            "SynthoHive needs one type per column: convert it to str, int, float or bool."
        )
    plain = _OBJECT_PLAIN[_OBJECT_KINDS.get(kind, "str")]
    return array.astype(plain)


def describe(series: pd.Series, column: str) -> DtypeSpec:
    """Describe the dtype of ``series``.

    Parameters
    ----------
    series : Series
        The column.
    column : str
        Its name, for error messages.

    Returns
    -------
    DtypeSpec
        The description.

    Raises
    ------
    DataValidationError
        For timezone-aware datetimes, mixed-type object columns and unsupported dtypes.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        raise DataValidationError(
            f"Column {column!r} holds timezone-aware datetimes ({dtype}); convert them to naive "
            "datetimes first, e.g. df[col].dt.tz_convert('UTC').dt.tz_localize(None)."
        )
    if isinstance(dtype, pd.CategoricalDtype):
        categories = plain_array(dtype.categories, column)
        return DtypeSpec(
            name="category",
            family="category",
            value_dtype=_value_dtype(categories.dtype),
            categories=categories,
            categories_dtype=str(dtype.categories.dtype),
            ordered=bool(dtype.ordered),
        )
    if isinstance(dtype, pd.StringDtype):
        return DtypeSpec(
            name=str(dtype),
            family="string",
            value_dtype="<U0",
            storage=dtype.storage,
            missing="nan" if dtype.na_value is np.nan else "na",
        )
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and hasattr(dtype, "numpy_dtype"):
        if dtype.numpy_dtype.kind in "iufb":
            return DtypeSpec(name=str(dtype), family="masked", value_dtype=str(dtype.numpy_dtype))
    if isinstance(dtype, np.dtype):
        if dtype.kind in "iufb":
            return DtypeSpec(name=str(dtype), family="numpy", value_dtype=str(dtype))
        if dtype.kind == "M":
            return DtypeSpec(name=str(dtype), family="datetime", value_dtype=str(dtype))
        if dtype.kind == "O":
            return _describe_object(series, column)
    raise DataValidationError(
        f"Column {column!r} has dtype {dtype}, which DataTransformer does not support; convert "
        "it to a numeric, bool, string, category or naive datetime64 dtype, or drop it."
    )


def _describe_object(series: pd.Series, column: str) -> DtypeSpec:
    kind = infer_dtype(series, skipna=True)
    if kind not in _OBJECT_KINDS:
        sample = series.dropna().head(3).tolist()
        raise DataValidationError(
            f"Object column {column!r} mixes or holds unsupported value types (pandas infers "
            f"{kind!r}, e.g. {sample!r}); give it a single type: str, int, float or bool."
        )
    nulls = series[series.isna()]
    first = nulls.iloc[0] if len(nulls) else None
    missing = "none" if first is None else "na" if first is pd.NA else "nan"
    return DtypeSpec(
        name="object",
        family="object",
        value_dtype=_value_dtype(np.dtype(_OBJECT_PLAIN[_OBJECT_KINDS[kind]])),
        missing=missing,
    )


def extract(series: pd.Series, spec: DtypeSpec) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(values, null_mask)`` of a column described by ``spec``.

    Parameters
    ----------
    series : Series
        The column.
    spec : DtypeSpec
        Its description.

    Returns
    -------
    values : ndarray of shape (n,)
        Plain values (text as a Python-``str`` object array); entries under the mask hold
        an arbitrary filler.
    null_mask : ndarray of bool of shape (n,)
        ``True`` where the column is missing.
    """
    if spec.family == "category":
        codes = series.cat.codes.to_numpy()
        null_mask = codes < 0
        categories = plain_array(series.cat.categories, str(series.name))
        if categories.shape[0] == 0:
            return np.zeros(codes.shape[0], dtype=np.int64), null_mask
        return categories[np.where(null_mask, 0, codes)], null_mask
    null_mask = series.isna().to_numpy()
    if spec.is_text:
        values = series.to_numpy(dtype=object, na_value="")
        return values, null_mask
    value_dtype = np.dtype(spec.value_dtype)
    if spec.family == "object":
        values = series.to_numpy(dtype=object, copy=True)
        values[null_mask] = value_dtype.type(0)
        return values.astype(value_dtype), null_mask
    if spec.family == "datetime":
        return series.to_numpy(), null_mask
    filler: Any = False if value_dtype.kind == "b" else 0
    return series.to_numpy(dtype=value_dtype, na_value=filler), null_mask


def observed(series: pd.Series, name: str
             ) -> tuple[DtypeSpec, np.ndarray, np.ndarray, np.ndarray]:
    """Describe a training column and return its present values; refuse an all-null one.

    Parameters
    ----------
    series : Series
        The training column.
    name : str
        Its name, for messages.

    Returns
    -------
    spec : DtypeSpec
        From :func:`describe`.
    values, null_mask : ndarray
        From :func:`extract`.
    present : ndarray
        ``values[~null_mask]``.

    Raises
    ------
    DataValidationError
        If the column holds only missing values.
    """
    spec = describe(series, name)
    values, null_mask = extract(series, spec)
    present = values[~null_mask]
    if present.shape[0] == 0:
        raise DataValidationError(
            f"Column {name!r} holds only missing values; drop it or fill it before fitting."
        )
    return spec, values, null_mask, present


def restore(values: np.ndarray, null_mask: np.ndarray, spec: DtypeSpec) -> Any:
    """Rebuild a column's array with its exact dtype.

    Parameters
    ----------
    values : ndarray of shape (n,)
        Plain values (text as ``str`` in an object or unicode array).
    null_mask : ndarray of bool of shape (n,)
        Where the column is missing.
    spec : DtypeSpec
        The column's description.

    Returns
    -------
    ndarray or ExtensionArray
        An array of the original dtype.
    """
    has_nulls = bool(null_mask.any())
    if spec.family == "category":
        categories = _categories_index(spec)
        codes = categories.get_indexer(values)
        codes[null_mask] = -1
        dtype = pd.CategoricalDtype(categories=categories, ordered=spec.ordered)
        return pd.Categorical.from_codes(codes, dtype=dtype)
    if spec.family == "string":
        objects = values.astype(object)
        na_value = _MISSING[spec.missing]
        objects[null_mask] = na_value
        dtype = (  # pandas < 2.3 has no na_value argument and only pd.NA strings
            pd.StringDtype(storage=spec.storage)
            if spec.missing == "na"
            else pd.StringDtype(storage=spec.storage, na_value=na_value)
        )
        return pd.array(objects, dtype=dtype)
    if spec.family == "object":
        objects = values.astype(object)
        if has_nulls:
            objects[null_mask] = _MISSING[spec.missing]
        return objects
    if spec.family == "masked":
        array = pd.array(values.astype(spec.value_dtype), dtype=spec.name)
        if has_nulls:
            array[null_mask] = pd.NA
        return array
    array = values.astype(spec.value_dtype)
    if has_nulls:
        array[null_mask] = np.datetime64("NaT") if spec.family == "datetime" else np.nan
    return array


def _categories_index(spec: DtypeSpec) -> pd.Index:
    categories = spec.categories if spec.categories is not None else np.array([], dtype=object)
    index = pd.Index(categories)
    if spec.categories_dtype is not None and str(index.dtype) != spec.categories_dtype:
        index = index.astype(spec.categories_dtype)
    return index
