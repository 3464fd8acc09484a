"""CTGAN on a CUDA device: the GPU machine's check (skipped where no GPU is present).

CI has no GPU, so these tests run on a lent GPU machine (``pytest tests/models/ctgan``
there); CPU behaviour is covered by the other test files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from synthohive.models.ctgan import CTGAN
from tests.models.ctgan.conftest import small_ctgan

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@pytest.fixture(scope="module")
def cuda_iris(iris) -> CTGAN:
    return small_ctgan(device="cuda", epochs=3, validation_fraction=0.2,
                       validation_interval=1, random_state=0).fit(iris)


def test_fit_and_sample_on_cuda(cuda_iris, iris):
    assert cuda_iris.device_.type == "cuda"
    assert next(cuda_iris.generator_.parameters()).is_cuda
    assert cuda_iris.best_epoch_ >= 1
    out = cuda_iris.sample(300, random_state=4)
    assert list(out.columns) == list(iris.columns)
    assert list(out.dtypes) == list(iris.dtypes)
    assert set(out["species"]) <= set(iris["species"])
    assert np.isfinite(out.select_dtypes("number").to_numpy()).all()
    pd.testing.assert_frame_equal(out, cuda_iris.sample(300, random_state=4))


def test_conditions_on_cuda(cuda_iris):
    out = cuda_iris.sample(50, conditions={"species": "virginica"}, random_state=1)
    assert (out["species"] == "virginica").all()


def test_context_on_cuda(iris):
    context = iris[["species"]]
    model = small_ctgan(device="cuda", random_state=1).fit(
        iris.drop(columns="species"), context=context)
    out = model.sample(context=context.iloc[:40], random_state=2)
    assert len(out) == 40


def test_cuda_artifact_round_trip(cuda_iris, tmp_path):
    path = tmp_path / "model.shm"
    cuda_iris.save(path)
    loaded = CTGAN.load(path)
    assert loaded.device_.type == "cuda"
    pd.testing.assert_frame_equal(loaded.sample(200, random_state=9),
                                  cuda_iris.sample(200, random_state=9))
