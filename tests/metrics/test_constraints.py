import numpy as np
import pandas as pd
import pytest

from synthohive.exceptions import (
    ConstraintViolationError,
    DataValidationError,
    SchemaValidationError,
)
from synthohive.metrics import check_constraints
from synthohive.schema import Schema

FRAME = pd.DataFrame(
    {
        "amount": [5.0, -2.0, 120.0, -7.5, np.nan],
        "status": ["open", "paid", "lost", "open", None],
        "code": [1, 2, 2, 3, 4],
        "when": pd.to_datetime(["2020-01-01", "2019-05-01", "2021-01-01", "2020-02-02", None]),
    }
)


def test_passes_without_changing_the_frame():
    before = FRAME.copy()
    check_constraints(
        FRAME,
        {
            "amount": {"min": -10, "max": 200},
            "status": {"allowed": ["open", "paid", "lost"]},
            "code": {"dtype": "int64", "not_null": True},
        },
    )
    pd.testing.assert_frame_equal(FRAME, before)


def test_every_violation_is_reported_with_value_and_count():
    spec = Schema.from_dict(
        {
            "tables": {
                "orders": {
                    "constraints": {
                        "amount": {"min": 0, "max": 100},
                        "status": {"allowed": ["open", "paid"], "not_null": True},
                        "code": {"unique": True, "dtype": "int32"},
                        "when": {"min": "2020-01-01"},
                    }
                }
            }
        }
    )["orders"]
    with pytest.raises(ConstraintViolationError) as info:
        check_constraints(FRAME, spec)
    found = {
        (v["column"], v["constraint"]): (v["value"], v["count"]) for v in info.value.violations
    }
    assert found == {
        ("amount", "min"): (-7.5, 2),
        ("amount", "max"): (120.0, 1),
        ("status", "allowed"): ("lost", 1),
        ("status", "not_null"): (None, 1),
        ("code", "unique"): (2, 2),
        ("code", "dtype"): ("int64", 5),
        ("when", "min"): (pd.Timestamp("2019-05-01"), 1),
    }
    assert all(v["table"] == "orders" for v in info.value.violations)
    message = str(info.value)
    assert "orders.amount: 2 row(s) below min 0, e.g. -7.5" in message
    assert "orders.status: 1 row(s) not in allowed values ['open', 'paid'], e.g. 'lost'" in message
    assert "nothing was clipped or repaired" in message


def test_bad_declarations():
    with pytest.raises(SchemaValidationError, match="unknown constraints"):
        check_constraints(FRAME, {"amount": {"minimum": 0}})
    with pytest.raises(SchemaValidationError, match="cannot apply"):
        check_constraints(FRAME, {"status": {"min": 0}})
    with pytest.raises(DataValidationError, match="missing from the generated table"):
        check_constraints(FRAME, {"nope": {"min": 0}}, table="orders")
