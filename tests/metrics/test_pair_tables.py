"""All pairs' joint tables at once: the same counts, NMI and TVD as pair by pair."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from synthohive.metrics._column import tvd_from_frequencies
from synthohive.metrics._pair_tables import PairTables
from synthohive.metrics._pairs import joint_counts, nmi_from_counts


def _codes(rng, sizes, n):
    codes = [rng.integers(0, size, n) for size in sizes]
    codes[1] = (codes[0] + rng.integers(0, 2, n)) % sizes[1]  # a dependent pair
    codes[3][:] = 0  # a constant column
    return codes


def test_counts_nmi_and_tvd_match_pair_by_pair():
    rng = np.random.default_rng(0)
    sizes = [4, 6, 12, 3, 2]
    pairs = list(combinations(range(len(sizes)), 2))
    tables = PairTables(sizes, pairs)
    real, synthetic = _codes(rng, sizes, 5000), _codes(rng, sizes, 700)
    real_counts, synthetic_counts = tables.counts(real), tables.counts(synthetic)
    nmi, tvd = tables.nmi(synthetic_counts), tables.tvd(real_counts, synthetic_counts)
    for k, (table, (a, b)) in enumerate(zip(tables.tables(synthetic_counts), pairs, strict=True)):
        expected = joint_counts(synthetic[a], synthetic[b], sizes[a], sizes[b])
        np.testing.assert_array_equal(table, expected)
        assert nmi[k] == pytest.approx(nmi_from_counts(expected), abs=1e-12)
        real_table = joint_counts(real[a], real[b], sizes[a], sizes[b])
        assert tvd[k] == pytest.approx(
            tvd_from_frequencies(real_table.ravel(), expected.ravel()), abs=1e-12)
    assert nmi[pairs.index((0, 1))] > 0.3


def test_empty_and_constant_tables_follow_the_pairwise_rules():
    tables = PairTables([2, 2, 3], [(0, 1), (0, 2)])
    empty = tables.counts([np.zeros(0, dtype=np.int64)] * 3)
    assert tables.nmi(empty).tolist() == [1.0, 1.0]
    constant = tables.counts([np.zeros(10, dtype=np.int64), np.zeros(10, dtype=np.int64),
                              np.arange(10) % 3])
    assert tables.nmi(constant).tolist() == [1.0, 0.0]  # as nmi_from_counts
    assert tables.tvd(empty, constant).tolist() == [1.0, 1.0]
    assert tables.tvd(empty, empty).tolist() == [0.0, 0.0]
    assert PairTables([3], []).counts([np.arange(3)]).shape == (0,)
