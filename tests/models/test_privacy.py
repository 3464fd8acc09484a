"""Every single-table model sanitises its input in ``ConditionalGenerativeModel.fit``."""

import io

import joblib
import pytest

from synthohive import CTGAN, GaussianCopula
from synthohive.privacy import PrivacyConfig
from tests.metrics._toy import MarginalModel
from tests.privacy import _pii

COLUMNS = ["name", "email", "phone", "card_number", "ssn", "segment", "age"]


@pytest.fixture(scope="module")
def people():
    return _pii.customers(120)[COLUMNS]


def _personal(people):
    return set(people[COLUMNS[:5]].stack().astype(str))


@pytest.mark.parametrize("model", [
    GaussianCopula(random_state=0),
    CTGAN(epochs=1, batch_size=60, pac=6, random_state=0),
    MarginalModel(random_state=0),  # a model without a privacy parameter is protected too
], ids=["copula", "ctgan", "custom"])
def test_models_never_emit_or_store_a_personal_value(people, model, tmp_path):
    model.fit(people)
    synthetic = model.sample(300, random_state=1)
    assert list(synthetic.columns) == list(people.columns)
    cells = set(synthetic.select_dtypes(exclude="number").stack().astype(str))
    assert not cells & _personal(people)
    assert {"email", "phone", "card_number"} <= set(model.privacy_)
    assert "email" not in model.reference_.columns  # the reference keeps no sanitised column
    path = tmp_path / "model.shm"
    model.save(path)
    real = _pii.real_values({"customers": people}, COLUMNS[:5])
    assert _pii.leaked_into_bytes(real, _pii.artifact_bytes(path)) == []
    dumped = io.BytesIO()
    joblib.dump(model, dumped)
    assert _pii.leaked_into_bytes(real, dumped.getvalue()) == []
    assert type(model).load(path).privacy_ == model.privacy_


def test_a_model_can_opt_out_explicitly(people):
    model = GaussianCopula(random_state=0, privacy=PrivacyConfig(detect=False))
    synthetic = model.fit(people).sample(100, random_state=1)
    assert model.privacy_ == {}
    assert synthetic["email"].isin(people["email"]).all()
