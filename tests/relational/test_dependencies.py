"""Text columns filled from another learned column: city -> country, region."""

import numpy as np
import pandas as pd

from synthohive import GaussianCopula, RelationalSynthesizer
from synthohive.relational._dependencies import (
    DependencyRule,
    apply_dependencies,
    detect_dependencies,
)
from synthohive.relational._plan import TablePlan
from synthohive.schema import Schema

CITIES = {"Paris": ("France", None), "Lyon": ("France", None), "Berlin": ("Germany", None),
          "Munich": ("Germany", "BY"), "Austin": ("USA", "TX"), "Boston": ("USA", "MA"),
          "Dallas": ("USA", "TX"), "Rome": ("Italy", None)}


def _customers(n: int = 240, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    city = rng.choice(list(CITIES), n)
    return pd.DataFrame({
        "customer_id": np.arange(n),
        "city": pd.array(city, dtype="string"),
        "country": pd.array([CITIES[c][0] for c in city], dtype="string"),
        "region": pd.array([CITIES[c][1] for c in city], dtype="string"),
        "segment": pd.array(rng.choice(["a", "b", "c"], n), dtype="string"),
        "spend": rng.gamma(2.0, 50.0, n),
    })


def test_a_city_determines_country_and_region_but_not_the_segment():
    frame = _customers()
    rules = detect_dependencies(frame, ["city", "country", "region", "segment", "spend"])
    assert [(r.column, r.source) for r in rules] == [("country", "city"), ("region", "city")]
    mapping = dict(zip(rules[0].sources, rules[0].targets, strict=True))
    assert mapping == {c: v[0] for c, v in CITIES.items()}


def test_too_little_evidence_or_a_constant_target_is_no_rule():
    frame = _customers().head(6)  # cities mostly seen once: no evidence
    assert detect_dependencies(frame, ["city", "country"]) == ()
    constant = _customers().assign(country="France")
    assert detect_dependencies(constant, ["city", "country"]) == ()


def test_apply_fills_targets_and_the_rule_round_trips():
    rule = detect_dependencies(_customers(), ["city", "country"])[0]
    parts = {"city": pd.Series(["Rome", "Austin", "Rome"])}
    apply_dependencies([rule], parts)
    assert parts["country"].tolist() == ["Italy", "USA", "Italy"]
    assert DependencyRule.from_dict(rule.to_dict()) == rule


def test_generated_rows_keep_city_and_country_together_and_children_see_the_country():
    customers = _customers()
    rng = np.random.default_rng(1)
    orders = pd.DataFrame({"order_id": np.arange(600),
                           "customer_id": rng.integers(0, len(customers), 600),
                           "amount": rng.gamma(2.0, 20.0, 600)})
    schema = Schema.from_dict({"tables": {
        "customers": {"primary_key": "customer_id"},
        "orders": {"primary_key": "order_id", "foreign_keys": [
            {"column": "customer_id", "references": "customers.customer_id"}]}}})
    synth = RelationalSynthesizer(schema, model=GaussianCopula(), random_state=0)
    out = synth.fit({"customers": customers, "orders": orders}).sample()
    plan = synth.plans_["customers"]
    assert {r.column for r in plan.dependencies} == {"country", "region"}
    assert "country" not in plan.model_columns
    assert "country" in plan.context_columns
    generated = out["customers"]
    expected = generated["city"].map({c: v[0] for c, v in CITIES.items()})
    assert (generated["country"] == expected).all()
    assert str(generated["country"].dtype) == "string"
    assert TablePlan.from_dict(plan.to_dict()) == plan
