import subprocess
import sys

import numpy as np
import torch

from synthohive.utils._random import (
    derive_seed,
    draw_seed,
    numpy_generator,
    torch_fork_rng,
    torch_generator,
)


def test_draw_seed_is_deterministic_and_in_range():
    assert draw_seed(7) == draw_seed(7)
    assert 0 <= draw_seed(None) < 2**31 - 1
    rng = np.random.RandomState(3)
    assert draw_seed(rng) != draw_seed(rng)


def test_derive_seed_depends_on_keys_only():
    assert derive_seed(1, "orders") == derive_seed(1, "orders")
    assert derive_seed(1, "orders") != derive_seed(1, "customers")
    assert derive_seed(1, "orders") != derive_seed(2, "orders")
    assert derive_seed(1, "orders", 0) != derive_seed(1, "orders", 1)


def test_derive_seed_is_stable_across_processes():
    code = "from synthohive.utils._random import derive_seed; print(derive_seed(42, 'track', 3))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) == derive_seed(42, "track", 3)


def test_generators_are_seeded():
    assert numpy_generator(5).random() == numpy_generator(5).random()
    a = torch.rand(3, generator=torch_generator(5))
    b = torch.rand(3, generator=torch_generator(5))
    assert torch.equal(a, b)


def test_fork_rng_restores_global_state():
    before = torch.random.get_rng_state()
    with torch_fork_rng(11):
        first = torch.nn.Linear(3, 2).weight.detach().clone()
    with torch_fork_rng(11):
        second = torch.nn.Linear(3, 2).weight.detach().clone()
    assert torch.equal(first, second)
    assert torch.equal(before, torch.random.get_rng_state())


def test_sample_seed_counts_calls_without_random_state():
    from types import SimpleNamespace

    from synthohive.utils._random import sample_seed

    fitted = SimpleNamespace(seed_=7, n_sample_calls_=0)
    first, second = sample_seed(fitted, None), sample_seed(fitted, None)
    assert first != second
    assert fitted.n_sample_calls_ == 2
    assert sample_seed(fitted, 3) == sample_seed(fitted, 3)
    assert fitted.n_sample_calls_ == 2
    replay = SimpleNamespace(seed_=7, n_sample_calls_=0)
    assert sample_seed(replay, None) == first
