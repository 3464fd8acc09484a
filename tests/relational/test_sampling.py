import numpy as np
import pandas as pd
import pytest

from synthohive import RelationalSynthesizer
from synthohive.exceptions import ConstraintViolationError
from synthohive.models.base import ConditionalGenerativeModel


class _Overshoot(ConditionalGenerativeModel):
    """Draws numbers up to twice the training maximum (a model that breaks bounds)."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def _fit(self, X, context):
        self.high_ = float(X["distance"].max())

    def _sample(self, n_samples, context, seed):
        return pd.DataFrame({"distance": np.linspace(0.0, 2 * self.high_, n_samples)})


def test_sample_raises_on_a_broken_constraint_instead_of_patching():
    schema = {"tables": {"trips": {"primary_key": "id",
                                   "constraints": {"distance": {"max": 500}}}}}
    trips = pd.DataFrame({"id": np.arange(50), "distance": np.linspace(0.0, 500.0, 50)})
    synth = RelationalSynthesizer(schema, model=_Overshoot(), random_state=0).fit(
        {"trips": trips})
    with pytest.raises(ConstraintViolationError) as info:
        synth.sample()
    (violation,) = info.value.violations
    assert (violation["table"], violation["column"], violation["constraint"]) == (
        "trips", "distance", "max")
    assert violation["value"] == 1000.0
    assert violation["count"] == 25
