"""Keys and counts of generated rows (``_keys.py``)."""

import numpy as np
import pandas as pd

from synthohive.cardinality import EmpiricalCardinality
from synthohive.relational._keys import draw_counts
from tests.relational._models import ShuffleCounts


def test_draw_counts_keeps_the_fitted_total_and_the_conditional_order():
    rng = np.random.default_rng(0)
    segment = rng.choice(["retail", "pro"], size=2000, p=[0.8, 0.2])
    counts = rng.poisson(np.where(segment == "pro", 6.0, 0.5))
    estimator = EmpiricalCardinality(conditional_on="segment", random_state=0).fit(
        counts, pd.DataFrame({"segment": segment}))
    drifted = pd.DataFrame({"segment": rng.choice(["retail", "pro"], size=2000, p=[0.3, 0.7])})
    conditional = estimator.sample(drifted, random_state=1)
    assert conditional.sum() > 2 * counts.sum()  # the drifted context alone inflates
    drawn = draw_counts(estimator, drifted, 2000, seed=1)
    assert abs(drawn.sum() - counts.sum()) <= 0.02 * counts.sum()
    assert abs((drawn == 0).mean() - (counts == 0).mean()) <= 0.02
    pro = drifted["segment"].eq("pro").to_numpy()
    assert drawn[pro].mean() > 2 * drawn[~pro].mean()
    np.testing.assert_array_equal(drawn, draw_counts(estimator, drifted, 2000, seed=1))


def test_draw_counts_leaves_estimators_without_a_marginal_alone():
    estimator = ShuffleCounts().fit(np.array([0, 1, 5]))
    np.testing.assert_array_equal(draw_counts(estimator, None, 3, seed=4),
                                  estimator.sample(None, 3, random_state=4))
    unconditional = EmpiricalCardinality(random_state=0).fit(np.array([0, 1, 5, 2]))
    np.testing.assert_array_equal(draw_counts(unconditional, None, 6, seed=2),
                                  unconditional.sample(None, 6, random_state=2))
