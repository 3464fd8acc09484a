"""The two networks of CTGAN: a residual generator and a PacGAN critic."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from synthohive.models._torch import dropout


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

    def forward_one_hot(
        self, noise: torch.Tensor, hot: torch.Tensor, cond_dim: int, context: torch.Tensor
    ) -> torch.Tensor:
        """Compute ``forward(cat([noise, one_hot(hot, cond_dim), context]))``, faster.

        Used for sampling. The conditional vector has at most one active entry per row, so
        its product with a weight matrix is a column lookup; and instead of concatenating
        each layer's output to its input (residual layers), every layer sums one matrix
        product per earlier output. Same arithmetic as :meth:`forward` up to float
        rounding, far fewer operations when the conditional vector is wide.

        Parameters
        ----------
        noise : Tensor of shape (n_rows, embedding_dim)
            Generator noise.
        hot : Tensor of long, shape (n_rows,)
            Active entry of each row's conditional vector, -1 for an all-zero vector.
        cond_dim : int
            Width of the conditional vector.
        context : Tensor of shape (n_rows, context_dim)
            Encoded context.

        Returns
        -------
        Tensor of shape (n_rows, data_dim)
            Raw logits/scalars.
        """
        parts = [noise, None, context]
        widths = [noise.shape[1], cond_dim, context.shape[1]]
        hidden: list[torch.Tensor] = []  # newest first, like the residual concatenation
        active = hot >= 0
        lookup = torch.where(active, hot, torch.zeros_like(hot))
        for layer in self.body:
            linear = layer.linear if isinstance(layer, _Residual) else layer
            weight = linear.weight
            start = 0
            out = linear.bias.expand(noise.shape[0], -1)
            for h in hidden:
                out = torch.addmm(out, h, weight[:, start : start + h.shape[1]].T)
                start += h.shape[1]
            for part, width in zip(parts, widths, strict=True):
                block = weight[:, start : start + width]
                if part is not None and width:
                    out = torch.addmm(out, part, block.T)
                elif part is None and width:
                    out = out + block.T[lookup] * active[:, None]
                start += width
            if isinstance(layer, _Residual):
                out = torch.relu(layer.norm(out))
                hidden.insert(0, out)
        return out


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
