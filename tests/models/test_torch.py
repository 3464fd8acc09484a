"""Shared torch helpers: span activations, seeded layers, dropout, device resolution."""

from __future__ import annotations

import pytest
import torch

from synthohive.exceptions import DataValidationError
from synthohive.models._torch import SpanLayout, build_seeded, dropout, linear, resolve_device
from synthohive.transform import OutputSpan

SPANS = [
    OutputSpan("a", "continuous_value", "tanh", 0, 1),
    OutputSpan("a", "continuous_mode", "softmax", 1, 3),
    OutputSpan("b", "discrete", "softmax", 4, 5),
    OutputSpan("b", "null", "softmax", 9, 2),
    OutputSpan("c", "continuous_value", "tanh", 11, 1),
]


def _reference(logits, noise, tau):
    out = torch.empty_like(logits)
    for span in SPANS:
        block = logits[:, span.slice]
        if span.activation == "tanh":
            out[:, span.slice] = torch.tanh(block)
        else:
            out[:, span.slice] = torch.softmax((block + noise[:, span.slice]) / tau, dim=1)
    return out


def test_activate_matches_per_block_softmax_and_gradients():
    layout = SpanLayout(SPANS, torch.device("cpu"))
    logits = (torch.randn(64, 12, generator=torch.Generator().manual_seed(0)) * 5)
    logits.requires_grad_(True)
    out = layout.activate(logits, None, tau=0.2)
    expected = _reference(logits, torch.zeros_like(logits), 0.2)
    torch.testing.assert_close(out, expected)
    for span in SPANS[1:4]:
        torch.testing.assert_close(out[:, span.slice].sum(1), torch.ones(64))
    weights = torch.randn(12)
    (grad,) = torch.autograd.grad((out * weights).sum(), logits)
    (grad_ref,) = torch.autograd.grad((expected * weights).sum(), logits)
    torch.testing.assert_close(grad, grad_ref)


def test_gumbel_activation_is_seeded_and_draws_follow_the_softmax():
    layout = SpanLayout(SPANS, torch.device("cpu"))
    logits = torch.randn(2000, 12, generator=torch.Generator().manual_seed(1))
    a = layout.activate(logits, torch.Generator().manual_seed(5))
    b = layout.activate(logits, torch.Generator().manual_seed(5))
    torch.testing.assert_close(a, b)
    codes, scalars = layout.draw(logits, torch.Generator().manual_seed(2))
    again, _ = layout.draw(logits, torch.Generator().manual_seed(2))
    assert torch.equal(codes, again)
    soft = [span for span in SPANS if span.activation == "softmax"]
    assert codes.shape == (2000, len(soft))
    for k, span in enumerate(soft):
        assert codes[:, k].min() >= 0
        assert codes[:, k].max() < span.width
    tanh = [span.start for span in SPANS if span.activation == "tanh"]
    torch.testing.assert_close(scalars, torch.tanh(logits[:, tanh]))
    # Gumbel-max draws follow each block's softmax.
    logits = torch.randn(1, 12, generator=torch.Generator().manual_seed(4)).expand(40000, 12)
    codes, _ = layout.draw(logits.contiguous(), torch.Generator().manual_seed(3))
    for k, span in enumerate(soft):
        share = torch.bincount(codes[:, k], minlength=span.width) / 40000
        expected = torch.softmax(logits[0, span.slice], 0)
        assert (share - expected).abs().max().item() < 0.015


def test_linear_matches_addmm_on_column_slices():
    rng = torch.Generator().manual_seed(0)
    wide = torch.randn(300, 40, generator=rng)
    weight, bias = torch.randn(7, 25, generator=rng), torch.randn(7, generator=rng)
    x = wide[:, 15:]
    expected = torch.addmm(bias, x, weight.T)
    torch.testing.assert_close(linear(x, weight, bias), expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(linear(x, weight, bias, relu=True), torch.relu(expected),
                               rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(linear(x, weight, None), x @ weight.T, rtol=1e-5, atol=1e-5)
    other = torch.randn(300, 7, generator=rng)
    torch.testing.assert_close(linear(x, weight, bias, relu=True, add=other),
                               torch.relu(expected + other), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(linear(x, weight, bias, add=other), expected + other,
                               rtol=1e-5, atol=1e-5)


def test_build_seeded_and_dropout_are_deterministic():
    state = torch.get_rng_state()
    one = build_seeded(lambda: torch.nn.Linear(4, 3), 7, torch.device("cpu"))
    two = build_seeded(lambda: torch.nn.Linear(4, 3), 7, torch.device("cpu"))
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(one.weight, two.weight)
    x = torch.ones(1000, 10)
    kept = dropout(x, 0.5, torch.Generator().manual_seed(0))
    assert torch.equal(kept, dropout(x, 0.5, torch.Generator().manual_seed(0)))
    assert set(kept.unique().tolist()) == {0.0, 2.0}
    assert abs((kept == 0).float().mean().item() - 0.5) < 0.05
    assert dropout(x, 0.5, None) is x


def test_resolve_device():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto").type in {"cpu", "cuda"}
    with pytest.raises(DataValidationError, match="device"):
        resolve_device("banana")
    with pytest.raises(DataValidationError, match="device"):
        resolve_device("meta")
    if not torch.cuda.is_available():
        with pytest.raises(DataValidationError, match="CUDA"):
            resolve_device("cuda")


def test_block_logsumexp_matches_per_block_logsumexp_with_gradients():
    layout = SpanLayout(SPANS, torch.device("cpu"))
    logits = torch.randn(16, 12, generator=torch.Generator().manual_seed(3)) * 30
    logits.requires_grad_(True)
    got = layout.block_logsumexp(logits)
    blocks = [span for span in SPANS if span.activation == "softmax"]
    expected = torch.stack([torch.logsumexp(logits[:, s.slice], dim=1) for s in blocks], dim=1)
    torch.testing.assert_close(got, expected)
    (grad,) = torch.autograd.grad(got.sum(), logits)
    (expected_grad,) = torch.autograd.grad(expected.sum(), logits)
    torch.testing.assert_close(grad, expected_grad)


@pytest.mark.parametrize("widths", [(3, 5, 2), (40, 3, 17, 33, 2, 120, 70)])
def test_grouped_draw_equals_block_by_block(widths):
    """Blocks drawn together in padded groups get exactly the per-block draws."""
    spans, start = [OutputSpan("x", "continuous_value", "tanh", 0, 1)], 1
    for k, width in enumerate(widths):
        spans.append(OutputSpan(f"c{k}", "discrete", "softmax", start, width))
        start += width
    layout = SpanLayout(spans, torch.device("cpu"))
    logits = 4 * torch.randn(3000, start, generator=torch.Generator().manual_seed(0))
    logits[:5, 1:4] = -80.0  # near-zero probabilities next to likely ones
    codes, _ = layout.draw(logits, torch.Generator().manual_seed(1))
    uniform = torch.rand((3000, len(widths)), generator=torch.Generator().manual_seed(1))
    for block, (lo, hi) in enumerate(layout.block_bounds):
        x = logits[:, lo:hi]
        cdf = (x - x.amax(dim=1, keepdim=True)).exp_().cumsum_(dim=1)
        expected = torch.searchsorted(cdf, uniform[:, block : block + 1] * cdf[:, -1:])
        assert torch.equal(codes[:, block], expected.squeeze(1))
