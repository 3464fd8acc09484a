"""Determinism of CTGAN (QUAL-05, TEST-05): seeds, not global RNG state, decide the output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from tests.models.ctgan.conftest import small_ctgan

ROOT = Path(__file__).resolve().parents[3]

_SCRIPT = """
import sys
import numpy as np, torch
from sklearn.datasets import load_iris
from tests.models.ctgan.conftest import small_ctgan
np.random.seed(int(sys.argv[2])); torch.rand(int(sys.argv[2]) + 1)  # disturb global RNGs
iris = load_iris(as_frame=True).frame
model = small_ctgan(epochs=2, validation_fraction=0.2, validation_interval=1, random_state=7)
model.fit(iris)
model.sample(100, random_state=3).to_csv(sys.argv[1], index=False)
"""


def test_same_seed_gives_byte_identical_csv_across_processes(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    outs = [tmp_path / f"run{run}.csv" for run in range(2)]
    runs = [subprocess.Popen([sys.executable, "-c", _SCRIPT, str(out), str(run * 17)],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
            for run, out in enumerate(outs)]
    for process in runs:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert len(outs[0].read_bytes().splitlines()) == 101


def test_sample_random_state_is_independent_of_earlier_calls(fitted_iris):
    first = fitted_iris.sample(30, random_state=5)
    fitted_iris.sample(17)
    fitted_iris.sample(3, random_state=99)
    pd.testing.assert_frame_equal(fitted_iris.sample(30, random_state=5), first)
    assert not fitted_iris.sample(30, random_state=6).equals(first)


def test_fit_ignores_global_rng_and_leaves_it_alone(iris):
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()  # noqa: NPY002 (checks the global RNG is untouched)
    a = small_ctgan(epochs=1, random_state=3).fit(iris).sample(20, random_state=0)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], numpy_state[1])  # noqa: NPY002
    torch.rand(5)
    np.random.rand(5)  # noqa: NPY002 (disturbs the global RNG on purpose)
    b = small_ctgan(epochs=1, random_state=3).fit(iris).sample(20, random_state=0)
    pd.testing.assert_frame_equal(a, b)
    c = small_ctgan(epochs=1, random_state=4).fit(iris).sample(20, random_state=0)
    assert not a.equals(c)


def test_unseeded_sample_calls_are_reproducible_from_the_model_seed(iris):
    one = small_ctgan(epochs=1, random_state=8).fit(iris)
    two = small_ctgan(epochs=1, random_state=8).fit(iris)
    pd.testing.assert_frame_equal(one.sample(10), two.sample(10))
    pd.testing.assert_frame_equal(one.sample(10), two.sample(10))
    assert not one.sample(10).equals(one.sample(10))
