"""The output layout of :class:`~synthohive.transform.DataTransformer`.

Models read this layout to pick activations (tanh for scalars, softmax / Gumbel-softmax for
one-hot blocks), to build the conditional vector from discrete blocks and to compute losses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SpanKind = Literal["continuous_value", "continuous_mode", "discrete", "null"]
Activation = Literal["tanh", "softmax"]


@dataclass(frozen=True)
class OutputSpan:
    """A contiguous block of columns in the transformed matrix.

    Attributes
    ----------
    column : str
        Source column the block encodes.
    kind : {"continuous_value", "continuous_mode", "discrete", "null"}
        ``continuous_value``: the normalised scalar of a continuous column (width 1);
        ``continuous_mode``: one-hot of the mixture mode of a continuous column;
        ``discrete``: one-hot of the categories of a discrete column;
        ``null``: one-hot ``[present, null]`` indicator of a column that had nulls.
    activation : {"tanh", "softmax"}
        Activation a generator should apply to the block.
    start : int
        First column index of the block.
    width : int
        Number of columns of the block.
    """

    column: str
    kind: SpanKind
    activation: Activation
    start: int
    width: int

    @property
    def stop(self) -> int:
        """One past the last column index of the block."""
        return self.start + self.width

    @property
    def slice(self) -> slice:
        """``slice(start, stop)`` over the transformed matrix's columns."""
        return slice(self.start, self.stop)
