import numpy as np
import pandas as pd
import pytest

from synthohive.cardinality import EmpiricalCardinality
from synthohive.persistence import dump_bytes, load_bytes
from tests.cardinality._data import ks, overdispersed, sakila_rentals_per_customer


def test_count_distribution_matches_overdispersed_data():
    counts, _ = overdispersed()
    assert (counts == 0).mean() > 0.2
    drawn = EmpiricalCardinality(random_state=0).fit(counts).sample(n=20_000, random_state=1)
    assert ks(counts, drawn) <= 0.05
    assert abs((drawn == 0).mean() - (counts == 0).mean()) < 0.02
    assert set(np.unique(drawn)) <= set(np.unique(counts))


def test_count_distribution_matches_sakila_rentals():
    counts = sakila_rentals_per_customer()
    assert len(counts) == 599
    drawn = EmpiricalCardinality(random_state=0).fit(counts).sample(n=5_000, random_state=1)
    assert ks(counts, drawn) <= 0.05
    assert drawn.min() >= counts.min()


def test_conditional_on_a_parent_column_is_respected():
    counts, context = overdispersed()
    conditional = EmpiricalCardinality(conditional_on="segment", random_state=0)
    drawn = conditional.fit(counts, context).sample(context, random_state=1)
    plain = EmpiricalCardinality(random_state=0).fit(counts).sample(n=len(counts),
                                                                   random_state=1)
    segment = context["segment"].to_numpy()
    for value in ["retail", "pro", "vip"]:
        real = counts[segment == value]
        assert ks(real, drawn[segment == value]) <= 0.1, value
        assert abs(drawn[segment == value].mean() - real.mean()) < 0.15 * real.mean() + 0.1
    assert ks(counts[segment == "vip"], plain[segment == "vip"]) > 0.3


def test_numeric_columns_are_binned_by_quantiles():
    counts, context = overdispersed()
    fitted = EmpiricalCardinality(conditional_on=["age"], n_bins=4, random_state=0).fit(
        counts, context)
    assert len(fitted.coders_[0].edges) == 3
    young = pd.DataFrame({"age": np.full(2000, 10.0)})
    old = pd.DataFrame({"age": np.full(2000, 90.0)})
    assert fitted.sample(old, random_state=0).mean() > 1.5 * fitted.sample(
        young, random_state=0).mean()


def test_small_groups_fall_back_to_a_broader_distribution():
    n = 400
    segment = np.repeat(["a", "b"], n // 2)
    region = np.where(np.arange(n) % 40 == 0, "rare", "common")
    counts = np.where(segment == "a", np.arange(n) % 2, 10 + np.arange(n) % 2)
    counts[(segment == "b") & (region == "rare")] = 11
    context = pd.DataFrame({"segment": segment, "region": region})
    fitted = EmpiricalCardinality(conditional_on=["segment", "region"], min_group_size=30,
                                  random_state=0).fit(counts, context)
    rare_b = pd.DataFrame({"segment": ["b"] * 500, "region": ["rare"] * 500})
    assert set(fitted.sample(rare_b, random_state=0)) == {10, 11}
    unseen = pd.DataFrame({"segment": ["zzz", None] * 250, "region": ["common"] * 500})
    assert set(fitted.sample(unseen, random_state=0)) == {0, 1, 10, 11}
    strict = EmpiricalCardinality(conditional_on=["segment", "region"], min_group_size=1,
                                  random_state=0).fit(counts, context)
    assert set(strict.sample(rare_b, random_state=0)) == {11}


def test_null_and_datetime_context_columns():
    rng = np.random.default_rng(0)
    n = 1000
    when = pd.Series(pd.to_datetime("2024-01-01") + pd.to_timedelta(
        rng.integers(0, 365, n), unit="D"))
    when[rng.random(n) < 0.3] = pd.NaT
    counts = np.where(when.isna(), 0, 5)
    context = pd.DataFrame({"when": when})
    fitted = EmpiricalCardinality(conditional_on="when", random_state=0).fit(counts, context)
    drawn = fitted.sample(context, random_state=0)
    np.testing.assert_array_equal(drawn, counts)


@pytest.mark.parametrize("min_group_size", [1, 10_000])
def test_every_parent_gets_an_observed_count(min_group_size):
    counts, context = overdispersed(n=500)
    fitted = EmpiricalCardinality(conditional_on=["segment", "age"],
                                  min_group_size=min_group_size, random_state=0)
    drawn = fitted.fit(counts, context).sample(context, random_state=0)
    assert np.isin(drawn, counts).all()


def test_auto_conditions_on_the_column_that_explains_the_counts():
    counts, context = overdispersed()
    noise = np.random.default_rng(5).integers(0, 4, len(counts)).astype(str)
    context = context.assign(noise=noise)[["noise", "age", "segment"]]
    fitted = EmpiricalCardinality(random_state=0).fit(counts, context)
    assert fitted.conditioning_ == ["segment"]
    assert fitted.min_sizes_ == [30]
    assert not fitted.coupled_
    drawn = fitted.sample(context, random_state=1)
    vip = context["segment"].to_numpy() == "vip"
    assert ks(counts[vip], drawn[vip]) <= 0.1
    unrelated = pd.DataFrame({"noise": noise})
    assert EmpiricalCardinality(random_state=0).fit(counts, unrelated).conditioning_ == []
    assert EmpiricalCardinality(random_state=0).fit(counts).conditioning_ == []
    assert EmpiricalCardinality(conditional_on=None).fit(counts, context).conditioning_ == []


def test_auto_keeps_each_labelled_parents_count():
    """A dimension table's labels keep their own counts (the big media type stays big)."""
    counts = np.array([3034, 237, 214, 11, 7])
    labels = pd.DataFrame({"name": ["MPEG audio", "Protected AAC", "Protected MPEG-4 video",
                                    "Purchased AAC", "AAC audio"]})
    fitted = EmpiricalCardinality(random_state=0).fit(counts, labels)
    assert fitted.conditioning_ == ["name"]
    assert fitted.min_sizes_ == [1]
    assert fitted.coupled_
    for seed in range(3):
        np.testing.assert_array_equal(fitted.sample(labels, random_state=seed), counts)
        twice = fitted.sample(pd.concat([labels, labels]), random_state=seed)
        np.testing.assert_array_equal(twice, np.tile(counts, 2))
    # Not one parent per label: the counts keep their distribution, ranked by label.
    repeated = labels.iloc[[4, 0, 0, 0, 2]]
    drawn = fitted.sample(repeated, random_state=0)
    np.testing.assert_array_equal(np.sort(drawn), np.sort(counts))
    assert drawn[0] == 7
    assert set(drawn[1:4]) == {3034, 237, 214}
    assert drawn[4] == 11
    unseen = fitted.sample(pd.DataFrame({"name": ["new"] * 50}), random_state=0)
    assert set(unseen) <= set(counts)
    loaded = load_bytes(dump_bytes(fitted), expected=EmpiricalCardinality)
    assert loaded.conditioning_ == ["name"]
    np.testing.assert_array_equal(loaded.sample(labels, random_state=0), counts)
