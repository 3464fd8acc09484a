"""``ColumnCodec``: the fitted encoding of one column of a :class:`~synthohive.DataTransformer`.

A column is either *discrete* (one-hot over its categories) or *continuous* (a scalar and a
one-hot mixture mode, see :mod:`synthohive.transform._continuous`), plus a ``[present,
null]`` block when it had missing values. The codec learns that encoding, writes it into the
transformer's matrix and reads it back, with the column's exact dtype.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synthohive.exceptions import DataValidationError
from synthohive.schema._kinds import decide_kind
from synthohive.transform import _datetime, _dtypes
from synthohive.transform._continuous import ModeNormalizer, learn_decimals
from synthohive.transform._discrete import CategoryEncoder
from synthohive.transform._dtypes import DtypeSpec
from synthohive.transform._readers import SpanReader
from synthohive.transform._spans import OutputSpan
from synthohive.utils._random import derive_seed

_NULL_WIDTH = 2


@dataclass(frozen=True)
class CodecOptions:
    """The transformer parameters that shape a column's encoding."""

    max_modes: int
    weight_threshold: float
    max_fit_rows: int | None
    discrete_int_threshold: int
    max_categories: int | None
    category_cap: int | None = None


@dataclass
class ColumnCodec:
    """Fitted encoding of one input column.

    Attributes
    ----------
    label : str or int
        The column's label in the input.
    name : str
        Its name in messages and output spans.
    spec : DtypeSpec
        Its dtype, restored exactly on decoding.
    has_nulls : bool
        Whether it had missing values (adds a null block).
    normalizer : ModeNormalizer or None
        Mode-specific normalisation of a continuous column.
    encoder : CategoryEncoder or None
        Categories of a discrete column.
    datetime_factor : int
        Unit, in the datetime's resolution, that every value was a whole multiple of.
    decimals : int or None
        Decimal places of a float column, applied on decoding.
    origin : int
        Integer subtracted from a continuous integer column before it becomes a float (its
        training minimum), so ids beyond 2**53 that span a smaller range stay exact.
    """

    label: str | int
    name: str
    spec: DtypeSpec
    has_nulls: bool
    normalizer: ModeNormalizer | None = None
    encoder: CategoryEncoder | None = None
    datetime_factor: int = 1
    decimals: int | None = None
    origin: int = 0

    @classmethod
    def fit(
        cls,
        series: pd.Series,
        label: str | int,
        name: str,
        forced: bool,
        options: CodecOptions,
        seed: int,
        role: str | None = None,
    ) -> ColumnCodec:
        """Learn the encoding of ``series``.

        Parameters
        ----------
        series : Series
            The column.
        label, name : str or int, str
            Its label and name.
        forced : bool
            Encode it as discrete whatever its dtype.
        options : CodecOptions
            The transformer's parameters.
        seed : int
            Seed of the mixture fit.
        role : {"categorical", "numeric", "datetime"} or None
            Declared role (see :mod:`synthohive.schema._kinds`); None decides from the data.

        Returns
        -------
        ColumnCodec
            The fitted codec.

        Raises
        ------
        DataValidationError
            For an all-null column, infinite values, or more categories than allowed.
        """
        spec, values, null_mask, present = _dtypes.observed(series, name)
        has_nulls = bool(null_mask.any())
        kind = decide_kind(
            is_text=spec.family in ("category", "string", "object"),
            is_bool=np.dtype(spec.value_dtype).kind == "b",
            is_integer=spec.is_integer,
            is_datetime=spec.is_datetime,
            n_distinct=pd.unique(present).shape[0] if spec.is_integer else 0,
            role="categorical" if forced else role,
            discrete_int_threshold=options.discrete_int_threshold,
            column=name,
        )
        if kind == "discrete":
            order = spec.categories if spec.family == "category" else None
            encoder = CategoryEncoder.fit(present, order=order)
            if options.max_categories is not None and encoder.n_categories > options.max_categories:
                raise DataValidationError(
                    f"Column {name!r} has {encoder.n_categories} distinct values, more than "
                    f"max_categories={options.max_categories}; drop it if it is an identifier "
                    "or free text, or raise max_categories."
                )
            if options.category_cap is not None and encoder.n_categories > options.category_cap:
                warnings.warn(
                    f"Column {name!r} has {encoder.n_categories} distinct values: it keeps its "
                    f"{options.category_cap - 1} most frequent ones and pools the others into "
                    "one 'other' category, decoded to rare training values by frequency. If "
                    "it is an identifier or free text, drop it or give it the 'id' role; "
                    "raise category_cap to keep more categories.",
                    UserWarning,
                    stacklevel=2,
                )
                encoder = encoder.pool(options.category_cap, derive_seed(seed, "pooled"))
            return cls(label, name, spec, has_nulls, encoder=encoder)
        factor = _datetime.coarsest_unit(present) if spec.is_datetime else 1
        origin = int(present.min()) if spec.is_integer else 0
        normalizer = ModeNormalizer.fit(
            as_numbers(present, spec, name, factor, origin),
            max_modes=options.max_modes,
            weight_threshold=options.weight_threshold,
            max_fit_rows=options.max_fit_rows,
            seed=seed,
        )
        decimals = learn_decimals(present) if np.dtype(spec.value_dtype).kind == "f" else None
        return cls(label, name, spec, has_nulls, normalizer=normalizer,
                   datetime_factor=factor, decimals=decimals, origin=origin)

    @property
    def is_discrete(self) -> bool:
        """Whether the column is one-hot encoded over its categories."""
        return self.encoder is not None

    @property
    def restored_dtype(self) -> Any:
        """The dtype :meth:`decode` returns (the input's)."""
        empty = np.zeros(0, dtype=self.spec.value_dtype)
        return _dtypes.restore(empty, np.zeros(0, dtype=bool), self.spec).dtype

    def widths(self) -> list[tuple[str, str, int]]:
        """Return ``(kind, activation, width)`` of the column's spans, in order."""
        if self.encoder is not None:
            spans = [("discrete", "softmax", self.encoder.n_categories)]
        else:
            spans = [
                ("continuous_value", "tanh", 1),
                ("continuous_mode", "softmax", self.normalizer.n_modes),
            ]
        if self.has_nulls:
            spans.append(("null", "softmax", _NULL_WIDTH))
        return spans

    def encode(
        self, series: pd.Series, spans: Iterator[OutputSpan], out: np.ndarray,
        handle_unknown: str,
    ) -> None:
        """Write the encoding of ``series`` into its spans of ``out``.

        Parameters
        ----------
        series : Series
            The column, with the fitted dtype.
        spans : iterator of OutputSpan
            The transformer's spans, positioned at this column's first one.
        out : ndarray of shape (n_rows, output_dim)
            Zero-initialised output matrix.
        handle_unknown : {"error", "ignore"}
            What to do with categories unseen in ``fit`` (ignore: an all-zero block).

        Raises
        ------
        DataValidationError
            For missing values in a column that had none, a changed dtype or unseen
            categories (unless ignored).
        """
        rows = np.arange(out.shape[0])
        spec = _dtypes.describe(series, self.name)
        values, null_mask = _dtypes.extract(series, spec)
        if null_mask.any() and not self.has_nulls:
            raise DataValidationError(
                f"Column {self.name!r} has {int(null_mask.sum())} missing value(s) but had "
                "none during fit; fill them, or refit on data that has missing values."
            )
        if self.encoder is not None:
            span = next(spans)
            codes = self.encoder.encode(values)
            codes[null_mask] = int(np.argmax(self.encoder.frequencies))
            if handle_unknown != "ignore":
                self._check_unknown(codes, values)
            known = codes >= 0
            out[rows[known], span.start + codes[known]] = 1.0
        else:
            value_span, mode_span = next(spans), next(spans)
            numbers = np.zeros(values.shape[0], dtype=np.float64)
            numbers[~null_mask] = self._numbers_of(values[~null_mask], spec)
            scalar, mode = self.normalizer.transform(numbers)
            scalar[null_mask] = 0.0
            mode[null_mask] = self.normalizer.null_mode
            out[:, value_span.start] = scalar
            out[rows, mode_span.start + mode] = 1.0
        if self.has_nulls:
            null_span = next(spans)
            out[rows, null_span.start + null_mask.astype(np.int64)] = 1.0

    def decode(self, reader: SpanReader, spans: Iterator[OutputSpan],
               bounds: Mapping[str, Any] | None = None) -> Any:
        """Read the column back from generated rows, with its exact dtype.

        Parameters
        ----------
        reader : SpanReader
            The generated rows.
        spans : iterator of OutputSpan
            The transformer's spans, positioned at this column's first one.
        bounds : dict, optional
            Declared ``min``/``max`` of a continuous column: its decoded scale ends there.

        Returns
        -------
        array-like
            The column's values (nulls where the null block says so).
        """
        if self.encoder is not None:
            values = self.encoder.decode(reader.category(next(spans)))
        else:
            value_span, mode_span = next(spans), next(spans)
            values = self.normalizer.inverse_transform(
                reader.scalar(value_span), reader.category(mode_span)
            )
            values = as_values(values, self.spec, self.datetime_factor, self.decimals,
                               self.origin)
            if bounds:
                values = within(values, bounds.get("min"), bounds.get("max"), self.spec)
        null_mask = np.zeros(reader.n_rows, dtype=bool)
        if self.has_nulls:
            null_mask = reader.category(next(spans)) == 1
        return _dtypes.restore(values, null_mask, self.spec)

    def _numbers_of(self, values: np.ndarray, spec: DtypeSpec) -> np.ndarray:
        """Non-null values of this continuous column, given with dtype ``spec``, as floats."""
        if self.spec.is_datetime != spec.is_datetime:
            raise DataValidationError(
                f"Column {self.name!r} was {self.spec.name} during fit but is "
                f"{spec.name} now; pass it with its fitted dtype."
            )
        if spec.is_text:
            raise DataValidationError(
                f"Column {self.name!r} was numeric during fit but holds text now; pass it "
                f"with its fitted dtype {self.spec.name}."
            )
        if self.spec.is_datetime:
            values = values.astype(self.spec.value_dtype)
        return as_numbers(values, self.spec, self.name, self.datetime_factor, self.origin)

    def _check_unknown(self, codes: np.ndarray, values: np.ndarray) -> None:
        unknown = codes < 0
        if not unknown.any():
            return
        examples = pd.unique(values[unknown])[:5].tolist()
        raise DataValidationError(
            f"Column {self.name!r} has {int(unknown.sum())} value(s) not seen during fit, "
            f"e.g. {examples!r}; refit with them or use handle_unknown='ignore'."
        )

    def to_state(self) -> dict[str, Any]:
        """Return the codec as plain values, arrays and nested states."""
        return {
            "label": self.label,
            "name": self.name,
            "spec": self.spec.to_state(),
            "has_nulls": self.has_nulls,
            "normalizer": None if self.normalizer is None else self.normalizer.to_state(),
            "encoder": None if self.encoder is None else self.encoder.to_state(),
            "datetime_factor": self.datetime_factor,
            "decimals": self.decimals,
            "origin": self.origin,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ColumnCodec:
        """Rebuild a codec from :meth:`to_state`."""
        normalizer, encoder = state["normalizer"], state["encoder"]
        return cls(
            label=state["label"],
            name=state["name"],
            spec=DtypeSpec.from_state(state["spec"]),
            has_nulls=bool(state["has_nulls"]),
            normalizer=None if normalizer is None else ModeNormalizer.from_state(normalizer),
            encoder=None if encoder is None else CategoryEncoder.from_state(encoder),
            datetime_factor=int(state["datetime_factor"]),
            decimals=state["decimals"],
            origin=int(state.get("origin", 0)),
        )


def as_numbers(values: np.ndarray, spec: DtypeSpec, name: str, factor: int,
               origin: int = 0) -> np.ndarray:
    """Return the non-null values of a continuous column as finite float64.

    Datetimes become counts of ``factor`` ticks; integers their distance to ``origin``
    (exact in float64 when it is below 2**53, whatever the integers' size); other values
    must be finite (infinite ones raise ``DataValidationError`` naming column ``name``).
    """
    try:
        if spec.is_datetime:
            return _datetime.to_numbers(values.astype(spec.value_dtype), factor)
        if spec.is_integer and origin:
            return _shifted(values, spec, origin).astype(np.float64)
        numbers = values.astype(np.float64)
    except (TypeError, ValueError) as exc:
        examples = pd.unique(values[:1000])[:3].tolist()
        raise DataValidationError(
            f"Column {name!r} was {spec.name} during fit but now holds values that are not "
            f"(e.g. {examples!r}); pass it with its fitted dtype."
        ) from exc
    infinite = ~np.isfinite(numbers)
    if infinite.any():
        raise DataValidationError(
            f"Column {name!r} holds {int(infinite.sum())} infinite value(s) "
            f"(e.g. {numbers[infinite][0]}); replace them with finite values or NaN."
        )
    return numbers


def as_values(numbers: np.ndarray, spec: DtypeSpec, factor: int, decimals: int | None,
              origin: int = 0) -> np.ndarray:
    """Return generated floats in a continuous column's format (inverse of :func:`as_numbers`).

    Datetimes are rounded to whole ``factor`` ticks, integers to the nearest integer within
    the dtype's range (``origin`` added back exactly), floats to ``decimals`` places when
    the column had a fixed number.
    """
    if spec.is_datetime:
        return _datetime.from_numbers(numbers, factor, spec.value_dtype)
    if spec.is_integer:
        dtype = np.dtype(spec.value_dtype)
        info = np.iinfo(dtype)
        low, high = _integer_bounds(dtype)
        if not origin:
            return np.clip(np.rint(numbers), low, high)
        low = max(low - origin, float(np.iinfo(np.int64).min))
        high = min(high - origin, float(np.nextafter(2.0**63, 0.0)))
        steps = np.clip(np.rint(numbers), low, high).astype(np.int64)
        # Two's-complement sum: exact whenever the true value fits the dtype.
        total = steps.astype(np.uint64) + np.uint64(origin % 2**64)
        values = total.view(np.int64) if info.min < 0 else total
        return np.clip(values, info.min, info.max).astype(dtype)
    if decimals is not None:
        return np.round(numbers, decimals)
    return numbers


def within(values: np.ndarray, low: Any, high: Any, spec: DtypeSpec) -> np.ndarray:
    """Return decoded values with the scale ending at declared bounds ``low``/``high``.

    Datetimes take bounds ``pandas.Timestamp`` reads; integers the whole numbers inside.
    """
    if low is None and high is None:
        return values
    if spec.is_datetime:
        unit = np.dtype(spec.value_dtype)
        low = None if low is None else np.datetime64(pd.Timestamp(low)).astype(unit)
        high = None if high is None else np.datetime64(pd.Timestamp(high)).astype(unit)
    elif values.dtype.kind in "iu":
        low = None if low is None else math.ceil(low)
        high = None if high is None else math.floor(high)
    return np.clip(values, low, high)


def _shifted(values: np.ndarray, spec: DtypeSpec, origin: int) -> np.ndarray:
    """Return ``values - origin`` as int64, exact when the difference fits int64."""
    plain = values.astype(spec.value_dtype)
    if np.dtype(spec.value_dtype).kind == "u":
        return (plain.astype(np.uint64) - np.uint64(origin % 2**64)).view(np.int64)
    return plain.astype(np.int64) - np.int64(origin)


def _integer_bounds(dtype: np.dtype) -> tuple[float, float]:
    """Return the float range that casts back into integer ``dtype`` without overflow."""
    info = np.iinfo(dtype)
    low, high = float(info.min), float(info.max)
    if high > info.max:
        high = float(np.nextafter(high, 0.0))
    return low, high
