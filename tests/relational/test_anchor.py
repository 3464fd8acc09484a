import numpy as np
import pandas as pd

from synthohive.relational._anchor import (
    ANCHOR_MIN_GAIN,
    choose_anchor,
    format_keys,
    information_gain,
)

FORMATS = {"USA": "+1 ({}) 555-0{}", "France": "+33 {} 42 00 0{}", "Brazil": "+55 ({}) 9{}-00"}


def _table(n=300, seed=0):
    rng = np.random.default_rng(seed)
    country = rng.choice(list(FORMATS), n)
    digits = rng.integers(100, 1000, size=(n, 2)).astype(str)
    return pd.DataFrame({
        "phone": [FORMATS[c].format(a, b) for c, (a, b) in zip(country, digits, strict=True)],
        "name": [f"Name{'x' * k}" for k in rng.integers(1, 8, n)],
        "country": country,
        "city": [f"City{i}" for i in range(n)],  # tells rows apart, explains nothing
        "segment": rng.choice(["a", "b"], n),
        "amount": rng.normal(size=n),
    })


def test_format_keys_keep_the_country_code_and_mark_nulls():
    keys = format_keys(pd.Series(["+33 1 42", "+44 1 42", "+33 7 00", "Ab 1", "Cd 9", None]))
    assert keys.tolist() == [0, 1, 0, 2, 2, 3]


def test_information_gain_is_zero_for_groups_of_one_and_for_independent_groups():
    keys = np.array([0, 1] * 50)
    entropy, gain = information_gain(keys, np.arange(100))
    assert entropy > 0
    assert gain == 0.0
    assert information_gain(keys, np.repeat([0, 1], 50))[1] == 0.0
    assert information_gain(keys, keys)[1] > 0.9 * entropy


def test_the_country_anchors_the_phones():
    frame = _table()
    assert choose_anchor(frame, ["phone", "name"],
                         ["country", "city", "segment", "amount"]) == "country"


def test_no_anchor_without_a_dependency():
    frame = _table().assign(phone=lambda f: [f"+1 {i:07d}" for i in range(len(f))])
    assert choose_anchor(frame, ["phone", "name"], ["country", "city", "segment"]) is None
    assert choose_anchor(frame, ["phone"], ["amount"]) is None  # continuous: no candidate
    assert 0 < ANCHOR_MIN_GAIN < 1
