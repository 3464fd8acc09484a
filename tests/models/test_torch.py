"""Shared torch helpers: span activations, seeded layers, dropout, device resolution."""

from __future__ import annotations

import pytest
import torch

from synthohive.exceptions import DataValidationError
from synthohive.models._torch import SpanLayout, build_seeded, dropout, resolve_device
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


def test_gumbel_activation_is_seeded_and_hard_sampling_is_one_hot():
    layout = SpanLayout(SPANS, torch.device("cpu"))
    logits = torch.randn(2000, 12, generator=torch.Generator().manual_seed(1))
    a = layout.activate(logits, torch.Generator().manual_seed(5))
    b = layout.activate(logits, torch.Generator().manual_seed(5))
    torch.testing.assert_close(a, b)
    rows = layout.hard(logits, torch.Generator().manual_seed(2))
    for span in SPANS[1:4]:
        block = rows[:, span.slice]
        assert set(block.unique().tolist()) <= {0.0, 1.0}
        torch.testing.assert_close(block.sum(1), torch.ones(2000))
    # Gumbel-max draws follow the block's softmax.
    logits = torch.zeros(20000, 12)
    logits[:, 4] = 2.0
    rows = layout.hard(logits, torch.Generator().manual_seed(3))
    share = rows[:, 4].mean().item()
    expected = torch.softmax(torch.tensor([2.0, 0, 0, 0, 0]), 0)[0].item()
    assert abs(share - expected) < 0.02
    torch.testing.assert_close(rows[:, 0], torch.tanh(logits[:, 0]))


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
