"""The networks of TVAE: an encoder to a Gaussian latent, a decoder with learned noise scales."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from synthohive.models._torch import linear


def _relu_stack(input_dim: int, hidden: Sequence[int]) -> tuple[nn.Sequential, int]:
    """``Linear → ReLU`` layers of the given widths; return them and the output width."""
    layers: list[nn.Module] = []
    width = input_dim
    for size in hidden:
        layers += [nn.Linear(width, size), nn.ReLU()]
        width = size
    return nn.Sequential(*layers), width


class Encoder(nn.Module):
    """Map ``[row, context]`` to the mean and log-variance of the latent Gaussian.

    Parameters
    ----------
    input_dim : int
        Width of a transformed row plus the encoded context.
    hidden : sequence of int
        Widths of the ``Linear → ReLU`` layers.
    latent_dim : int
        Width of the latent code.
    """

    def __init__(self, input_dim: int, hidden: Sequence[int], latent_dim: int) -> None:
        super().__init__()
        self.body, width = _relu_stack(input_dim, hidden)
        self.mean = nn.Linear(width, latent_dim)
        self.log_var = nn.Linear(width, latent_dim)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(mean, log_var)``, each of shape ``(n_rows, latent_dim)``."""
        h = self.body(x)
        return self.mean(h), self.log_var(h)


class Decoder(nn.Module):
    """Map ``[latent, context]`` to raw transformed rows; hold each column's noise scale.

    Parameters
    ----------
    input_dim : int
        Width of the latent code plus the encoded context.
    hidden : sequence of int
        Widths of the ``Linear → ReLU`` layers.
    data_dim : int
        Width of a transformed row.

    Attributes
    ----------
    sigma : Parameter of shape (data_dim,)
        Standard deviation of the Gaussian around each tanh column (0.1 at start, kept in
        ``[0.01, 1]`` during training); unused for softmax columns.
    """

    def __init__(self, input_dim: int, hidden: Sequence[int], data_dim: int) -> None:
        super().__init__()
        body, width = _relu_stack(input_dim, hidden)
        self.body = nn.Sequential(*body, nn.Linear(width, data_dim))
        self.sigma = nn.Parameter(torch.full((data_dim,), 0.1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return raw logits/scalars of shape ``(n_rows, data_dim)``."""
        return self.body(x)

    def freeze(self) -> FrozenDecoder:
        """Return the inference-only form of this decoder (see :class:`FrozenDecoder`)."""
        return FrozenDecoder(self)


class VAE(nn.Module):
    """Encoder and decoder of one TVAE, trained together (one skorch module)."""

    def __init__(self, encoder: Encoder, decoder: Decoder) -> None:
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder


class FrozenDecoder:
    """A :class:`Decoder`'s weights, for sampling without autograd.

    Each layer runs through :func:`~synthohive.models._torch.linear` (oneDNN's fused
    ``linear + ReLU`` on the CPU); the latent and the context are written into one buffer
    instead of concatenated per layer.

    Parameters
    ----------
    decoder : Decoder
        The trained decoder; its weights are copied, not shared.
    """

    def __init__(self, decoder: Decoder) -> None:
        with torch.no_grad():
            layers = [m for m in decoder.body if isinstance(m, nn.Linear)]
            self.weights = [layer.weight.detach().clone().contiguous() for layer in layers]
            self.biases = [layer.bias.detach().clone().contiguous() for layer in layers]
            self.sigma = decoder.sigma.detach().clone()

    def __call__(self, latent: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """Return raw logits/scalars of shape ``(n_rows, data_dim)``.

        Parameters
        ----------
        latent : Tensor of shape (n_rows, latent_dim)
            Standard normal draws.
        context : Tensor of shape (n_rows, context_dim)
            Encoded context (zero columns without context).

        Returns
        -------
        Tensor of shape (n_rows, data_dim)
            Raw decoder output.
        """
        h = torch.cat([latent, context], dim=1) if context.shape[1] else latent
        last = len(self.weights) - 1
        for depth, (weight, bias) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = linear(h, weight, bias, relu=depth < last)
        return h
