"""Fixtures of the transform tests: a mixed-dtype frame and the shipped real tables."""

import json

import numpy as np
import pandas as pd
import pytest

from synthohive.datasets import dataset_path

_PLAIN = {"int": "int64", "float": "float64", "string": object}


def read_real_table(dataset, table, nrows=None):
    """Read the shipped ``<dataset>/<table>.csv`` with the dtypes of its ``dtypes.json``."""
    kinds = json.loads((dataset_path(dataset) / "dtypes.json").read_text())[table]
    text = {c: str for c, k in kinds.items() if k == "string"}
    frame = pd.read_csv(dataset_path(dataset) / f"{table}.csv", dtype=text, nrows=nrows)
    for column, kind in kinds.items():
        if kind in ("date", "datetime"):
            frame[column] = pd.to_datetime(frame[column])
        elif kind == "int" and frame[column].isna().any():
            frame[column] = frame[column].astype("Int64")
        else:
            frame[column] = frame[column].astype(_PLAIN[kind])
    return frame


def mixed_frame(n=400, seed=0):
    """One column per supported dtype, several with missing values."""
    rng = np.random.default_rng(seed)
    missing = rng.random(n) < 0.1
    return pd.DataFrame({
        "int64": rng.integers(0, 10**6, n),
        "small_int": rng.integers(0, 4, n),
        "Int64": pd.array(np.where(missing, None, rng.integers(0, 500, n)), dtype="Int64"),
        "float32": rng.normal(10, 3, n).astype("float32"),
        "float64": np.where(missing, np.nan, rng.lognormal(0, 0.5, n)),
        "Float64": pd.array(rng.normal(size=n), dtype="Float64"),
        "bool": rng.random(n) < 0.3,
        "boolean": pd.array(np.where(missing, None, rng.random(n) < 0.5), dtype="boolean"),
        "category": pd.Categorical(rng.choice(["x", "y", "z", None], n),
                                   categories=["z", "y", "x", "unused"], ordered=True),
        "string": pd.array(rng.choice(["p", "q", None], n), dtype="string"),
        "object": pd.Series(rng.choice(["u", "vv", "www"], n), dtype=object),
        "datetime": pd.Timestamp("2020-01-01")
        + pd.to_timedelta(rng.integers(0, 10**8, n), unit="s"),
        "date": pd.Series(pd.Timestamp("2001-01-01")
                          + pd.to_timedelta(rng.integers(0, 9000, n), unit="D")).where(~missing),
    })


@pytest.fixture(scope="session")
def mixed():
    return mixed_frame()


@pytest.fixture(scope="session")
def fitted_mixed(mixed):
    from synthohive import DataTransformer

    return DataTransformer(max_modes=5, random_state=0).fit(mixed)
