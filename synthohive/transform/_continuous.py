"""Mode-specific normalisation of one continuous column.

A Bayesian Gaussian mixture (:mod:`synthohive.transform._mixture`) is fitted to (a bounded
subsample of) the column; modes whose weight falls below a threshold are dropped. A value ``x``
is then encoded as a mode ``k`` and a scalar ``(x - mean_k) / half_width_k`` in ``[-1, 1]``. A
mode's half-width is four standard deviations, widened where needed so that every training
value is covered by its nearest mode: training values always decode back exactly (up to float
rounding), only new values beyond every mode's reach are clipped. Decoded values are folded
back into the range the column had in training: a mode's reach extends past the smallest and
largest training values, and a generator that strays there would otherwise emit values the
column never takes (negative durations, a price below the cheapest), which also shift every bin
of a range-based comparison (SDMetrics' column pair trends bins each table over its own range).
A value beyond a bound is reflected at it, not clipped to it: clipping would pile every stray
value on the exact smallest or largest training value, a point mass that made synthetic rows
copy the real extreme row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthohive.transform._mixture import fit_mixture
from synthohive.utils._random import derive_seed, numpy_generator

logger = logging.getLogger(__name__)

#: A mode covers values within this many standard deviations of its mean.
STD_SPAN = 4.0
#: Rows encoded per block, bounding the memory of the ``rows x modes`` posterior.
CHUNK_ROWS = 65_536
_MIN_STD = 1e-12
#: Floor of a mode's standard deviation, in units of the column's standard deviation.
_REG_STD = 1e-3


#: Most decimals :func:`learn_decimals` tries.
MAX_DECIMALS = 10
_PROBE_ROWS = 1_000


def learn_decimals(values: np.ndarray) -> int | None:
    """Return the fewest decimals that reproduce every float value exactly, or ``None``.

    Parameters
    ----------
    values : ndarray of float
        Non-null values in their own float dtype.

    Returns
    -------
    int or None
        ``k`` such that rounding to ``k`` decimals and casting back to the values' dtype gives
        every value back (``2`` for prices like ``4.99``); ``None`` if no ``k <= 10`` does.
    """
    probe = values[:_PROBE_ROWS]
    with np.errstate(over="ignore", invalid="ignore"):
        for decimals in range(MAX_DECIMALS + 1):
            if all(
                np.array_equal(np.round(part.astype(np.float64), decimals).astype(part.dtype), part)
                for part in (probe, values)
            ):
                return decimals
    return None


def _uniform_hash(values: np.ndarray, seed: int) -> np.ndarray:
    """Map float64 values to uniforms in ``[0, 1)`` with a seeded SplitMix64 hash."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    mixed = bits ^ np.uint64(seed)
    mixed = mixed + np.uint64(0x9E3779B97F4A7C15)
    mixed = (mixed ^ (mixed >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    mixed = (mixed ^ (mixed >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    mixed = mixed ^ (mixed >> np.uint64(31))
    return (mixed >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _standard_mixture(
    standardised: np.ndarray, n_components: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(means, stds, weights)`` of a mixture fitted to standardised values."""
    if n_components == 1:
        std = np.sqrt(np.var(standardised) + _REG_STD**2)
        return np.array([np.mean(standardised)]), np.array([std]), np.ones(1)
    mixture = fit_mixture(standardised, n_components, reg_covar=_REG_STD**2)
    logger.debug("Mixture of %d modes fitted in %d iterations", n_components, mixture.n_iter)
    return mixture.means, mixture.stds, mixture.weights


def _covering_half_widths(
    values: np.ndarray, means: np.ndarray, half_widths: np.ndarray
) -> np.ndarray:
    """Widen ``half_widths`` so that each of ``values`` lies within reach of its nearest mode."""
    widened = half_widths.copy()
    for start in range(0, values.shape[0], CHUNK_ROWS):
        offset = np.abs(values[start : start + CHUNK_ROWS, None] - means[None, :])
        reach = offset / half_widths[None, :]
        outside = reach.min(axis=1) > 1.0
        if outside.any():
            nearest = np.argmin(reach[outside], axis=1)
            needed = offset[outside][np.arange(nearest.shape[0]), nearest]
            np.maximum.at(widened, nearest, needed)
    return widened


@dataclass
class ModeNormalizer:
    """The fitted mixture of one continuous column.

    Attributes
    ----------
    means : ndarray of shape (n_modes,)
        Mean of each kept mode.
    stds : ndarray of shape (n_modes,)
        Standard deviation of each kept mode.
    half_widths : ndarray of shape (n_modes,)
        Distance from the mean that the scalar ``±1`` stands for (at least ``4 * stds``).
    weights : ndarray of shape (n_modes,)
        Weight of each kept mode (sums to one).
    seed : int
        Seed of the hash that draws each value's mode.
    low, high : float
        Smallest and largest training value: decoded values are folded back between them.
    """

    means: np.ndarray
    stds: np.ndarray
    half_widths: np.ndarray
    weights: np.ndarray
    seed: int
    low: float
    high: float

    @property
    def n_modes(self) -> int:
        """Number of kept modes (width of the mode one-hot)."""
        return int(self.means.shape[0])

    @classmethod
    def fit(
        cls,
        values: np.ndarray,
        *,
        max_modes: int,
        weight_threshold: float,
        max_fit_rows: int,
        seed: int,
    ) -> ModeNormalizer:
        """Fit the mixture to the finite float64 ``values`` of one column.

        Parameters
        ----------
        values : ndarray of shape (n,)
            Non-null, finite values.
        max_modes : int
            Most modes the mixture may use.
        weight_threshold : float
            Modes with a smaller weight are dropped (the heaviest mode is always kept).
        max_fit_rows : int
            At most this many values, drawn without replacement, are used for the fit.
        seed : int
            Seed of the subsample and of the mode hash (the mixture fit draws nothing).

        Returns
        -------
        ModeNormalizer
            The fitted normaliser.
        """
        sample = values
        if sample.shape[0] > max_fit_rows:
            rng = numpy_generator(derive_seed(seed, "subsample"))
            sample = values[np.sort(rng.choice(values.shape[0], max_fit_rows, replace=False))]
        magnitude = float(np.max(np.abs(sample))) or 1.0
        loc = float(np.mean(sample / magnitude)) * magnitude
        scale = float(np.std(sample / magnitude)) * magnitude or 1.0
        n_components = min(max_modes, int(np.unique(sample).shape[0]))
        means, stds, weights = _standard_mixture((sample - loc) / scale, n_components)
        keep = weights > weight_threshold
        keep[np.argmax(weights)] = True
        means = loc + scale * means[keep]
        stds = np.maximum(scale * stds[keep], _MIN_STD)
        return cls(
            means=means,
            stds=stds,
            half_widths=_covering_half_widths(values, means, STD_SPAN * stds),
            weights=weights[keep] / weights[keep].sum(),
            seed=derive_seed(seed, "mode-hash"),
            low=float(np.min(values)),
            high=float(np.max(values)),
        )

    @property
    def null_mode(self) -> int:
        """Mode used for missing values (the heaviest one; their scalar is 0)."""
        return int(np.argmax(self.weights))

    def transform(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Encode float64 values as ``(scalar, mode)``.

        Parameters
        ----------
        values : ndarray of shape (n,)
            Finite values.

        Returns
        -------
        scalar : ndarray of shape (n,)
            Normalised value inside its mode, clipped to ``[-1, 1]`` (only values further than
            four standard deviations from every mode are clipped).
        mode : ndarray of shape (n,)
            Index of the mode of each value.
        """
        n = values.shape[0]
        scalar = np.empty(n, dtype=np.float64)
        mode = np.empty(n, dtype=np.int64)
        for start in range(0, n, CHUNK_ROWS):
            block = slice(start, min(start + CHUNK_ROWS, n))
            scalar[block], mode[block] = self._transform_chunk(values[block])
        return scalar, mode

    def _transform_chunk(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        offset = x[:, None] - self.means[None, :]
        z = offset / self.half_widths[None, :]
        log_density = (
            np.log(self.weights)[None, :]
            - np.log(self.stds)[None, :]
            - 0.5 * (offset / self.stds[None, :]) ** 2
        )
        covered = np.abs(z) <= 1.0
        log_density = np.where(covered, log_density, -np.inf)
        any_covered = covered.any(axis=1)
        peak = np.max(log_density, axis=1, keepdims=True)
        peak[~any_covered] = 0.0
        cumulative = np.cumsum(np.exp(log_density - peak), axis=1)
        threshold = _uniform_hash(x, self.seed) * cumulative[:, -1]
        drawn = np.minimum((cumulative <= threshold[:, None]).sum(axis=1), self.n_modes - 1)
        nearest = np.argmin(np.abs(z), axis=1)
        mode = np.where(any_covered, drawn, nearest)
        scalar = np.clip(np.take_along_axis(z, mode[:, None], axis=1)[:, 0], -1.0, 1.0)
        return scalar, mode

    def inverse_transform(self, scalar: np.ndarray, mode: np.ndarray) -> np.ndarray:
        """Decode ``(scalar, mode)`` back to float64 values.

        Parameters
        ----------
        scalar : ndarray of shape (n,)
            Normalised values; clipped to ``[-1, 1]`` first.
        mode : ndarray of shape (n,)
            Mode indices.

        Returns
        -------
        ndarray of shape (n,)
            The decoded values, inside the training range ``[low, high]``: a value beyond a
            bound is reflected at it (once per bound; clipped if still outside).
        """
        values = np.clip(scalar, -1.0, 1.0) * self.half_widths[mode] + self.means[mode]
        values = np.where(values < self.low, 2.0 * self.low - values, values)
        values = np.where(values > self.high, 2.0 * self.high - values, values)
        return np.clip(values, self.low, self.high)

    def to_state(self) -> dict[str, Any]:
        """Return the normaliser as a state tree of arrays and ints."""
        return {
            "means": self.means,
            "stds": self.stds,
            "half_widths": self.half_widths,
            "weights": self.weights,
            "seed": int(self.seed),
            "low": float(self.low),
            "high": float(self.high),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ModeNormalizer:
        """Rebuild a normaliser from :meth:`to_state`'s tree."""
        return cls(
            means=np.asarray(state["means"], dtype=np.float64),
            stds=np.asarray(state["stds"], dtype=np.float64),
            half_widths=np.asarray(state["half_widths"], dtype=np.float64),
            weights=np.asarray(state["weights"], dtype=np.float64),
            seed=int(state["seed"]),
            low=float(state["low"]),
            high=float(state["high"]),
        )
