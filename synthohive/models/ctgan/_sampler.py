"""Conditional vector and training-by-sampling, vectorised over the batch.

The conditional vector concatenates one one-hot block per discrete column. A draw picks a
discrete column uniformly, then a category of that column (by log-frequency during
training, by frequency when sampling), then — during training — a real row having that
category, through a per-category row index: rows sorted by category, with the start and
count of each category. All of it is a handful of numpy operations per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from synthohive.transform import OutputSpan


@dataclass(frozen=True)
class Draw:
    """One batch of draws.

    Attributes
    ----------
    rows : ndarray of int64, shape (batch,)
        Training rows (during training only; empty when sampling).
    block : ndarray of int64, shape (batch,)
        Discrete block conditioned on, -1 for none.
    category : ndarray of int64, shape (batch,)
        Category inside the block (0 where ``block`` is -1).
    """

    rows: np.ndarray
    block: np.ndarray
    category: np.ndarray


class CondVector:
    """Layout and category counts of the conditional vector.

    Parameters
    ----------
    widths : sequence of int
        Number of categories of each discrete block, in span order.
    counts : ndarray of int64
        Training count of every category, blocks concatenated.

    Attributes
    ----------
    dim : int
        Width of the conditional vector.
    offsets : ndarray of int64
        Position of each block's first category in the vector.
    """

    def __init__(self, widths: Sequence[int], counts: np.ndarray) -> None:
        self.widths = np.asarray(widths, dtype=np.int64)
        self.counts = np.asarray(counts, dtype=np.int64)
        self.offsets = (np.cumsum(self.widths) - self.widths).astype(np.int64)
        self.dim = int(self.widths.sum())
        self._block = np.repeat(np.arange(self.n_blocks), self.widths)
        self._category = np.arange(self.dim) - np.repeat(self.offsets, self.widths)
        self._cum = {log: self._cumulative(log) for log in (True, False)}

    @property
    def n_blocks(self) -> int:
        """Number of discrete blocks."""
        return len(self.widths)

    def _cumulative(self, log: bool) -> np.ndarray:
        """Return the cumulative probability of every (block, category) pair, flattened.

        A block has probability ``1 / n_blocks`` and a category its share of the block's
        weights (``log(1 + count)`` or ``count``).
        """
        if not self.dim:
            return np.zeros(0)
        weights = np.log1p(self.counts) if log else self.counts.astype(np.float64)
        total = np.add.reduceat(weights, self.offsets)[self._block]
        cumulative = np.cumsum(weights / np.maximum(total, np.finfo(float).tiny))
        return cumulative / cumulative[-1]

    def draw(self, n: int, rng: np.random.Generator, log: bool) -> tuple[np.ndarray, np.ndarray]:
        """Pick a block uniformly and a category of it for each of ``n`` rows.

        One uniform number per row, located among the cumulative probabilities of all
        (block, category) pairs: a category of probability zero is never picked.

        Parameters
        ----------
        n : int
            Number of draws.
        rng : numpy.random.Generator
            Source of randomness.
        log : bool
            Weight categories by ``log(1 + count)`` (training) instead of ``count``.

        Returns
        -------
        block, category : ndarray of int64
            The drawn block and category for each row.
        """
        # The last cumulative value is exactly 1.0 and the uniforms are below it.
        pair = np.searchsorted(self._cum[log], rng.random(n), side="right")
        return self._block[pair], self._category[pair]

    def encode(self, block: torch.Tensor, category: torch.Tensor) -> torch.Tensor:
        """One-hot conditional vectors for ``(block, category)`` pairs; zeros where block < 0.

        Parameters
        ----------
        block, category : Tensor of long, shape (n,)
            Drawn blocks and categories.

        Returns
        -------
        Tensor of shape (n, dim)
            Conditional vectors, on the device of ``block``.
        """
        out = torch.zeros((block.shape[0], self.dim), device=block.device)
        rows = torch.nonzero(block >= 0, as_tuple=True)[0]
        if rows.numel():
            offsets = torch.as_tensor(self.offsets, device=block.device)
            out[rows, offsets[block[rows]] + category[rows]] = 1.0
        return out


def discrete_blocks(spans: Sequence[OutputSpan]) -> list[OutputSpan]:
    """Return the spans that make up the conditional vector (one per discrete column)."""
    return [span for span in spans if span.kind == "discrete"]


def category_codes(matrix: np.ndarray, spans: Sequence[OutputSpan]) -> np.ndarray:
    """Category of every row in every discrete block: ``argmax`` of the one-hot block.

    Parameters
    ----------
    matrix : ndarray of shape (n_rows, dim)
        Transformed rows.
    spans : sequence of OutputSpan
        Discrete blocks.

    Returns
    -------
    ndarray of int64, shape (n_rows, n_blocks)
        Category codes.
    """
    codes = [np.argmax(matrix[:, span.slice], axis=1) for span in spans]
    return np.stack(codes, axis=1).astype(np.int64) if codes else np.zeros((len(matrix), 0), int)


class TrainingSampler:
    """Training-by-sampling: conditional vectors and real rows that satisfy them.

    Parameters
    ----------
    cond : CondVector
        Conditional-vector layout.
    codes : ndarray of int64, shape (n_rows, n_blocks)
        Category of every training row in every block.
    unconditioned : float
        Fraction of rows drawn uniformly with an empty conditional vector (used with context,
        so the generator also learns ``p(x | context)`` without a condition).
    log : bool, default=True
        Draw categories by log-frequency (else by frequency).
    """

    def __init__(
        self, cond: CondVector, codes: np.ndarray, unconditioned: float, log: bool = True
    ) -> None:
        self.cond = cond
        self.log = log
        self.n_rows = len(codes)
        self.unconditioned = unconditioned if cond.n_blocks else 1.0
        # Rows of block j sorted by category, blocks one after the other: block j occupies
        # order[j * n_rows:(j + 1) * n_rows], and since each block's counts sum to n_rows,
        # category g's rows start at the exclusive cumulative count of g.
        self.order = np.argsort(codes, axis=0, kind="stable").T.ravel()
        self.starts = np.concatenate([[0], np.cumsum(cond.counts)[:-1]]).astype(np.int64)

    def draw(self, n: int, rng: np.random.Generator) -> Draw:
        """Draw ``n`` (row, block, category) triples.

        Parameters
        ----------
        n : int
            Batch size.
        rng : numpy.random.Generator
            Source of randomness.

        Returns
        -------
        Draw
            Rows satisfying their condition; unconditioned rows have ``block == -1``.
        """
        uniform = rng.integers(self.n_rows, size=n)
        if not self.cond.n_blocks:
            empty = np.full(n, -1, dtype=np.int64)
            return Draw(rows=uniform, block=empty, category=np.zeros(n, dtype=np.int64))
        block, category = self.cond.draw(n, rng, log=self.log)
        picks = self.cond.offsets[block] + category
        position = (rng.random(n) * self.cond.counts[picks]).astype(np.int64)
        rows = self.order[self.starts[picks] + position]
        free = rng.random(n) < self.unconditioned
        rows = np.where(free, uniform, rows)
        block = np.where(free, -1, block)
        category = np.where(free, 0, category)
        return Draw(rows=rows, block=block, category=category)
