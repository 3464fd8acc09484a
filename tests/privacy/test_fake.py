import numpy as np
import pandas as pd
import pytest

from synthohive.privacy._detect import _PATTERNS, iban_remainder, luhn_valid
from synthohive.privacy._fake import fake_values, hash_values, mask_values, shape_of
from tests.privacy import _pii


@pytest.fixture(scope="module")
def people():
    return _pii.customers(300)


def _fake(values, kind, seed=0, names=None):
    values = np.asarray(pd.unique(values.dropna()), dtype=str)
    return values, fake_values(values, kind, np.random.default_rng(seed), avoid=values,
                               names=names)


@pytest.mark.parametrize("column", ["phone", "postal_code", "ssn", "street_address", "last_name"])
def test_fakes_keep_each_value_shape(people, column):
    real, fake = _fake(people[column], "phone" if column == "phone" else "identifier")
    assert shape_of(pd.Series(fake)).tolist() == shape_of(pd.Series(real)).tolist()
    assert not set(fake) & set(real)
    assert len(set(fake)) == len(fake)


def test_phones_keep_their_country_code(people):
    real, fake = _fake(people["phone"], "phone")
    code = pd.Series(real).str.extract(r"^(\+\d+)")[0]
    assert pd.Series(fake).str.extract(r"^(\+\d+)")[0].equals(code)


def test_cards_ibans_emails_and_ips_are_valid(people):
    _, cards = _fake(people["card_number"], "card_number")
    assert luhn_valid(cards.astype(str)).all()
    _, ibans = _fake(people["iban"], "iban")
    assert (iban_remainder(ibans.astype(str)) == 1).all()
    assert pd.Series(ibans).str[:2].eq("DE").all()
    real, emails = _fake(people["email"], "email")
    assert pd.Series(emails).str.match(_PATTERNS["email"]).all()
    assert pd.Series(emails).str.rsplit(".", n=1).str[1].tolist() == \
        pd.Series(real).str.rsplit(".", n=1).str[1].tolist()  # top-level domains kept
    _, ips = _fake(people["ip"], "ip_address")
    assert pd.Series(ips).str.match(_PATTERNS["ipv4"]).all()


def test_emails_follow_the_fake_name_and_stay_distinct():
    real = np.array(["ann.lee@mail.com", "ann.lee2@mail.com", "bo.kim@web.de"])
    names = np.array(["Zara Pomo", "Zara Pomo", "Kilu Dara"])
    fake = fake_values(real, "email", np.random.default_rng(1), avoid=real, names=names)
    assert fake[2].startswith("kilu.dara@")
    assert fake[0].startswith("zara.pomo")
    assert fake[1].startswith("zara.pomo")
    assert len(set(fake)) == 3


def test_fakes_are_deterministic_and_avoid_given_values():
    real = np.array([str(d) for d in range(10)])  # a one-digit space: fakes must grow
    first = fake_values(real, "identifier", np.random.default_rng(3), avoid=real)
    again = fake_values(real, "identifier", np.random.default_rng(3), avoid=real)
    assert first.tolist() == again.tolist()
    assert not set(first) & set(real)
    assert len(set(first)) == 10


def test_hash_and_mask():
    values = np.array(["ann@mail.com", "bo@web.de"])
    tokens = hash_values(values, b"secret")
    assert tokens.tolist() == hash_values(values, b"secret").tolist()
    assert not set(tokens) & set(hash_values(values, b"other"))
    assert all(len(t) == 32 for t in tokens)
    assert mask_values(values).tolist() == ["***@****.***", "**@***.**"]
