import pandas as pd
import pytest

from synthohive.exceptions import DataValidationError, QualityGateError
from synthohive.metrics import QualityReport, check_quality

DETAILS = pd.DataFrame(
    {
        "table": ["orders", "orders", "customers"],
        "column": ["amount", "status", "age"],
        "metric": ["KS", "TVD", "KS"],
        "distance": [0.30, 0.10, 0.20],
        "score": [0.70, 0.90, 0.80],
        "null_rate_difference": [0.0, 0.0, 0.0],
    }
)
REPORT = QualityReport(DETAILS)


def test_float_threshold_lists_every_failure():
    check_quality(REPORT, 0.3)
    with pytest.raises(QualityGateError) as info:
        check_quality(REPORT, 0.15)
    assert info.value.failures == [
        "orders.amount: KS 0.3000 > threshold 0.15",
        "customers.age: KS 0.2000 > threshold 0.15",
    ]
    assert "orders.amount" in str(info.value)
    assert "customers.age" in str(info.value)


def test_table_filter_and_dict_thresholds():
    with pytest.raises(QualityGateError) as info:
        check_quality(REPORT, 0.15, table="customers")
    assert [f.split(":")[0] for f in info.value.failures] == ["customers.age"]
    check_quality(REPORT, {"orders.amount": 0.35, "*": 0.25})
    check_quality(REPORT, {"orders": 0.3, "customers": 0.2})
    with pytest.raises(QualityGateError) as info:
        check_quality(REPORT, {"amount": 0.4, "orders": 0.05})
    assert [f.split(":")[0] for f in info.value.failures] == ["orders.status"]
    # columns matching no key are not gated
    check_quality(REPORT, {"status": 0.1})


def test_bad_thresholds():
    for bad in (-0.1, 1.5, "0.1", True, {"amount": None}):
        with pytest.raises(DataValidationError):
            check_quality(REPORT, bad)
    with pytest.raises(DataValidationError, match="neither tables nor columns"):
        check_quality(REPORT, {"amount": 0.1, "ammount": 0.1})


def test_null_rate_difference_is_gated_too():
    details = DETAILS.assign(null_rate_difference=[0.0, 0.4, 0.0])
    with pytest.raises(QualityGateError) as info:
        check_quality(QualityReport(details), 0.35)
    assert info.value.failures == ["orders.status: null rate difference 0.4000 > threshold 0.35"]
