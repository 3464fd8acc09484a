"""Shared fixtures for the CTGAN tests: tiny data, tiny networks, few epochs."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import torch
from sklearn.datasets import load_iris

from synthohive.datasets import dataset_path
from synthohive.models.ctgan import CTGAN

SMALL = {
    "embedding_dim": 16,
    "generator_dim": (32, 32),
    "discriminator_dim": (32, 32),
    "batch_size": 50,
    "pac": 5,
    "device": "cpu",
}


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Tiny networks run fastest, and reproducibly, on one thread on a shared machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def small_ctgan(**params) -> CTGAN:
    """A CTGAN with tiny networks; ``params`` override the defaults."""
    return CTGAN(**{**SMALL, "epochs": 2, "validation_fraction": 0.0, **params})


@pytest.fixture(scope="session")
def iris() -> pd.DataFrame:
    frame = load_iris(as_frame=True).frame
    frame["species"] = frame.pop("target").map({0: "setosa", 1: "versicolor", 2: "virginica"})
    return frame


@pytest.fixture(scope="session")
def fitted_iris(iris) -> CTGAN:
    return small_ctgan(random_state=0).fit(iris)


def read_real_table(dataset: str, table: str, nrows: int | None = None) -> pd.DataFrame:
    """Read a table of the shared real datasets with the dtypes of its ``dtypes.json``."""
    kinds = json.loads((dataset_path(dataset) / "dtypes.json").read_text())[table]
    frame = pd.read_csv(dataset_path(dataset) / f"{table}.csv", nrows=nrows,
                        dtype={c: str for c, k in kinds.items() if k == "string"})
    for column, kind in kinds.items():
        if kind == "datetime":
            frame[column] = pd.to_datetime(frame[column])
        elif kind == "int":
            frame[column] = frame[column].astype("Int64" if frame[column].isna().any()
                                                 else "int64")
    return frame
