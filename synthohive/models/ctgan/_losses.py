"""Losses of CTGAN: WGAN gradient penalty and the conditional cross-entropy."""

from __future__ import annotations

import torch

from synthohive.models.ctgan._networks import Discriminator


def gradient_penalty(
    critic: Discriminator,
    real: torch.Tensor,
    fake: torch.Tensor,
    generator: torch.Generator,
    weight: float = 10.0,
) -> torch.Tensor:
    """WGAN-GP penalty ``weight * E[(||grad D(x_hat)|| - 1)^2]`` on pac-grouped inputs.

    One interpolation coefficient is drawn per pac group, and the gradient norm is taken
    over the whole group, as the critic sees it.

    Parameters
    ----------
    critic : Discriminator
        The critic.
    real, fake : Tensor of shape (n_rows, width)
        Real and generated critic inputs (conditional vector and context included).
    generator : torch.Generator
        Source of the interpolation coefficients and of the critic's dropout masks.
    weight : float, default=10.0
        Penalty weight.

    Returns
    -------
    Tensor
        Scalar penalty.
    """
    pac = critic.pac
    groups = real.shape[0] // pac
    alpha = torch.rand((groups, 1, 1), generator=generator, device=real.device)
    real_g = real.reshape(groups, pac, -1)
    mixed = (alpha * real_g + (1.0 - alpha) * fake.reshape(groups, pac, -1)).reshape_as(real)
    mixed.requires_grad_(True)
    scores = critic(mixed, generator)
    (grad,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
    norms = grad.reshape(groups, -1).norm(2, dim=1)
    return weight * ((norms - 1.0) ** 2).mean()


def conditional_loss(
    logits: torch.Tensor,
    block_index: torch.Tensor,
    block_mask: torch.Tensor,
    block: torch.Tensor,
    category: torch.Tensor,
) -> torch.Tensor:
    """Cross-entropy between the generated block of the conditioned column and the condition.

    Parameters
    ----------
    logits : Tensor of shape (n_rows, data_dim)
        Raw generator output.
    block_index, block_mask : Tensor of shape (n_blocks, max_width)
        Padded column index of every discrete block (see
        :func:`synthohive.models._torch.padded_index`).
    block : Tensor of long, shape (n_rows,)
        Discrete block conditioned on in each row; -1 for an unconditioned row.
    category : Tensor of long, shape (n_rows,)
        Category (position inside the block) required in each row.

    Returns
    -------
    Tensor
        Scalar: summed cross-entropy of the conditioned rows divided by ``n_rows``.
    """
    conditioned = block >= 0
    if not bool(conditioned.any()):
        return logits.new_zeros(())
    rows = torch.nonzero(conditioned, as_tuple=True)[0]
    chosen = block[rows]
    picked = logits[rows[:, None], block_index[chosen]]
    picked = picked.masked_fill(~block_mask[chosen], float("-inf"))
    nll = torch.nn.functional.cross_entropy(picked, category[rows], reduction="sum")
    return nll / logits.shape[0]
