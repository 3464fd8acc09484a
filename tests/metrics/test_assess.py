import logging

import numpy as np
import pandas as pd
import pytest

from synthohive.exceptions import DataValidationError, QualityGateError
from synthohive.metrics import ReferenceProfile, assess, assess_tables, evaluate


def _table(seed, shift=0.0, n=1000):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"amount": rng.normal(shift, 1.0, n), "status": rng.choice(["a", "b"], n)})


def test_assess_matches_evaluate_closely():
    real, synthetic = _table(0), _table(1, shift=0.5)
    from_reference = assess(ReferenceProfile.fit(real), synthetic, table="orders")
    from_rows = evaluate(real, synthetic)
    assert from_reference.details.table.eq("orders").all()
    assert from_reference.column_shapes_score == pytest.approx(
        from_rows.column_shapes_score, abs=0.002
    )
    assert from_reference.column_pair_score == pytest.approx(from_rows.column_pair_score)


def test_assess_tables_logs_each_table_and_gates(caplog):
    references = {
        "orders": ReferenceProfile.fit(_table(0)),
        "items": ReferenceProfile.fit(_table(2)),
    }
    tables = {"orders": _table(1, shift=1.0), "items": _table(3)}
    with caplog.at_level(logging.INFO, logger="synthohive"):
        report = assess_tables(references, tables)
    lines = [r.getMessage() for r in caplog.records]
    assert any("table 'orders'" in line for line in lines)
    assert any("table 'items'" in line for line in lines)
    assert report.tables.table.tolist() == ["orders", "items"]
    assess_tables(references, tables, threshold={"orders": 0.6, "items": 0.2})
    with pytest.raises(QualityGateError) as info:
        assess_tables(references, tables, threshold=0.2)
    assert [f.split(":")[0] for f in info.value.failures] == ["orders.amount"]
    with pytest.raises(DataValidationError, match=r"\['items'\] have a reference"):
        assess_tables(references, {"orders": tables["orders"]})


def test_assess_caps_rows_without_randomness():
    real, synthetic = _table(0), _table(1, shift=0.5, n=1001)
    reference = ReferenceProfile.fit(real)
    capped = assess(reference, synthetic, max_rows=101)
    every_tenth = assess(reference, synthetic.iloc[::10], max_rows=None)
    pd.testing.assert_frame_equal(capped.details, every_tenth.details)
