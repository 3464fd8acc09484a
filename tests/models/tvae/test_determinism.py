"""Determinism of TVAE: seeds, not global RNG state, decide the output.

Bit-identity across processes is checked by ``tests/models/test_checkpoint.py`` (a fit
resumed in a fresh process equals one run in the test process).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from tests.models.tvae.conftest import small_tvae


def test_fit_ignores_global_rng_and_leaves_it_alone(iris):
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()  # noqa: NPY002 (checks the global RNG is untouched)
    a = small_tvae(random_state=3).fit(iris).sample(40, random_state=0)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], numpy_state[1])  # noqa: NPY002
    torch.rand(5)
    np.random.rand(5)  # noqa: NPY002 (disturbs the global RNG on purpose)
    b = small_tvae(random_state=3).fit(iris).sample(40, random_state=0)
    pd.testing.assert_frame_equal(a, b)
    c = small_tvae(random_state=4).fit(iris).sample(40, random_state=0)
    assert not a.equals(c)


def test_sample_random_state_is_independent_of_earlier_calls(fitted_iris):
    first = fitted_iris.sample(30, random_state=5)
    fitted_iris.sample(17)
    pd.testing.assert_frame_equal(fitted_iris.sample(30, random_state=5), first)
    assert not fitted_iris.sample(30, random_state=6).equals(first)
