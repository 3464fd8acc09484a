"""TVAE on a CUDA device: the GPU machine's check (skipped where no GPU is present)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from synthohive.models.tvae import TVAE
from tests.models.tvae.conftest import small_tvae

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def test_fit_sample_conditions_context_and_artifact_on_cuda(iris, tmp_path):
    model = small_tvae(device="cuda", epochs=4, validation_fraction=0.2, validation_interval=2,
                       random_state=0).fit(iris)
    assert model.device_.type == "cuda"
    assert next(model.decoder_.parameters()).is_cuda
    out = model.sample(300, random_state=4)
    assert list(out.dtypes) == list(iris.dtypes)
    assert np.isfinite(out.select_dtypes("number").to_numpy()).all()
    pd.testing.assert_frame_equal(out, model.sample(300, random_state=4))
    fixed = model.sample(50, conditions={"species": "virginica"}, random_state=1)
    assert (fixed["species"] == "virginica").all()
    model.save(tmp_path / "model.shm")
    pd.testing.assert_frame_equal(TVAE.load(tmp_path / "model.shm").sample(200, random_state=9),
                                  model.sample(200, random_state=9))
    child = small_tvae(device="cuda", random_state=1).fit(iris.drop(columns="species"),
                                                          context=iris[["species"]])
    assert len(child.sample(context=iris[["species"]].iloc[:40], random_state=2)) == 40


def test_resume_on_cuda(iris, tmp_path):
    settings = {"device": "cuda", "epochs": 4, "checkpoint_interval": 1, "random_state": 2}
    whole = small_tvae(**settings).fit(iris)
    small_tvae(**{**settings, "epochs": 4}, checkpoint_dir=tmp_path).fit(iris)
    again = small_tvae(**settings, checkpoint_dir=tmp_path).fit(iris)
    pd.testing.assert_frame_equal(again.sample(100, random_state=0),
                                  whole.sample(100, random_state=0))
