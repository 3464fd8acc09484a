import logging

import numpy as np
import pandas as pd
import pytest

from synthohive.exceptions import DataValidationError
from synthohive.relational import RelationalSynthesizer
from synthohive.relational._offsets import detect_offsets, from_offsets, to_offsets
from synthohive.relational._plan import OffsetRule, build_plan
from synthohive.schema import Schema
from tests.relational._models import NearestContextModel


def _orders():
    rng = np.random.default_rng(0)
    n = 400
    ordered = pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), "D")
    shipped = ordered + pd.to_timedelta(rng.integers(1, 10, n), "D")
    frame = pd.DataFrame({
        "order_id": np.arange(1, n + 1),
        "ordered": ordered,
        "required": ordered + pd.Timedelta(28, "D"),
        "shipped": pd.Series(shipped).where(rng.random(n) > 0.1),  # some not shipped
        "stamped": ordered + pd.to_timedelta(rng.integers(0, 86_400, n), "s"),
        "birthday": pd.to_datetime("1970-01-01")
        + pd.to_timedelta(rng.integers(0, 10_000, n), "D"),  # unrelated to the order
        "amount": rng.lognormal(3, 0.4, n),
    })
    schema = Schema.from_dict({"tables": {"orders": {"primary_key": "order_id"}}})
    return schema, frame


def test_close_dates_become_offsets_in_their_unit(caplog):
    schema, frame = _orders()
    plan = build_plan(schema, "orders", frame, {"orders": len(frame)})
    with caplog.at_level(logging.INFO, logger="synthohive.relational._offsets"):
        rules = detect_offsets(plan, frame)
    assert rules == (OffsetRule("required", "ordered", "D"), OffsetRule("shipped", "ordered", "D"),
                     OffsetRule("stamped", "ordered", "s"))
    assert len(caplog.records) == 3
    learned = to_offsets(rules, frame[list(plan.model_columns)])
    assert list(learned.columns) == ["ordered", "required__offset", "shipped__offset",
                                     "stamped__offset", "birthday", "amount"]
    assert (learned["required__offset"] == 28).all()
    assert learned["shipped__offset"].isna().sum() == frame["shipped"].isna().sum()
    back = from_offsets(rules, learned)
    pd.testing.assert_frame_equal(back[frame.columns[1:]], frame[frame.columns[1:]],
                                  check_dtype=False)


def test_no_anchor_no_offsets():
    schema, frame = _orders()
    frame["ordered"] = frame["ordered"].where(frame.index > 0)  # the first date has a null
    frame = frame.drop(columns=["required", "stamped"])
    plan = build_plan(schema, "orders", frame, {"orders": len(frame)})
    # "shipped" has nulls too; "birthday" becomes the anchor and nothing follows it
    assert detect_offsets(plan, frame) == ()


def test_generated_dates_keep_order_and_spacing():
    schema, frame = _orders()
    synth = RelationalSynthesizer(schema, model=NearestContextModel(), random_state=0).fit(
        {"orders": frame})
    assert [r.column for r in synth.plans_["orders"].offsets] == ["required", "shipped",
                                                                  "stamped"]
    assert synth.models_["orders"].columns_ == list(synth.plans_["orders"].fitted_columns)
    fake = synth.sample(random_state=1)["orders"]
    assert fake.dtypes.equals(frame.dtypes)
    assert (fake["required"] - fake["ordered"] == pd.Timedelta(28, "D")).all()
    gap = (fake["shipped"] - fake["ordered"]).dropna()
    assert gap.between(pd.Timedelta(1, "D"), pd.Timedelta(9, "D")).all()
    assert (gap % pd.Timedelta(1, "D") == pd.Timedelta(0)).all()
    assert fake["shipped"].isna().mean() == pytest.approx(0.1, abs=0.05)


def test_offsets_switch_and_round_trip(tmp_path):
    schema, frame = _orders()
    off = RelationalSynthesizer(schema, model=NearestContextModel(), random_state=0,
                                datetime_offsets=False).fit({"orders": frame})
    assert off.plans_["orders"].offsets == ()
    on = RelationalSynthesizer(schema, model=NearestContextModel(), random_state=0).fit(
        {"orders": frame})
    on.save(tmp_path / "synth.shm")
    loaded = RelationalSynthesizer.load(tmp_path / "synth.shm")
    assert loaded.plans_ == on.plans_
    pd.testing.assert_frame_equal(loaded.sample(random_state=3)["orders"],
                                  on.sample(random_state=3)["orders"])
    with pytest.raises(DataValidationError, match="datetime_offsets"):
        RelationalSynthesizer(schema, datetime_offsets="yes").fit({"orders": frame})
