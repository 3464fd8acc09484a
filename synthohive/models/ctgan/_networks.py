"""The two networks of CTGAN: a residual generator and a PacGAN critic."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from synthohive.models._torch import dropout, linear


class _Residual(nn.Module):
    """``Linear → BatchNorm → ReLU``, concatenated with its input."""

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self.norm = nn.BatchNorm1d(out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([torch.relu(self.norm(self.linear(x))), x], dim=1)


class Generator(nn.Module):
    """Map ``[noise, conditional vector, context]`` to raw (pre-activation) transformed rows.

    Parameters
    ----------
    input_dim : int
        Width of the input (embedding + conditional vector + encoded context).
    hidden : sequence of int
        Width of each residual layer; each layer's output is concatenated to its input.
    data_dim : int
        Width of the transformed table.
    """

    def __init__(self, input_dim: int, hidden: Sequence[int], data_dim: int) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = input_dim
        for size in hidden:
            layers.append(_Residual(width, size))
            width += size
        layers.append(nn.Linear(width, data_dim))
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return raw logits/scalars of shape ``(n_rows, data_dim)``."""
        return self.body(x)

    def freeze(self, noise_dim: int, cond_dim: int) -> FrozenGenerator:
        """Return the inference-only form of this generator (see :class:`FrozenGenerator`).

        Parameters
        ----------
        noise_dim : int
            Width of the noise at the front of the input.
        cond_dim : int
            Width of the conditional vector that follows the noise.

        Returns
        -------
        FrozenGenerator
            A snapshot of the current weights and batch-norm statistics.
        """
        return FrozenGenerator(self, noise_dim, cond_dim)


class FrozenGenerator:
    """A :class:`Generator` in evaluation mode, rewritten for fast sampling.

    Same function as ``Generator.eval()`` applied to ``[noise, one_hot(hot), context]``,
    up to float rounding, with three rewrites:

    * each batch norm (evaluation mode: a fixed affine map) is folded into the weights and
      bias of the linear layer before it;
    * the conditional vector has at most one active entry per row, so its product with
      every layer's weights is a row lookup in a small table, not a matrix product;
    * instead of concatenating each layer's output to its input (residual layers), all
      layers write into one buffer laid out ``[h_k, …, h_1, noise, context]`` so that
      every layer's input is a column slice of it.

    Matrix products run through :func:`~synthohive.models._torch.linear`.

    Parameters
    ----------
    generator : Generator
        The trained generator; its weights are copied, not shared.
    noise_dim : int
        Width of the noise.
    cond_dim : int
        Width of the conditional vector.
    """

    def __init__(self, generator: Generator, noise_dim: int, cond_dim: int) -> None:
        layers = list(generator.body)
        self.noise_dim = noise_dim
        self.widths = [layer.linear.out_features for layer in layers[:-1]]
        self.hidden_dim = sum(self.widths)
        self.weights: list[torch.Tensor] = []
        self.biases: list[torch.Tensor] = []
        # Row ``cond_dim`` of each table is the all-zero conditional vector (``hot == -1``).
        self.tables: list[torch.Tensor] = []
        with torch.no_grad():
            for depth, layer in enumerate(layers):
                weight, bias = _folded(layer)
                cond_start = sum(self.widths[:depth]) + noise_dim
                cond_stop = cond_start + cond_dim
                self.weights.append(
                    torch.cat([weight[:, :cond_start], weight[:, cond_stop:]], 1).contiguous()
                )
                self.biases.append(bias.contiguous())
                table = weight[:, cond_start:cond_stop].T
                self.tables.append(torch.cat([table, table.new_zeros((1, table.shape[1]))]))
        self.cond_dim = cond_dim

    def __call__(
        self, noise: torch.Tensor, hot: torch.Tensor, context: torch.Tensor
    ) -> torch.Tensor:
        """Return raw logits/scalars of shape ``(n_rows, data_dim)``.

        Parameters
        ----------
        noise : Tensor of shape (n_rows, noise_dim)
            Generator noise.
        hot : Tensor of long, shape (n_rows,)
            Active entry of each row's conditional vector, -1 for an all-zero vector.
        context : Tensor of shape (n_rows, context_dim)
            Encoded context.

        Returns
        -------
        Tensor of shape (n_rows, data_dim)
            Raw generator output.
        """
        rows = noise.shape[0]
        start = self.hidden_dim
        buffer = noise.new_empty((rows, start + self.noise_dim + context.shape[1]))
        buffer[:, start : start + self.noise_dim] = noise
        buffer[:, start + self.noise_dim :] = context
        table_rows = torch.where(hot >= 0, hot, self.cond_dim) if self.cond_dim else None
        for depth, width in enumerate(self.widths):
            buffer[:, start - width : start] = self._layer(buffer[:, start:], depth, table_rows)
            start -= width
        return self._layer(buffer, len(self.widths), table_rows)

    def _layer(self, x: torch.Tensor, depth: int, table_rows: torch.Tensor | None) -> torch.Tensor:
        """One layer: linear map plus conditional-vector term, ReLU unless it is the output."""
        add = None if table_rows is None else self.tables[depth].index_select(0, table_rows)
        return linear(x, self.weights[depth], self.biases[depth],
                      relu=depth < len(self.widths), add=add)


def _folded(layer: nn.Module) -> tuple[torch.Tensor, torch.Tensor]:
    """Weight and bias of a layer's linear map, with a residual block's batch norm folded in."""
    if not isinstance(layer, _Residual):
        return layer.weight, layer.bias
    norm = layer.norm
    scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
    weight = layer.linear.weight * scale[:, None]
    bias = (layer.linear.bias - norm.running_mean) * scale + norm.bias
    return weight, bias


class Discriminator(nn.Module):
    """WGAN critic scoring groups of ``pac`` rows at once (PacGAN).

    Parameters
    ----------
    input_dim : int
        Width of one row (transformed row + conditional vector + encoded context).
    hidden : sequence of int
        Width of each ``Linear → LeakyReLU → Dropout`` layer.
    pac : int
        Rows per group; the batch size must be a multiple of it.
    dropout_p : float, default=0.5
        Dropout probability, applied only when a generator is passed to ``forward``.
    """

    def __init__(
        self, input_dim: int, hidden: Sequence[int], pac: int, dropout_p: float = 0.5
    ) -> None:
        super().__init__()
        self.pac = pac
        self.dropout_p = dropout_p
        widths = [input_dim * pac, *hidden]
        self.hidden = nn.ModuleList(
            nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:], strict=True)
        )
        self.out = nn.Linear(widths[-1], 1)

    def forward(
        self, x: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Score ``x`` (``n_rows`` a multiple of ``pac``); one score per group of rows.

        Parameters
        ----------
        x : Tensor of shape (n_rows, input_dim)
            Rows, consecutive ``pac`` rows forming a group.
        generator : torch.Generator, optional
            Source of the dropout masks; None disables dropout.

        Returns
        -------
        Tensor of shape (n_rows // pac, 1)
            Critic scores.
        """
        h = x.reshape(-1, x.shape[1] * self.pac)
        for layer in self.hidden:
            h = dropout(nn.functional.leaky_relu(layer(h), 0.2), self.dropout_p, generator)
        return self.out(h)
