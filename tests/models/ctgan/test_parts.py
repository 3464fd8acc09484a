"""CTGAN building blocks: sampler, conditional vector, networks, losses."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from synthohive.models._torch import padded_index
from synthohive.models.ctgan._losses import conditional_loss, gradient_penalty
from synthohive.models.ctgan._networks import Discriminator, Generator
from synthohive.models.ctgan._sampler import CondVector, TrainingSampler
from synthohive.transform import OutputSpan


@pytest.fixture
def codes():
    rng = np.random.default_rng(0)
    first = rng.choice(3, size=1000, p=[0.7, 0.25, 0.05])
    second = rng.choice(4, size=1000, p=[0.1, 0.2, 0.3, 0.4])
    second[second == 2] = 3  # an empty category: never drawn
    return np.stack([first, second], axis=1)


def _cond(codes):
    counts = np.concatenate([np.bincount(codes[:, 0], minlength=3),
                             np.bincount(codes[:, 1], minlength=4)])
    return CondVector([3, 4], counts)


def test_training_sampler_rows_match_their_condition(codes):
    sampler = TrainingSampler(_cond(codes), codes, unconditioned=0.0)
    draw = sampler.draw(5000, np.random.default_rng(1))
    assert np.array_equal(codes[draw.rows, draw.block], draw.category)
    assert not ((draw.block == 1) & (draw.category == 2)).any()
    # Log-frequency: the rare category of block 0 is drawn far above its 5% share.
    rare = np.mean(draw.category[draw.block == 0] == 2)
    expected = np.log1p(50) / np.log1p(np.bincount(codes[:, 0])).sum()
    assert abs(rare - expected) < 0.05
    assert abs(np.mean(draw.block == 0) - 0.5) < 0.05
    again = sampler.draw(5000, np.random.default_rng(1))
    assert np.array_equal(again.rows, draw.rows)


def test_training_sampler_frequency_and_unconditioned_rows(codes):
    sampler = TrainingSampler(_cond(codes), codes, unconditioned=0.5, log=False)
    draw = sampler.draw(8000, np.random.default_rng(2))
    free = draw.block == -1
    assert abs(free.mean() - 0.5) < 0.03
    kept = ~free
    assert np.array_equal(codes[draw.rows[kept], draw.block[kept]], draw.category[kept])
    share = np.mean(draw.category[kept & (draw.block == 0)] == 0)
    assert abs(share - np.mean(codes[:, 0] == 0)) < 0.05


@pytest.mark.parametrize("log", [False, True])
def test_cond_vector_draw_follows_block_and_category_weights(codes, log):
    cond = _cond(codes)
    block, category = cond.draw(40_000, np.random.default_rng(5), log=log)
    assert abs(np.mean(block == 0) - 0.5) < 0.01
    for j, width in enumerate([3, 4]):
        counts = cond.counts[cond.offsets[j]: cond.offsets[j] + width].astype(float)
        weights = np.log1p(counts) if log else counts
        share = np.bincount(category[block == j], minlength=width) / np.sum(block == j)
        np.testing.assert_allclose(share, weights / weights.sum(), atol=0.015)
    assert not ((block == 1) & (category == 2)).any()  # the empty category


def test_sampler_without_discrete_columns():
    empty = CondVector([], np.zeros(0, dtype=np.int64))
    sampler = TrainingSampler(empty, np.zeros((50, 0), dtype=np.int64), unconditioned=0.0)
    draw = sampler.draw(20, np.random.default_rng(0))
    assert (draw.block == -1).all()
    assert draw.rows.min() >= 0
    assert draw.rows.max() < 50
    assert empty.encode(torch.tensor(draw.block), torch.tensor(draw.category)).shape == (20, 0)


def test_cond_vector_encoding(codes):
    cond = _cond(codes)
    vectors = cond.encode(torch.tensor([0, 1, -1]), torch.tensor([2, 3, 0]))
    expected = torch.zeros(3, 7)
    expected[0, 2] = 1
    expected[1, 3 + 3] = 1
    assert torch.equal(vectors, expected)


@pytest.mark.parametrize("cond_dim", [7, 0])
def test_frozen_generator_matches_eval_forward(cond_dim):
    gen = Generator(8 + cond_dim + 2, (16, 12), 10)
    rng = torch.Generator().manual_seed(0)
    with torch.no_grad():  # non-trivial batch-norm statistics and affine parameters
        for layer in gen.body[:-1]:
            layer.norm.running_mean.normal_(generator=rng)
            layer.norm.running_var.uniform_(0.5, 2.0, generator=rng)
            layer.norm.weight.normal_(generator=rng)
            layer.norm.bias.normal_(generator=rng)
    gen.eval()
    noise = torch.randn(64, 8, generator=rng)
    context = torch.randn(64, 2, generator=rng)
    hot = torch.randint(-1, max(cond_dim, 1), (64,), generator=rng) if cond_dim else (
        torch.full((64,), -1))
    dense = torch.zeros(64, cond_dim)
    dense[hot >= 0, hot[hot >= 0]] = 1.0
    with torch.no_grad():
        expected = gen(torch.cat([noise, dense, context], dim=1))
        got = gen.freeze(8, cond_dim)(noise, hot, context)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)


def test_frozen_generator_is_a_snapshot():
    gen = Generator(5, (4,), 3).eval()
    frozen = gen.freeze(5, 0)
    x = torch.randn(6, 5, generator=torch.Generator().manual_seed(1))
    before = frozen(x, torch.full((6,), -1), torch.zeros(6, 0))
    with torch.no_grad():
        gen.body[0].linear.weight.add_(1.0)
    torch.testing.assert_close(frozen(x, torch.full((6,), -1), torch.zeros(6, 0)), before)


def test_discriminator_groups_and_dropout():
    critic = Discriminator(6, (8,), pac=4)
    x = torch.randn(20, 6)
    assert critic(x).shape == (5, 1)
    a = critic(x, torch.Generator().manual_seed(1))
    b = critic(x, torch.Generator().manual_seed(1))
    assert torch.equal(a, b)
    assert not torch.equal(a, critic(x))


def test_gradient_penalty_is_zero_for_unit_gradient_norm():
    critic = Discriminator(3, (), pac=1)
    with torch.no_grad():
        critic.out.weight.copy_(torch.tensor([[0.6, 0.8, 0.0]]))
    penalty = gradient_penalty(critic, torch.randn(10, 3), torch.randn(10, 3),
                               torch.Generator().manual_seed(0))
    assert penalty.item() == pytest.approx(0.0, abs=1e-10)


def test_conditional_loss_matches_per_row_cross_entropy():
    spans = [OutputSpan("a", "discrete", "softmax", 1, 3),
             OutputSpan("b", "discrete", "softmax", 5, 4)]
    index, mask = padded_index(spans, torch.device("cpu"))
    logits = torch.randn(6, 9, generator=torch.Generator().manual_seed(0))
    block = torch.tensor([0, 1, -1, 1, 0, -1])
    category = torch.tensor([2, 3, 0, 0, 1, 0])
    loss = conditional_loss(logits, index, mask, block, category)
    expected = 0.0
    for row in range(6):
        if block[row] < 0:
            continue
        span = spans[block[row]]
        expected += torch.nn.functional.cross_entropy(
            logits[row : row + 1, span.slice], category[row : row + 1], reduction="sum")
    assert loss.item() == pytest.approx(expected.item() / 6, rel=1e-5)
    assert conditional_loss(logits, index, mask, torch.full((6,), -1), category).item() == 0.0
