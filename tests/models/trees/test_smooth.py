"""Leaf counts are evened out as far as held-out rows ask, never toward unseen codes."""

import numpy as np
import pandas as pd
import pytest

from synthohive import TreeSynthesizer
from synthohive.models.trees._prune import PRIOR_ROWS
from synthohive.models.trees._smooth import WEIGHTS, support_weight
from synthohive.models.trees._tree import CategoryLeaves


def _held_out_log_likelihood(grown, held, weight, n_codes):
    """The score of one weight, written out row by row."""
    counts = np.bincount(grown, minlength=n_codes)
    prior = (counts + 1.0) / (len(grown) + n_codes)
    support = np.count_nonzero(counts)
    total = 0.0
    for code in held:
        evened = (counts[code] + weight) / (len(grown) + weight * support) if counts[code] else 0
        total += np.log((len(grown) * evened + PRIOR_ROWS * prior[code])
                        / (len(grown) + PRIOR_ROWS))
    return total


def test_the_weight_maximises_the_held_out_log_likelihood():
    grown = np.array([0, 0, 0, 0, 0, 0, 1, 2])
    held = np.array([1, 2, 2, 0, 3])
    chosen = support_weight(np.zeros(8, dtype=np.int64), grown, np.zeros(5, dtype=np.int64),
                            held, n_codes=4)
    scores = [_held_out_log_likelihood(grown, held, w, 4) for w in WEIGHTS]
    assert chosen == WEIGHTS[int(np.argmax(scores))]
    assert chosen > 0


def test_noisy_counts_are_evened_out_real_frequencies_kept():
    rng = np.random.default_rng(0)
    # Sixty parents with seven children each, split at random: a parent's count among the
    # growing rows says nothing about its share among the held-out rows.
    parents = np.repeat(np.arange(60), 7)
    held = rng.random(len(parents)) < 0.3
    noisy = support_weight(np.zeros((~held).sum(), dtype=np.int64), parents[~held],
                           np.zeros(held.sum(), dtype=np.int64), parents[held], n_codes=60)
    # A skewed column of many rows: its frequencies are the population's.
    skewed = rng.zipf(1.5, 20_000) % 50
    real = support_weight(np.zeros(15_000, dtype=np.int64), skewed[:15_000],
                          np.zeros(5_000, dtype=np.int64), skewed[15_000:], n_codes=50)
    counts = np.bincount(skewed, minlength=50)
    evened = (counts + real * (counts > 0)) / (counts.sum() + real * np.count_nonzero(counts))
    assert noisy >= 4.0
    assert 0.5 * np.abs(evened - counts / counts.sum()).sum() < 0.005
    assert support_weight(np.zeros(3, dtype=np.int64), np.array([0, 1, 1]),
                          np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 2) == 0.0


def test_each_leaf_is_judged_on_its_own_codes():
    # Two pure leaves: any weight keeps them pure, so the smallest one is chosen.
    grown_leaves, held_leaves = np.repeat([1, 2], 20), np.repeat([1, 2], 5)
    chosen = support_weight(grown_leaves, np.repeat([0, 1], 20), held_leaves,
                            np.repeat([0, 1], 5), n_codes=2)
    assert chosen == 0.0


def test_smoothed_leaves_draw_evened_shares_of_the_codes_they_hold_only():
    leaves = np.array([1, 1, 1, 1, 2, 2])
    codes = np.array([0, 0, 0, 3, 2, 2])
    counts = CategoryLeaves.fit(leaves, codes, n_nodes=3, n_codes=4, smoothing=2.0)
    drawn = counts.sample(np.repeat([1, 2], 20_000), np.random.default_rng(0))
    assert abs((drawn[:20_000] == 0).mean() - 5 / 8) < 0.02  # (3 + 2) / (4 + 2 * 2)
    assert set(drawn[:20_000]) == {0, 3}
    assert set(drawn[20_000:]) == {2}
    np.testing.assert_allclose(counts.probability(np.array([1, 2]), 3), [3 / 8, 0.0])
    restored = CategoryLeaves.from_state(counts.to_state())
    assert restored.smoothing == 2.0
    np.testing.assert_array_equal(restored.sample(np.repeat([1, 2], 50),
                                                  np.random.default_rng(1)),
                                  counts.sample(np.repeat([1, 2], 50), np.random.default_rng(1)))


@pytest.mark.parametrize("seed", [0, 1])
def test_children_of_equal_counts_are_not_drawn_by_the_sample_s_counts(seed):
    rng = np.random.default_rng(seed)
    # Each of 80 customers has exactly six orders, with its city and country: how many of a
    # customer's orders land in training is chance, and the opposite of its unseen share.
    customer = np.repeat(np.arange(80), 6)
    city = np.array([f"city{c}" for c in range(80)], dtype=object)[customer]
    country = np.array([f"country{c % 12}" for c in range(80)], dtype=object)[customer]
    real = pd.DataFrame({"country": country, "city": city,
                         "amount": rng.gamma(2.0, 20.0, len(customer)).round(2)})
    train = real[rng.random(len(real)) >= 0.3].reset_index(drop=True)
    model = TreeSynthesizer(random_state=seed).fit(train)
    out = model.sample(50_000, random_state=seed + 1)
    assert model.training_metrics().set_index("column").loc["city", "smoothing"] >= 4.0
    assert out.groupby("city")["country"].nunique().max() == 1  # the dependency holds
    assert set(out["city"]) <= set(train["city"])
    population = real["city"].value_counts(normalize=True)
    drawn = out["city"].value_counts(normalize=True).reindex(population.index, fill_value=0)
    counted = train["city"].value_counts(normalize=True).reindex(population.index,
                                                                  fill_value=0)
    # The sample's shares follow the population (even), not the training rows' counts.
    assert 0.5 * (drawn - population).abs().sum() < 0.5 * 0.5 * (counted - population).abs().sum()
