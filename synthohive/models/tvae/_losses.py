"""Losses of TVAE: the reconstruction likelihood of a transformed row, and the KL term."""

from __future__ import annotations

import torch

from synthohive.models._torch import SpanLayout


def reconstruction_loss(
    output: torch.Tensor, target: torch.Tensor, sigma: torch.Tensor, layout: SpanLayout
) -> torch.Tensor:
    """Negative log-likelihood of ``target`` under the decoder's output, summed over rows.

    Tanh columns are Gaussian around ``tanh(output)`` with the decoder's ``sigma``
    (``(x - tanh(o))^2 / (2 sigma^2) + log sigma``, the constant dropped); every softmax
    block is a categorical distribution (cross-entropy with the one-hot target). All blocks
    are handled at once through ``layout``'s segment tables.

    Parameters
    ----------
    output : Tensor of shape (n_rows, dim)
        Raw decoder output.
    target : Tensor of shape (n_rows, dim)
        Transformed real rows.
    sigma : Tensor of shape (dim,)
        The decoder's noise scales.
    layout : SpanLayout
        Output layout of the table.

    Returns
    -------
    Tensor
        Scalar: the summed negative log-likelihood (divide by ``n_rows`` for a mean).
    """
    loss = output.new_zeros(())
    tanh = layout.tanh_index
    if tanh.numel():
        scale = sigma.index_select(0, tanh)
        error = target.index_select(1, tanh) - torch.tanh(output.index_select(1, tanh))
        loss = loss + (error.square() / (2 * scale.square())).sum()
        loss = loss + torch.log(scale).sum() * output.shape[0]
    if layout.n_blocks:
        soft = layout.soft_index
        picked = (target.index_select(1, soft) * output.index_select(1, soft)).sum()
        loss = loss + layout.block_logsumexp(output).sum() - picked
    return loss


def kl_divergence(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """``KL(N(mean, exp(log_var)) || N(0, I))`` summed over rows and latent dimensions.

    Parameters
    ----------
    mean, log_var : Tensor of shape (n_rows, latent_dim)
        The encoder's output.

    Returns
    -------
    Tensor
        Scalar KL divergence.
    """
    return -0.5 * (1 + log_var - mean.square() - log_var.exp()).sum()
