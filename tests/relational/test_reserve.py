"""Reserve rows: fresh fakes that keep generated identities distinct, and never a real value."""

import logging

import numpy as np
import pandas as pd
import pytest

from synthohive import RelationalSynthesizer, Schema
from synthohive.exceptions import DataValidationError
from synthohive.privacy import PrivacyConfig
from synthohive.relational._reserve import RESERVE_MIN, RESERVE_SHARE
from tests.privacy import _pii

SCHEMA = Schema.from_dict({"tables": {"customers": {"primary_key": "customer_id"}}})
IDENTITY = ["name", "email", "phone", "street_address"]
UNIQUE = ["email", "phone"]  # distinct in the real table (names and streets repeat)


@pytest.fixture(scope="module")
def customers():
    many = _pii.customers(2000, seed=4)[["customer_id", *IDENTITY, "country", "age"]]
    # a skewed anchor with small groups: their generated counts drift from the training ones
    sizes = {"USA": 240, "France": 40, "Brazil": 15, "Germany": 5}
    frame = pd.concat([many[many["country"] == c].head(n) for c, n in sizes.items()])
    return frame.assign(customer_id=range(len(frame))).reset_index(drop=True)


def _values(frame):
    return set(frame[IDENTITY].stack().astype(str))  # stack() leaves the nulls out


def _fit(customers, **params):
    return RelationalSynthesizer(SCHEMA, random_state=0, **params).fit({"customers": customers})


def test_reserve_rows_are_new_fakes_that_follow_their_anchor(customers):
    synth = _fit(customers)
    plan, rows = synth.plans_["customers"], synth.id_rows_["customers"]
    assert set(IDENTITY) <= set(plan.id_like_columns)
    assert plan.id_anchor == "country"
    reserve = rows["reserve"]
    assert (~reserve[:300]).all()
    assert reserve[300:].all()
    levels = rows["anchor_levels"][rows["anchor_codes"]]
    groups = pd.Series(levels[~reserve]).value_counts()
    expected = RESERVE_MIN + np.ceil(RESERVE_SHARE * groups)
    assert (pd.Series(levels[reserve]).value_counts() <= expected).all()
    assert pd.Series(levels[reserve]).value_counts()["Germany"] >= RESERVE_MIN - 1  # 5 rows
    real = _values(customers)
    for column in IDENTITY:
        values = pd.Series(synth.id_values_["customers"][column])
        assert not set(values) & real
        if column in UNIQUE:
            assert values.is_unique  # training fakes and reserve fakes: all distinct
    phones = pd.Series(synth.id_values_["customers"]["phone"])
    prefix = phones.str.extract(r"^(\+\d+)")[0]
    has_phone = rows["present"][:, IDENTITY.index("phone")]
    codes = {"USA": "+1", "France": "+33", "Brazil": "+55", "Germany": "+49"}
    assert (prefix.to_numpy() == pd.Series(levels[has_phone]).map(codes).to_numpy()).all()


@pytest.mark.parametrize("chunk_size", [50_000, 64], ids=["one chunk", "chunks"])
def test_generated_identities_stay_distinct(customers, chunk_size):
    synth = _fit(customers, chunk_size=chunk_size)
    for seed in range(3):
        fake = synth.sample(random_state=seed)["customers"]
        for column in UNIQUE:
            assert fake[column].dropna().is_unique, (seed, column)
        assert not _values(fake) & _values(customers)


def test_no_reserve_without_fakes(customers):
    hashed = _fit(customers, privacy=PrivacyConfig(secret="s3cret-key", default="hash"))
    assert "reserve" not in hashed.id_rows_["customers"]  # a token hashed again is the same
    kept = _fit(customers, privacy=PrivacyConfig(detect=False))
    assert "reserve" not in kept.id_rows_["customers"]


def test_a_sample_larger_than_the_pool_says_that_identities_repeat(customers, caplog):
    synth = _fit(customers)
    with caplog.at_level(logging.WARNING, logger="synthohive.relational._sampling"):
        synth.sample(random_state=0)
        assert not caplog.records
        fake = synth.sample(scale=2.0, random_state=0)["customers"]
    assert any("identities repeat" in r.getMessage() and "identity_reserve=1.1" in
               r.getMessage() and "'customers'" in r.getMessage() for r in caplog.records)
    assert not fake["email"].is_unique  # 600 rows from 363 identities


def test_identity_reserve_sizes_the_reserve_for_larger_samples(customers, caplog):
    larger = _fit(customers, identity_reserve=1.1)
    with caplog.at_level(logging.WARNING, logger="synthohive.relational._sampling"):
        fake = larger.sample(scale=2.0, random_state=0)["customers"]
    assert not caplog.records
    for column in UNIQUE:
        assert fake[column].dropna().is_unique
    assert not _values(fake) & _values(customers)
    assert "reserve" not in _fit(customers, identity_reserve=0).id_rows_["customers"]
    with pytest.raises(DataValidationError, match="identity_reserve"):
        _fit(customers, identity_reserve=-0.5)
