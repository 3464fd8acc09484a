"""Relational sampling (``_sampling.py``): child totals follow the fitted counts, not the
parent model's errors; declared constraints are checked on output, never patched."""

import numpy as np
import pandas as pd
import pytest

from synthohive.exceptions import ConstraintViolationError
from synthohive.models.base import ConditionalGenerativeModel
from synthohive.relational import RelationalSynthesizer
from synthohive.schema import Schema
from tests.relational._models import NearestContextModel


class ShiftedSegments(ConditionalGenerativeModel):
    """A deliberately wrong parent model: training rows with ``column`` pushed to ``value``.

    It resamples training rows and overwrites ``column`` with ``value`` in a ``share`` of
    them, so the generated parents drift from the real ones in the column that drives the
    children counts.
    """

    def __init__(self, column="segment", value="pro", share=0.6, random_state=None):
        self.column = column
        self.value = value
        self.share = share
        self.random_state = random_state

    def _fit(self, X, context):
        self.rows_ = X.reset_index(drop=True)

    def _sample(self, n_samples, context, seed):
        rng = np.random.default_rng(seed)
        rows = self.rows_.iloc[rng.integers(0, len(self.rows_), n_samples)].reset_index(drop=True)
        rows.loc[rng.random(n_samples) < self.share, self.column] = self.value
        return rows


def _shop(n=1500, seed=0):
    """customers -> orders -> items; pro customers order about 5 times more often."""
    rng = np.random.default_rng(seed)
    segment = rng.choice(["retail", "pro"], size=n, p=[0.75, 0.25])
    customers = pd.DataFrame({"customer_id": np.arange(1, n + 1), "segment": segment,
                              "age": rng.integers(18, 80, n)})
    per_customer = rng.poisson(np.where(segment == "pro", 5.0, 0.9))
    orders = pd.DataFrame({
        "order_id": np.arange(1, per_customer.sum() + 1),
        "customer_id": np.repeat(customers["customer_id"].to_numpy(), per_customer),
        "amount": np.round(rng.lognormal(4, 0.5, per_customer.sum()), 2)})
    per_order = rng.poisson(np.where(orders["amount"] > 60, 3.0, 0.7))
    items = pd.DataFrame({
        "item_id": np.arange(1, per_order.sum() + 1),
        "order_id": np.repeat(orders["order_id"].to_numpy(), per_order),
        "qty": rng.integers(1, 5, per_order.sum())})
    schema = Schema.from_dict({"tables": {
        "customers": {"primary_key": "customer_id"},
        "orders": {"primary_key": "order_id", "foreign_keys": [
            {"column": "customer_id", "references": "customers.customer_id"}]},
        "items": {"primary_key": "item_id", "foreign_keys": [
            {"column": "order_id", "references": "orders.order_id"}]}}})
    return schema, {"customers": customers, "orders": orders, "items": items}


def _zero_share(parents, children, key):
    return float((~parents[key].isin(children[key])).mean())


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_child_totals_hold_whatever_the_parent_model(scale):
    schema, tables = _shop()
    synth = RelationalSynthesizer(
        schema, model=NearestContextModel(), models={"customers": ShiftedSegments()},
        random_state=0).fit(tables)
    assert synth.cardinality_["orders.customer_id"].conditioning_ == ["segment"]
    fake = synth.sample(scale=scale, random_state=1)
    assert (fake["customers"]["segment"] == "pro").mean() > 0.6  # the parents did drift
    for parent, child, key in [("customers", "orders", "customer_id"),
                               ("orders", "items", "order_id")]:
        real_total = scale * len(tables[child])
        assert abs(len(fake[child]) - real_total) <= 0.02 * real_total, (child, len(fake[child]))
        real_zero = _zero_share(tables[parent], tables[child], key)
        assert abs(_zero_share(fake[parent], fake[child], key) - real_zero) <= 0.02, child
    # conditioning still decides which parents get the children
    per_customer = fake["orders"]["customer_id"].value_counts().reindex(
        fake["customers"]["customer_id"], fill_value=0).to_numpy()
    by_segment = pd.Series(per_customer).groupby(fake["customers"]["segment"].to_numpy()).mean()
    assert by_segment["pro"] > 1.5 * by_segment["retail"]


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
