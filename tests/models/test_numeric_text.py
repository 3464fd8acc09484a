import numpy as np
import pandas as pd
import pytest

from synthohive import GaussianCopula, RelationalSynthesizer, TreeSynthesizer
from synthohive.exceptions import DataValidationError
from synthohive.models._numeric_text import learn_formats, to_numbers, to_text


def _codes(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "code": np.char.zfill(rng.integers(0, 5000, n).astype(str), 5).astype(object),
        "price": [f"{v:.2f}" for v in rng.normal(10, 2, n)],
        "x": rng.normal(size=n)})


def test_formats_round_trip_zero_padding_and_decimals():
    frame = pd.DataFrame({"code": ["007", "123", None, "040"], "price": ["1.5", "2.25", "3", None]})
    formats = learn_formats(frame, {"code": "numeric", "price": "numeric"}, "M")
    assert formats == {"code": {"width": 3, "decimals": 0}, "price": {"width": None, "decimals": 2}}
    numbers = to_numbers(frame, formats)
    assert numbers["code"].tolist()[:2] == [7.0, 123.0]
    assert numbers["code"].isna().tolist() == [False, False, True, False]
    back = to_text(numbers, formats, {"code": "object", "price": "object"})
    assert back["code"].tolist() == ["007", "123", None, "040"]
    assert back["price"].tolist() == ["1.50", "2.25", "3.00", None]


def test_a_value_that_is_not_a_number_is_named():
    frame = pd.DataFrame({"code": ["1", "2", "n/a"]})
    with pytest.raises(DataValidationError, match="'code'.*'n/a'"):
        learn_formats(frame, {"code": "numeric"}, "GaussianCopula")


@pytest.mark.parametrize("model", [GaussianCopula, TreeSynthesizer])
def test_numeric_role_on_text_is_learned_as_numbers_and_written_back_as_text(model):
    frame = _codes()
    fitted = model(roles={"code": "numeric", "price": "numeric"}, random_state=0).fit(frame)
    sample = fitted.sample(400)
    assert sample.dtypes.equals(frame.dtypes)
    assert sample["code"].str.fullmatch(r"\d{5}").all()
    numbers = sample["code"].astype(int)
    assert numbers.between(0, 4999).all()
    # learned as a number: values between the training codes come out, not only seen ones
    assert not sample["code"].isin(frame["code"]).all()
    assert sample["price"].astype(float).between(frame["price"].astype(float).min(),
                                                 frame["price"].astype(float).max()).all()


def test_schema_role_numeric_on_a_text_code_in_a_relational_table():
    table = _codes().assign(id=np.arange(300))
    schema = {"tables": {"t": {"primary_key": "id", "columns": {"code": {"role": "numeric"}}}}}
    out = RelationalSynthesizer(schema, random_state=0).fit({"t": table}).sample()["t"]
    assert out["code"].dtype == table["code"].dtype
    assert out["code"].str.fullmatch(r"\d{5}").all()
    assert out["code"].astype(int).between(0, 4999).all()
