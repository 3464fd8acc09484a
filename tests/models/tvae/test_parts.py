"""TVAE parts: losses against per-span loops, the frozen decoder against the module."""

from __future__ import annotations

import pytest
import torch

from synthohive.models._torch import SpanLayout
from synthohive.models.tvae._losses import kl_divergence, reconstruction_loss
from synthohive.models.tvae._networks import Decoder
from synthohive.transform import OutputSpan

SPANS = [OutputSpan("x", "continuous", "tanh", 0, 1),
         OutputSpan("x", "continuous", "softmax", 1, 3),
         OutputSpan("c", "discrete", "softmax", 4, 4),
         OutputSpan("y", "continuous", "tanh", 8, 1),
         OutputSpan("y", "continuous", "softmax", 9, 2)]


def _target(rows: int, generator: torch.Generator) -> torch.Tensor:
    target = torch.zeros((rows, 11))
    for span in SPANS:
        if span.activation == "tanh":
            target[:, span.start] = torch.rand(rows, generator=generator) * 2 - 1
        else:
            pick = torch.randint(span.width, (rows,), generator=generator)
            target[torch.arange(rows), span.start + pick] = 1.0
    return target


def test_reconstruction_loss_matches_a_loop_over_spans():
    generator = torch.Generator().manual_seed(0)
    output = torch.randn((16, 11), generator=generator)
    sigma = torch.rand(11, generator=generator) * 0.5 + 0.05
    target = _target(16, generator)
    expected = torch.zeros(())
    for span in SPANS:
        if span.activation == "tanh":
            error = target[:, span.start] - torch.tanh(output[:, span.start])
            expected = expected + (error ** 2 / 2 / sigma[span.start] ** 2).sum()
            expected = expected + torch.log(sigma[span.start]) * 16
        else:
            expected = expected + torch.nn.functional.cross_entropy(
                output[:, span.slice], target[:, span.slice].argmax(1), reduction="sum")
    got = reconstruction_loss(output, target, sigma, SpanLayout(SPANS, torch.device("cpu")))
    assert got.item() == pytest.approx(expected.item(), rel=1e-5)


def test_kl_divergence_matches_torch_distributions():
    generator = torch.Generator().manual_seed(1)
    mean = torch.randn((8, 4), generator=generator)
    log_var = torch.randn((8, 4), generator=generator)
    posterior = torch.distributions.Normal(mean, torch.exp(0.5 * log_var))
    prior = torch.distributions.Normal(torch.zeros(4), torch.ones(4))
    expected = torch.distributions.kl_divergence(posterior, prior).sum()
    assert kl_divergence(mean, log_var).item() == pytest.approx(expected.item(), rel=1e-5)


@pytest.mark.parametrize("context_dim", [0, 3])
def test_frozen_decoder_matches_the_module_and_is_a_snapshot(context_dim):
    decoder = Decoder(5 + context_dim, (16, 8), 11).eval()
    generator = torch.Generator().manual_seed(2)
    latent = torch.randn((33, 5), generator=generator)
    context = torch.randn((33, context_dim), generator=generator)
    frozen = decoder.freeze()
    with torch.no_grad():
        expected = decoder(torch.cat([latent, context], dim=1))
        torch.testing.assert_close(frozen(latent, context), expected, rtol=1e-5, atol=1e-5)
        decoder.body[0].weight.add_(1.0)
        torch.testing.assert_close(frozen(latent, context), expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(frozen.sigma, torch.full((11,), 0.1))
