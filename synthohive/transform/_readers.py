"""Read the chosen category and the scalar of each output span from generated rows.

:class:`~synthohive.DataTransformer` decodes rows given either as a full matrix (one-hot or
soft blocks, as :meth:`~synthohive.DataTransformer.transform` writes them) or in the compact
form generators produce (one code per softmax span, one value per tanh span). A reader hides
which, so decoding is written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from synthohive.exceptions import DataValidationError
from synthohive.transform._spans import OutputSpan


class SpanReader(Protocol):
    """What decoding needs from generated rows."""

    n_rows: int

    def category(self, span: OutputSpan) -> np.ndarray:
        """Return the index of the chosen entry of a softmax span, one per row."""

    def scalar(self, span: OutputSpan) -> np.ndarray:
        """Return the float64 value of a tanh span, one per row."""


class MatrixReader:
    """Rows as a matrix of width ``output_dim_``; a block's choice is its argmax.

    Parameters
    ----------
    matrix : ndarray of shape (n_rows, output_dim)
        Finite encoded rows.
    """

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = matrix
        self.n_rows = matrix.shape[0]

    def category(self, span: OutputSpan) -> np.ndarray:
        """Return the argmax of the span's block."""
        return np.argmax(self.matrix[:, span.slice], axis=1)

    def scalar(self, span: OutputSpan) -> np.ndarray:
        """Return the span's column as float64."""
        return np.asarray(self.matrix[:, span.start], dtype=np.float64)


class CodeReader:
    """Rows as one code per softmax span and one value per tanh span.

    Parameters
    ----------
    codes : ndarray of int, shape (n_rows, n_softmax_spans)
        Chosen entry of every softmax span, spans in layout order.
    scalars : ndarray of float, shape (n_rows, n_tanh_spans)
        Value of every tanh span, spans in layout order.
    spans : sequence of OutputSpan
        The transformer's layout.

    Raises
    ------
    DataValidationError
        If the shapes do not match the layout, a code is outside its span or a scalar is
        not finite.
    """

    def __init__(self, codes: np.ndarray, scalars: np.ndarray, spans: Sequence[OutputSpan]) -> None:
        soft = [span for span in spans if span.activation == "softmax"]
        tanh = [span for span in spans if span.activation == "tanh"]
        if (codes.ndim != 2 or scalars.ndim != 2 or codes.shape[1] != len(soft)
                or scalars.shape[1] != len(tanh) or codes.shape[0] != scalars.shape[0]):
            raise DataValidationError(
                f"decode expects codes of shape (n, {len(soft)}) and scalars of shape "
                f"(n, {len(tanh)}), got {codes.shape} and {scalars.shape}; pass one code per "
                "softmax span and one value per tanh span of output_info_."
            )
        if not np.issubdtype(codes.dtype, np.integer):
            raise DataValidationError(f"decode needs integer codes, got dtype {codes.dtype}.")
        widths = np.array([span.width for span in soft], dtype=np.int64)
        if codes.size and ((codes < 0).any() or (codes >= widths).any()):
            raise DataValidationError(
                "decode got a code outside its span's width; codes must lie in "
                "[0, span.width) for every softmax span."
            )
        if not np.isfinite(scalars).all():
            raise DataValidationError(
                "decode got non-finite scalars; check the model that produced them "
                "(training may have diverged)."
            )
        self.codes = codes
        self.scalars = scalars
        self.n_rows = codes.shape[0]
        self._soft = {span.start: k for k, span in enumerate(soft)}
        self._tanh = {span.start: k for k, span in enumerate(tanh)}

    def category(self, span: OutputSpan) -> np.ndarray:
        """Return the span's code column."""
        return self.codes[:, self._soft[span.start]]

    def scalar(self, span: OutputSpan) -> np.ndarray:
        """Return the span's value column as float64."""
        return np.asarray(self.scalars[:, self._tanh[span.start]], dtype=np.float64)
