import numpy as np
import pandas as pd
import pytest

from synthohive import GaussianCopula, RelationalSynthesizer
from synthohive.exceptions import ConstraintViolationError

SCHEMA = {"tables": {
    "customers": {"primary_key": "id", "columns": {"code": {"role": "categorical"}}},
    "trips": {"primary_key": "trip_id",
              "foreign_keys": [{"column": "customer_id", "references": "customers.id"}],
              "constraints": {"distance": {"max": 500}, "kind": {"allowed": ["a", "b"]}}},
}}


def _tables(max_distance=500.0, kinds="ab"):
    customers = pd.DataFrame({"id": np.arange(60), "code": np.arange(60) * 7})
    trips = pd.DataFrame({"trip_id": np.arange(120), "customer_id": np.arange(120) % 60,
                          "distance": np.linspace(0.0, max_distance, 120),
                          "kind": list(kinds) * (120 // len(kinds))})
    return {"customers": customers, "trips": trips}


def test_fit_lists_every_column_whose_training_data_breaks_its_constraint():
    synth = RelationalSynthesizer(SCHEMA, model=GaussianCopula(), random_state=0)
    with pytest.raises(ConstraintViolationError) as info:
        synth.fit(_tables(max_distance=4983.0, kinds="abc"))
    found = {(v["table"], v["column"], v["constraint"]) for v in info.value.violations}
    assert found == {("trips", "distance", "max"), ("trips", "kind", "allowed")}
    assert "4983.0" in str(info.value)
    assert not hasattr(synth, "plans_")


def test_declared_roles_reach_the_models_and_their_output():
    synth = RelationalSynthesizer(SCHEMA, model=GaussianCopula(), random_state=0).fit(_tables())
    assert synth.models_["customers"].roles == {"code": "categorical"}
    sample = synth.sample(scale=3.0)
    assert sample["customers"]["code"].isin(np.arange(60) * 7).all()
    assert sample["trips"]["distance"].max() <= 500
    assert set(sample["trips"]["kind"]) <= {"a", "b"}
