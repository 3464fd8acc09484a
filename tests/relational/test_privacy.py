"""Privacy of the relational synthesizer: nothing personal from the input reaches the output
or the artifact, whatever the strategy; copies stay consistent; the secret is never saved."""

import io

import joblib
import numpy as np
import pandas as pd
import pytest

from synthohive import RelationalSynthesizer, Schema
from synthohive.privacy import PrivacyConfig
from tests.privacy import _pii

SECRET = "correct-horse-battery-staple"


@pytest.fixture(scope="module")
def tables():
    return _pii.dataset(150, 400)


def _fit(tables, privacy):
    synth = RelationalSynthesizer(Schema.from_dict(_pii.SCHEMA), random_state=0, privacy=privacy)
    return synth.fit(tables)


def _cells(synthetic):
    return {str(v) for frame in synthetic.values() for c in frame.columns
            for v in frame[c].dropna().unique()}


@pytest.mark.parametrize("privacy", [
    None,
    PrivacyConfig(secret=SECRET, default="fake"),
    PrivacyConfig(secret=SECRET, default="hash"),
    PrivacyConfig(default="mask"),
    PrivacyConfig(default="drop"),
], ids=["default", "fake", "hash", "mask", "drop"])
def test_no_personal_value_in_output_or_artifact(tables, privacy, tmp_path):
    synth = _fit(tables, privacy)
    synthetic = synth.sample(random_state=1)
    assert not _cells(synthetic) & set(
        pd.concat([tables["customers"][c] for c in _pii.PERSONAL]).dropna().astype(str))
    path = tmp_path / "model.shm"
    synth.save(path)
    blob = _pii.artifact_bytes(path)
    assert _pii.leaked_into_bytes(_pii.real_values(tables), blob) == []
    assert SECRET.encode() not in blob
    dumped = io.BytesIO()
    joblib.dump(synth, dumped)
    assert _pii.leaked_into_bytes(_pii.real_values(tables) | {SECRET}, dumped.getvalue()) == []
    loaded = RelationalSynthesizer.load(path)
    assert loaded.privacy_ == synth.privacy_
    assert not _cells(loaded.sample(random_state=2)) & _pii.real_values(tables)


def test_default_output_keeps_formats_null_rates_and_copies(tables):
    synth = _fit(tables, None)
    synthetic = synth.sample(random_state=1)
    customers = synthetic["customers"]
    assert synth.privacy_["customers.email"]["kind"] == "email"
    assert customers["email"].str.fullmatch(r"[a-z.0-9]+@[a-z]+\.[a-z.]+").all()
    assert customers["phone"].isna().mean() == pytest.approx(
        tables["customers"]["phone"].isna().mean(), abs=0.05)
    joined = synthetic["orders"].merge(customers, on="customer_id")
    assert (joined["ship_email"] == joined["email"]).all()  # PRIV-03: copies stay copies
    assert (joined["ship_name"] == joined["name"]).all()
    for column in ("country", "segment"):  # harmless columns are still learned
        assert set(customers[column]) <= set(tables["customers"][column])


def test_hash_tokens_survive_as_join_keys(tables):
    synthetic = _fit(tables, PrivacyConfig(secret=SECRET, default="hash")).sample(random_state=1)
    joined = synthetic["orders"].merge(synthetic["customers"], on="customer_id")
    assert (joined["ship_email"] == joined["email"]).all()
    assert synthetic["customers"]["email"].str.fullmatch(r"[0-9a-f]{32}").all()


def test_keep_is_an_explicit_opt_out(tables):
    config = PrivacyConfig(columns={"customers.segment": "keep", "customers.email": "keep"})
    synth = _fit(tables, config)
    assert "customers.email" not in synth.privacy_
    assert synth.sample(random_state=1)["customers"]["email"].isin(
        tables["customers"]["email"]).all()


def test_id_like_columns_filled_in_every_row_stay_together():
    n = 150
    first = [f"{_pii.FIRST[i % 24]}{chr(97 + i // 24)}" for i in range(n)]  # unique names
    last = [f"{_pii.LAST[i % 20]}{chr(97 + i // 20)}" for i in range(n)]
    people = pd.DataFrame({
        "person_id": range(n), "first_name": first, "last_name": last,
        "email": [f"{a.lower()}.{b.lower()}@mail.com" for a, b in zip(first, last, strict=True)],
        "segment": ["a", "b", "c"] * (n // 3)})
    schema = Schema.from_dict({"tables": {"people": {"primary_key": "person_id"}}})
    synth = RelationalSynthesizer(schema, random_state=0).fit({"people": people})
    assert set(synth.plans_["people"].id_like_columns) == {"first_name", "last_name", "email"}
    fake = synth.sample(random_state=1)["people"]
    expected = fake["first_name"].str.lower() + "." + fake["last_name"].str.lower() + "@"
    assert all(e.startswith(p) for e, p in zip(fake["email"], expected, strict=True))
    assert not fake["email"].isin(people["email"]).any()


def test_id_like_values_follow_their_anchor_and_stay_fakes(tmp_path):
    tables = _pii.dataset(300, 600)
    synth = _fit(tables, None)
    assert synth.plans_["customers"].id_anchor == "country"  # phone formats follow it
    synthetic = synth.sample(random_state=1)
    customers = synthetic["customers"].dropna(subset=["phone"])
    real = tables["customers"].dropna(subset=["phone"])
    code = real["phone"].str.extract(r"^(\+\d+)", expand=False)
    codes = code.groupby(real["country"]).agg(lambda c: c.mode()[0])
    matches = customers["phone"].str.extract(r"^(\+\d+)", expand=False) == \
        customers["country"].map(codes)
    assert matches.mean() >= 0.95
    assert not _cells(synthetic) & _pii.real_values(tables, _pii.PERSONAL)
    path = tmp_path / "model.shm"
    synth.save(path)
    loaded = RelationalSynthesizer.load(path)
    assert loaded.plans_["customers"].id_anchor == "country"
    again = loaded.sample(random_state=1)["customers"]
    pd.testing.assert_frame_equal(again, synthetic["customers"])


def test_children_counts_do_not_depend_on_personal_columns():
    # Each agent's number of calls is its own: drawn by the fake that stands for an
    # agent's name, it would follow that agent into the output.
    n_agents = 8
    agents = pd.DataFrame({"agent_id": range(n_agents), "last_name": _pii.LAST[:n_agents],
                           "team": ["red", "blue"] * (n_agents // 2)})
    per_agent = 3 + 6 * np.arange(n_agents)
    calls = pd.DataFrame({"call_id": range(per_agent.sum()),
                          "agent_id": np.repeat(np.arange(n_agents), per_agent),
                          "minutes": np.linspace(1, 9, per_agent.sum())})
    schema = Schema.from_dict({"tables": {
        "agents": {"primary_key": "agent_id"},
        "calls": {"primary_key": "call_id",
                  "foreign_keys": [{"column": "agent_id", "references": "agents.agent_id"}]}}})
    tables = {"agents": agents, "calls": calls}
    synth = RelationalSynthesizer(schema, random_state=0).fit(tables)
    assert "agents.last_name" in synth.privacy_
    plan = synth.plans_["agents"]
    assert "last_name" in plan.model_columns  # learned (eight rows): it could be a label
    assert plan.personal == ("last_name",)
    counts = synth.cardinality_["calls.agent_id"]
    assert counts.context_columns_ == ["team"]
    assert counts.conditioning_ == []
    kept = RelationalSynthesizer(schema, random_state=0, privacy=PrivacyConfig(
        columns={"agents.last_name": "keep"})).fit(tables)  # not sanitised: an attribute
    assert kept.plans_["agents"].personal == ()
    assert kept.cardinality_["calls.agent_id"].conditioning_ == ["last_name"]
