import copy
import pickle  # noqa: TID251 (checks what a pickle of the config holds)

import pytest
from sklearn.base import clone

from synthohive.exceptions import DataValidationError
from synthohive.privacy import SECRET_ENV, PrivacyConfig


def test_secret_is_left_out_of_pickles_and_repr_but_kept_by_clone():
    config = PrivacyConfig(columns={"email": "hash"}, secret="s3cret-key")
    assert b"s3cret-key" not in pickle.dumps(config)
    assert pickle.loads(pickle.dumps(config)).secret is None  # noqa: S301 (our own bytes)
    assert "s3cret-key" not in repr(config)
    assert clone(config).secret == "s3cret-key"
    assert copy.deepcopy(config).secret == "s3cret-key"
    assert clone(config).get_params() == config.get_params()


def test_secret_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(DataValidationError, match=SECRET_ENV):
        PrivacyConfig().secret_bytes()
    monkeypatch.setenv(SECRET_ENV, "from-env")
    assert PrivacyConfig().secret_bytes() == b"from-env"
    assert PrivacyConfig(secret=b"raw").secret_bytes() == b"raw"


def test_columns_entries_and_validation():
    config = PrivacyConfig(columns={"customers.email": "mask", "phone": {"kind": "phone"}},
                           default="drop")
    assert config.strategy_of("customers", "email") == "mask"
    assert config.strategy_of("orders", "phone") == "drop"
    assert config.strategy_of("orders", "email") is None
    config.check()
    with pytest.raises(DataValidationError, match="scramble"):
        PrivacyConfig(default="scramble").check()
    with pytest.raises(DataValidationError, match="email"):
        PrivacyConfig(columns={"email": "erase"}).check()
    with pytest.raises(DataValidationError, match="dict"):
        PrivacyConfig(columns=["email"]).check()
