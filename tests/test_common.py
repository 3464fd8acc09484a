"""scikit-learn's estimator checks over SynthoHive's estimators, then SynthoHive's own.

``EXPECTED_FAILED_CHECKS`` lists, per estimator class, the checks that cannot apply and why.
``DataTransformer`` passes them all: it declares the ``allow_nan``, ``categorical`` and
``string`` input tags, because it models missing values and encodes text columns, so the
checks that expect NaN or text input to be refused are not run against it.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from synthohive import (
    CTGAN,
    TVAE,
    DataTransformer,
    EmpiricalCardinality,
    GaussianCopula,
    NegativeBinomialCardinality,
    RelationalSynthesizer,
    TreeSynthesizer,
)
from synthohive.utils.estimator_checks import Adapter, estimator_checks

EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {
    "DataTransformer": {},
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(
    [DataTransformer(max_modes=3, random_state=0)],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# ------------------------------------------------ SynthoHive's own checks, every estimator


def _table():
    return pd.DataFrame({"x": np.linspace(0.0, 9.0, 40), "kind": ["a", "b", "a", "c"] * 10})


def _bad_table():
    return _table().assign(x=np.r_[np.inf, np.zeros(39)])


def _tables():
    parents = pd.DataFrame({"id": np.arange(12), "segment": ["p", "q", "r"] * 4})
    children = pd.DataFrame({"cid": np.arange(30), "pid": np.arange(30) % 12,
                             "amount": np.linspace(1.0, 3.0, 30)})
    return {"parents": parents, "children": children}


_SCHEMA = {"tables": {"parents": {"primary_key": "id"},
                      "children": {"primary_key": "cid", "foreign_keys": [
                          {"column": "pid", "references": "parents.id"}]}}}

_MODEL = Adapter(_table, _bad_table, lambda est, data: est.fit(data),
                 lambda est: est.sample(25, random_state=0))
_COUNTS = Adapter(lambda: np.array([0, 1, 1, 2, 3, 0, 5]), lambda: np.array([1, -2]),
                  lambda est, data: est.fit(data), lambda est: est.sample(n=20, random_state=0))
_TABLES = Adapter(_tables, lambda: {**_tables(), "children": None},
                  lambda est, data: est.fit(data), lambda est: est.sample(random_state=0))
_TRANSFORM = Adapter(_table, _bad_table, lambda est, data: est.fit(data),
                     lambda est: est.transform(_table()))

ESTIMATORS = [
    (GaussianCopula(random_state=0), _MODEL),
    (CTGAN(epochs=1, batch_size=10, pac=2, embedding_dim=8, generator_dim=(8,),
           discriminator_dim=(8,), validation_fraction=0.0, random_state=0, device="cpu"),
     _MODEL),
    (TVAE(epochs=1, batch_size=10, embedding_dim=8, compress_dims=(8,), decompress_dims=(8,),
          validation_fraction=0.0, random_state=0, device="cpu"), _MODEL),
    (TreeSynthesizer(min_samples_leaf=3, random_state=0), _MODEL),
    (EmpiricalCardinality(random_state=0), _COUNTS),
    (NegativeBinomialCardinality(random_state=0), _COUNTS),
    (RelationalSynthesizer(_SCHEMA, model=GaussianCopula(), random_state=0), _TABLES),
    (DataTransformer(max_modes=3, random_state=0), _TRANSFORM),
]


@pytest.mark.parametrize(
    ("estimator", "check"),
    [(estimator, check) for estimator, adapter in ESTIMATORS
     for _, check in estimator_checks(estimator, adapter)],
    ids=[f"{type(estimator).__name__}-{name}" for estimator, adapter in ESTIMATORS
         for name, _ in estimator_checks(estimator, adapter)],
)
def test_synthohive_estimator_contract(estimator, check):
    check()
