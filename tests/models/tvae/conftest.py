"""Shared fixtures for the TVAE tests: tiny data, tiny networks, few epochs."""

from __future__ import annotations

import pytest

from synthohive.models.tvae import TVAE

SMALL = {
    "embedding_dim": 8,
    "compress_dims": (32, 32),
    "decompress_dims": (32, 32),
    "batch_size": 50,
    "device": "cpu",
}


def small_tvae(**params) -> TVAE:
    """A TVAE with tiny networks; ``params`` override the defaults."""
    return TVAE(**{**SMALL, "epochs": 3, "validation_fraction": 0.0, **params})


@pytest.fixture(scope="session")
def fitted_iris(iris) -> TVAE:
    return small_tvae(epochs=20, random_state=0).fit(iris)
