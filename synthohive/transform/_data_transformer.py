"""``DataTransformer``: the reversible table encoding every generative model uses."""

from __future__ import annotations

import logging
import numbers
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from synthohive.exceptions import DataValidationError, NotFittedError
from synthohive.metrics import check_training_constraints
from synthohive.persistence import register_persistable
from synthohive.schema._kinds import DISCRETE_INT_THRESHOLD, check_roles
from synthohive.transform import _dtypes
from synthohive.transform._column import CodecOptions, ColumnCodec
from synthohive.transform._readers import CodeReader, MatrixReader, SpanReader
from synthohive.transform._spans import OutputSpan
from synthohive.utils._atomic import atomic_fit
from synthohive.utils._memory import check_allocation
from synthohive.utils._random import derive_seed, draw_seed
from synthohive.utils._validation import (
    Interval,
    StrOptions,
    check_feature_names_in,
    check_features,
    check_params,
    check_reserved_names,
)

logger = logging.getLogger(__name__)


@register_persistable("DataTransformer")
class DataTransformer(TransformerMixin, BaseEstimator):
    """Reversible encoding of a table into a float matrix for generative models.

    Continuous columns (floats, integers with many distinct values, naive datetimes) get
    *mode-specific normalisation*: a Bayesian Gaussian mixture with at most ``max_modes``
    modes is fitted per column, modes lighter than ``weight_threshold`` are dropped, and
    each value becomes a scalar in ``[-1, 1]`` (its distance to the mode's mean in units of
    four standard deviations, for a ``tanh`` output) plus a one-hot of its mode. Discrete
    columns (object, string, category, bool, integer columns with at most
    ``discrete_int_threshold`` distinct values, and those named in ``discrete_columns``)
    become one-hot blocks. A column with missing values during ``fit``
    also gets a ``[present, null]`` block; missing values are restored on the way back.

    ``inverse_transform`` accepts soft blocks (a generator's softmax output): it takes the
    argmax of each block and clips scalars to ``[-1, 1]``, and returns the original columns
    with their exact dtypes.

    Parameters
    ----------
    max_modes : int, default=10
        Most mixture modes per continuous column.
    weight_threshold : float, default=0.005
        Mixture modes with a smaller weight are dropped (the heaviest mode is always kept).
    max_fit_rows : int, default=10_000
        The mixture of a column is fitted on at most this many of its non-null values, drawn
        without replacement from ``random_state``; bounds the fit time on large tables.
    discrete_columns : list of str or None, default=None
        Columns to encode as discrete whatever their dtype (for a numpy array input, the
        names ``"x0"``, ``"x1"`` …).
    roles : dict of str to str or None, default=None
        Declared roles of columns, ``{column: "categorical" | "numeric" | "datetime"}``
        (the schema's column roles): ``"categorical"`` encodes the column as categories
        seen in training whatever its dtype, ``"numeric"`` by mode-specific normalisation
        (integers with few values included). Other columns are decided from their dtype and
        data by :mod:`synthohive.schema._kinds`.
    constraints : dict of str to dict or None, default=None
        Declared constraints ``{column: {"min": …, "max": …, "allowed": […], …}}`` (the
        schema's format, see :mod:`synthohive.metrics._constraints`): ``fit`` raises
        :class:`~synthohive.exceptions.ConstraintViolationError` listing every breach in the
        training data, and decoding ends the scale of a continuous column at its ``min`` and
        ``max``, so generated values stay inside by construction (discrete columns only
        produce training categories, inside ``allowed``).
    discrete_int_threshold : int, default=10
        Integer columns (numpy or nullable) with at most this many distinct non-null values
        are discrete; other numeric columns, floats included, are continuous. ``0`` makes
        every integer column continuous.
    max_categories : int or None, default=None
        If set, a discrete column with more distinct values raises a
        :class:`~synthohive.exceptions.DataValidationError` (one-hot blocks that wide are
        usually identifiers or free text, better dropped or anonymised). ``None``: no limit.
    category_cap : int or None, default=1000
        Widest one-hot block of a discrete column: a column with more distinct values keeps
        its ``category_cap - 1`` most frequent ones and pools the rest into one "other"
        category (the block's last entry), decoded to the pooled training values by their
        frequency, with a ``UserWarning``. A 50,000-value text column thus costs 1,000
        output columns, not 50,000. ``None``: no pooling (beware of memory).
    handle_unknown : {"error", "ignore"}, default="error"
        What ``transform`` does with a category not seen in ``fit``: raise a
        :class:`~synthohive.exceptions.DataValidationError`, or encode an all-zero block
        (decoded as the column's first category).
    random_state : int, RandomState instance or None, default=None
        Seeds the mixture subsamples and fits and the hash that draws each value's mode, so
        that the same seed gives the same encoding, byte for byte, in any process.

    Attributes
    ----------
    output_info_ : list of OutputSpan
        The output layout: per column, in input order, its spans (``continuous_value`` +
        ``continuous_mode``, or ``discrete``), then a ``null`` span if it had nulls.
    output_dim_ : int
        Width of the transformed matrix.
    discrete_columns_ : list of str
        Columns encoded as discrete.
    continuous_columns_ : list of str
        Columns encoded by mode-specific normalisation (datetime columns included).
    datetime_columns_ : list of str
        Datetime columns (encoded as whole counts of their coarsest exact unit).
    categories_ : dict of str to ndarray
        Categories of each discrete column, in the order of its one-hot block (a column
        pooled by ``category_cap`` has one more entry in its block, "other", last).
    category_frequencies_ : dict of str to ndarray
        Share of the non-null training rows in each category of each discrete column.
    dtypes_ : dict of str to dtype
        The dtype of each input column, restored by ``inverse_transform``.
    seed_ : int
        Seed drawn from ``random_state`` in ``fit``.
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : ndarray of str
        Input column names; only defined when ``X`` had string column names.

    Examples
    --------
    >>> import pandas as pd
    >>> from synthohive import DataTransformer
    >>> df = pd.DataFrame({"amount": [1.5, 2.0, 2.5, 40.0], "kind": ["a", "b", "a", "a"]})
    >>> dt = DataTransformer(random_state=0).fit(df)
    >>> [(s.column, s.kind, s.width) for s in dt.output_info_][-1]
    ('kind', 'discrete', 2)
    >>> dt.inverse_transform(dt.transform(df)).equals(df)
    True
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "max_modes": [Interval(numbers.Integral, 1, None, closed="left")],
        "weight_threshold": [Interval(numbers.Real, 0, 1, closed="left")],
        "max_fit_rows": [Interval(numbers.Integral, 1, None, closed="left")],
        "discrete_columns": ["array-like", None],
        "roles": [dict, None],
        "constraints": [dict, None],
        "discrete_int_threshold": [Interval(numbers.Integral, 0, None, closed="left")],
        "max_categories": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "category_cap": [Interval(numbers.Integral, 2, None, closed="left"), None],
        "handle_unknown": [StrOptions({"error", "ignore"})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        max_modes: int = 10,
        weight_threshold: float = 0.005,
        max_fit_rows: int = 10_000,
        discrete_columns: list[str] | None = None,
        roles: dict[str, str] | None = None,
        constraints: dict[str, dict[str, Any]] | None = None,
        discrete_int_threshold: int = DISCRETE_INT_THRESHOLD,
        max_categories: int | None = None,
        category_cap: int | None = 1000,
        handle_unknown: str = "error",
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.max_modes = max_modes
        self.weight_threshold = weight_threshold
        self.max_fit_rows = max_fit_rows
        self.discrete_columns = discrete_columns
        self.roles = roles
        self.constraints = constraints
        self.discrete_int_threshold = discrete_int_threshold
        self.max_categories = max_categories
        self.category_cap = category_cap
        self.handle_unknown = handle_unknown
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        """Declare that missing values, categorical and text columns are accepted."""
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags

    # ------------------------------------------------------------------ fit

    @atomic_fit
    def fit(self, X: Any, y: Any = None) -> DataTransformer:
        """Learn the encoding of every column of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The table.
        y : None
            Ignored.

        Returns
        -------
        DataTransformer
            The fitted transformer.

        Raises
        ------
        DataValidationError
            For an empty table, an all-null column, infinite values, timezone-aware
            datetimes, mixed-type object columns, unsupported dtypes or invalid parameters.
        """
        check_params(self)
        frame, input_dtype = self._as_frame(X, reset=True)
        labels = [self._label(c) for c in frame.columns]
        has_names = hasattr(self, "feature_names_in_")
        names = [str(c) if has_names else f"x{i}" for i, c in enumerate(labels)]
        if frame.shape[1] == 0:
            raise DataValidationError(
                f"Found 0 feature(s) (shape=({frame.shape[0]}, 0)) while a minimum of 1 is "
                "required: pass a table with at least one column."
            )
        if frame.shape[0] == 0:
            raise DataValidationError(
                f"Found array with 0 sample(s) (shape={frame.shape}) while a minimum of 1 is "
                f"required: the table with columns {names[:5]} has no rows."
            )
        forced = self._forced_discrete(names)
        roles = check_roles(self.roles, names, "DataTransformer")
        if self.constraints:
            check_training_constraints(frame.set_axis(names, axis=1), self.constraints,
                                       "DataTransformer")
        self.seed_ = draw_seed(self.random_state)
        options = self._codec_options()
        columns = [
            ColumnCodec.fit(frame.iloc[:, i], label, name, name in forced, options,
                            seed=derive_seed(self.seed_, "column", name), role=roles.get(name))
            for i, (label, name) in enumerate(zip(labels, names, strict=True))
        ]
        self._set_fitted(columns, input_dtype=input_dtype)
        logger.info(
            "DataTransformer fitted %d columns (%d continuous, %d discrete) -> %d outputs",
            len(columns),
            len(self.continuous_columns_),
            len(self.discrete_columns_),
            self.output_dim_,
        )
        return self

    def _forced_discrete(self, names: list[str]) -> set[str]:
        forced = set() if self.discrete_columns is None else {str(c) for c in self.discrete_columns}
        unknown = sorted(forced - set(names))
        if unknown:
            raise DataValidationError(
                f"discrete_columns names {unknown}, which are not columns of X "
                f"({names[:10]}); pass existing column names."
            )
        return forced

    def _codec_options(self) -> CodecOptions:
        return CodecOptions(
            max_modes=self.max_modes,
            weight_threshold=self.weight_threshold,
            max_fit_rows=self.max_fit_rows,
            discrete_int_threshold=self.discrete_int_threshold,
            max_categories=self.max_categories,
            category_cap=self.category_cap,
        )

    def _set_fitted(self, columns: list[ColumnCodec], input_dtype: str | None) -> None:
        """Derive every public fitted attribute from the per-column encodings."""
        self._columns = columns
        self._input_dtype = input_dtype
        spans: list[OutputSpan] = []
        start = 0
        for column in columns:
            for kind, activation, width in column.widths():
                spans.append(OutputSpan(column.name, kind, activation, start, width))
                start += width
        self.output_info_ = spans
        self.output_dim_ = start
        self.discrete_columns_ = [c.name for c in columns if c.is_discrete]
        self.continuous_columns_ = [c.name for c in columns if not c.is_discrete]
        self.datetime_columns_ = [
            c.name for c in columns if not c.is_discrete and c.spec.is_datetime
        ]
        self.categories_ = {c.name: c.encoder.categories for c in columns if c.is_discrete}
        self.category_frequencies_ = {
            c.name: c.encoder.frequencies for c in columns if c.is_discrete
        }
        self.dtypes_ = {c.name: c.restored_dtype for c in columns}

    # ------------------------------------------------------------ transform

    def transform(self, X: Any) -> np.ndarray:
        """Encode ``X`` into the ``output_dim_``-wide float matrix.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            A table with the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, output_dim_)
            The encoding (a DataFrame under ``set_output(transform="pandas")``).

        Raises
        ------
        DataValidationError
            For wrong columns, infinite values, unseen categories (unless
            ``handle_unknown="ignore"``) or missing values in a column that had none.
        """
        self._check_fitted()
        frame, _ = self._as_frame(X, reset=False)
        check_allocation(
            8.0 * frame.shape[0] * self.output_dim_,
            f"DataTransformer.transform of {frame.shape[0]:,} rows into {self.output_dim_:,} "
            "columns",
            "transform fewer rows at a time, or narrow the encoding (a lower category_cap, "
            "id-like columns dropped).",
        )
        out = np.zeros((frame.shape[0], self.output_dim_), dtype=np.float64)
        spans = iter(self.output_info_)
        for index, column in enumerate(self._columns):
            column.encode(frame.iloc[:, index], spans, out, self.handle_unknown)
        return out

    # ---------------------------------------------------- inverse_transform

    def inverse_transform(self, X: Any) -> pd.DataFrame | np.ndarray:
        """Decode a transformed (or generated) matrix back into the original table.

        Parameters
        ----------
        X : ndarray or DataFrame of shape (n_samples, output_dim_)
            Encoded rows; one-hot blocks may be soft (the argmax is taken) and scalars are
            clipped to ``[-1, 1]``.

        Returns
        -------
        DataFrame or ndarray
            The original columns, in order, with their exact dtypes (a numpy array of the
            input dtype when ``fit`` got a numpy array).

        Raises
        ------
        DataValidationError
            If ``X`` has the wrong width or columns, or holds non-finite values.
        """
        self._check_fitted()
        matrix, index = self._as_matrix(X)
        return self._restore(MatrixReader(matrix), index)

    def decode(self, codes: np.ndarray, scalars: np.ndarray) -> pd.DataFrame | np.ndarray:
        """Decode generated rows given in compact form; the fast path for generators.

        Equivalent to :meth:`inverse_transform` of the matrix whose softmax blocks are the
        one-hot vectors of ``codes`` and whose scalar columns are ``scalars``, without
        building that matrix.

        Parameters
        ----------
        codes : ndarray of int, shape (n_samples, n_softmax_spans)
            Index of the chosen entry of every softmax span of :attr:`output_info_`, spans
            in order.
        scalars : ndarray of float, shape (n_samples, n_tanh_spans)
            Value of every tanh span, spans in order; clipped to ``[-1, 1]``.

        Returns
        -------
        DataFrame or ndarray
            As :meth:`inverse_transform`.

        Raises
        ------
        DataValidationError
            If the shapes do not match the layout, a code is out of its span, or a scalar
            is not finite.
        """
        self._check_fitted()
        reader = CodeReader(np.asarray(codes), np.asarray(scalars), self.output_info_)
        return self._restore(reader, None)

    def _restore(self, reader: SpanReader, index: pd.Index | None) -> pd.DataFrame | np.ndarray:
        spans = iter(self.output_info_)
        constraints = self.constraints or {}
        restored = {
            column.label: column.decode(reader, spans, constraints.get(column.name))
            for column in self._columns
        }
        if self._input_dtype is not None:
            return np.column_stack(list(restored.values())).astype(self._input_dtype)
        return pd.DataFrame(restored, index=index)

    def _as_matrix(self, X: Any) -> tuple[np.ndarray, pd.Index | None]:
        index = None
        if isinstance(X, pd.DataFrame):
            expected = self.get_feature_names_out()
            got = np.asarray(X.columns, dtype=object)
            if got.shape != expected.shape or not np.all(got == expected):
                missing = sorted(set(expected) - set(map(str, got)))[:5]
                extra = sorted(set(map(str, got)) - set(expected))[:5]
                raise DataValidationError(
                    f"inverse_transform got columns that are not this transformer's outputs "
                    f"(missing: {missing}, unexpected: {extra}); pass the output of transform "
                    "or a matrix with get_feature_names_out() columns in order."
                )
            index = X.index
        try:
            matrix = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise DataValidationError(
                f"inverse_transform needs a numeric matrix ({exc}); pass the output of "
                "transform or of a model."
            ) from exc
        if matrix.ndim != 2 or matrix.shape[1] != self.output_dim_:
            raise DataValidationError(
                f"inverse_transform expects a 2D matrix of width output_dim_={self.output_dim_}, "
                f"got shape {matrix.shape}; pass the output of transform or of a model."
            )
        finite = np.isfinite(matrix)
        if not finite.all():
            column = int(np.flatnonzero(~finite.all(axis=0))[0])
            span = next(s for s in self.output_info_ if s.start <= column < s.stop)
            raise DataValidationError(
                f"inverse_transform got non-finite values in the {span.kind} block of column "
                f"{span.column!r}; check the model that produced them (training may have diverged)."
            )
        return matrix, index

    # ----------------------------------------------------------- utilities

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Must be ``None`` or the input column names.

        Returns
        -------
        ndarray of str
            ``"<col>.value"``, ``"<col>.mode_<k>"``, ``"<col>=<category>"``, then
            ``"<col>.present"`` and ``"<col>.null"`` for a column with missing values.
        """
        self._check_fitted()
        check_feature_names_in(self, input_features)
        names: list[str] = []
        for span in self.output_info_:
            if span.kind == "continuous_value":
                names.append(f"{span.column}.value")
            elif span.kind == "continuous_mode":
                names.extend(f"{span.column}.mode_{k}" for k in range(span.width))
            elif span.kind == "null":
                names.extend([f"{span.column}.present", f"{span.column}.null"])
            else:
                categories = self.categories_[span.column]
                names.extend(f"{span.column}={value}" for value in categories)
                if span.width > len(categories):
                    names.append(f"{span.column}=<other>")
        return np.asarray(names, dtype=object)

    def category_index(self, column: str, value: Any) -> int:
        """Index of ``value`` inside the one-hot block of the discrete ``column``.

        Parameters
        ----------
        column : str
            A discrete column.
        value : scalar
            One of its categories.

        Returns
        -------
        int
            Position of the category in ``categories_[column]``.

        Raises
        ------
        DataValidationError
            If ``column`` is not discrete or ``value`` is not one of its categories.
        """
        self._check_fitted()
        encoder = next((c.encoder for c in self._columns if c.name == column), None)
        if encoder is None:
            raise DataValidationError(
                f"Column {column!r} is not a discrete column of this transformer; use one of "
                f"{self.discrete_columns_[:10]}."
            )
        code = int(encoder.encode(np.asarray([value], dtype=object))[0])
        if code < 0:
            raise DataValidationError(
                f"Value {value!r} is not a category of column {column!r} seen during fit; use "
                f"one of {encoder.categories[:10].tolist()}."
            )
        return code

    def _check_fitted(self) -> None:
        if not hasattr(self, "output_info_"):
            raise NotFittedError(
                "This DataTransformer instance is not fitted yet; call fit with the table first."
            )

    def _as_frame(self, X: Any, *, reset: bool) -> tuple[pd.DataFrame, str | None]:
        """Check ``X``; return it as a DataFrame, with its dtype if it was an array."""
        if hasattr(X, "toarray") or hasattr(X, "tocsr"):
            raise DataValidationError(
                "DataTransformer does not accept sparse input; pass a dense array or DataFrame."
            )
        if isinstance(X, pd.DataFrame):
            if not X.columns.is_unique:
                duplicated = X.columns[X.columns.duplicated()].tolist()[:5]
                raise DataValidationError(
                    f"X has duplicated column names {duplicated}; give each column a unique name."
                )
            check_reserved_names(X.columns, "X")
            check_features(self, X, reset=reset)
            return X, None
        array = np.asarray(X)
        if array.ndim != 2:
            raise DataValidationError(
                f"Expected 2D array, got {array.ndim}D array instead. Reshape your data, e.g. "
                "with array.reshape(-1, 1) for a single feature."
            )
        if np.iscomplexobj(array):
            raise DataValidationError("Complex data not supported; pass real numbers.")
        if array.dtype.kind == "O":
            try:
                array = array.astype(np.float64)
            except (TypeError, ValueError):
                logger.debug("Object array kept as object: it does not hold only numbers")
        check_features(self, array, reset=reset)
        frame, input_dtype = pd.DataFrame(array), str(array.dtype)
        return frame, input_dtype

    @staticmethod
    def _label(label: Any) -> str | int:
        if isinstance(label, str):
            return label
        if isinstance(label, numbers.Integral):
            return int(label)
        raise DataValidationError(
            f"Column label {label!r} is neither a string nor an integer; rename the columns "
            "to strings."
        )

    # ---------------------------------------------------------- persistence

    def _to_state(self) -> dict[str, Any]:
        params = self.get_params()
        seed = params["random_state"]
        params["random_state"] = int(seed) if isinstance(seed, numbers.Integral) else None
        if params["discrete_columns"] is not None:
            params["discrete_columns"] = [str(c) for c in params["discrete_columns"]]
        if params["constraints"] is not None:
            params["constraints"] = {str(c): dict(r) for c, r in params["constraints"].items()}
        if params["roles"] is not None:
            params["roles"] = {str(c): str(r) for c, r in params["roles"].items()}
        state: dict[str, Any] = {"params": params, "fitted": None}
        if hasattr(self, "output_info_"):
            fitted: dict[str, Any] = {
                "seed": int(self.seed_),
                "n_features_in": int(self.n_features_in_),
                "input_dtype": self._input_dtype,
                "columns": [c.to_state() for c in self._columns],
            }
            if hasattr(self, "feature_names_in_"):
                fitted["feature_names_in"] = _dtypes.to_storable(
                    np.asarray(self.feature_names_in_, dtype=object)
                )
            state["fitted"] = fitted
        return state

    @classmethod
    def _from_state(cls, state: dict[str, Any]) -> DataTransformer:
        transformer = cls(**state["params"])
        fitted = state["fitted"]
        if fitted is None:
            return transformer
        transformer.seed_ = int(fitted["seed"])
        transformer.n_features_in_ = int(fitted["n_features_in"])
        if "feature_names_in" in fitted:
            transformer.feature_names_in_ = _dtypes.from_storable(fitted["feature_names_in"])
        columns = [ColumnCodec.from_state(c) for c in fitted["columns"]]
        transformer._set_fitted(columns, input_dtype=fitted["input_dtype"])
        return transformer
