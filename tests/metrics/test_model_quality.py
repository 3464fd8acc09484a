import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthohive.exceptions import DataValidationError, QualityGateError
from synthohive.metrics import QualityReport, ReferenceProfile
from tests.metrics._toy import MarginalModel

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    n = 2000
    return pd.DataFrame(
        {
            "amount": rng.gamma(2.0, 10.0, n),
            "score": rng.normal(0, 1, n),
            "status": pd.Series(rng.choice(["open", "paid", "void"], n, p=[0.5, 0.4, 0.1])),
            "flag": rng.random(n) < 0.3,
        }
    )


def test_fit_stores_reference_and_sample_reports(table, caplog):
    model = MarginalModel(random_state=0).fit(table)
    assert isinstance(model.reference_, ReferenceProfile)
    with caplog.at_level(logging.INFO, logger="synthohive"):
        out = model.sample(1500)
    report = model.last_quality_
    assert isinstance(report, QualityReport)
    assert report.details.column.tolist() == list(table.columns)
    assert report.column_shapes_score > 0.85
    lines = [r.getMessage() for r in caplog.records if "MarginalModel sample" in r.getMessage()]
    assert len(lines) == 1
    assert "score" in lines[0]
    assert list(out.columns) == list(table.columns)


def test_gate_passes_and_fails_naming_columns(table):
    good = MarginalModel(random_state=0).fit(table)
    good.sample(1500, quality_threshold=0.2)
    bad = MarginalModel(shift=1.5, random_state=0).fit(table)
    with pytest.raises(QualityGateError) as info:
        bad.sample(1500, quality_threshold=0.2)
    failing = {line.split(":")[0] for line in info.value.failures}
    assert failing == {"amount", "score"}  # the shifted float columns, not the others
    assert "threshold 0.2" in str(info.value)
    assert "KS" in str(info.value)


def test_gate_dict_threshold_and_bad_threshold(table):
    bad = MarginalModel(shift=1.5, random_state=0).fit(table)
    bad.sample(1000, quality_threshold={"amount": 0.9, "score": 0.9, "*": 0.5})
    with pytest.raises(QualityGateError, match="score"):
        bad.sample(1000, quality_threshold={"score": 0.1})
    with pytest.raises(DataValidationError, match="neither tables nor columns"):
        bad.sample(100, quality_threshold={"nope": 0.1})
    calls = bad.n_sample_calls_
    with pytest.raises(DataValidationError, match=r"number in \[0, 1\]"):
        bad.sample(100, quality_threshold=2.0)
    assert bad.n_sample_calls_ == calls  # refused before generating


_FRESH = """
import json, sys
import pandas as pd
from synthohive.exceptions import QualityGateError
from tests.metrics._toy import MarginalModel
model = MarginalModel.load(sys.argv[1])
out = model.sample(1500, random_state=1)
result = {"score": model.last_quality_.column_shapes_score, "gates": []}
for threshold in (0.9, 0.2):
    try:
        model.sample(1500, random_state=1, quality_threshold=threshold)
        result["gates"].append("passed")
    except QualityGateError as exc:
        result["gates"].append(exc.failures)
print(json.dumps(result))
"""


def test_gate_and_report_after_load_in_fresh_process(table, tmp_path):
    path = tmp_path / "model.shm"
    MarginalModel(shift=1.5, random_state=0).fit(table).save(path)
    state = MarginalModel.load(path).reference_._to_state()
    # summaries, not rows: at most 1000 quantile points for 2000 distinct real values
    assert [len(s["values"]) for s in state["sketches"] if s["metric"] == "KS"] == [1000, 1000]
    assert [s["categories"] for s in state["sketches"] if s["metric"] == "TVD"][0] == [
        "open",
        "paid",
        "void",
    ]
    run = subprocess.run(
        [sys.executable, "-c", _FRESH, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["gates"][0] == "passed"
    assert [f.split(":")[0] for f in result["gates"][1]] == ["amount", "score"]
    assert 0.0 < result["score"] < 1.0


def test_model_without_reference_refuses_threshold_only(table):
    model = MarginalModel(random_state=0).fit(table)
    del model.reference_
    model.sample(10)
    with pytest.raises(DataValidationError, match="no quality reference"):
        model.sample(10, quality_threshold=0.1)


def test_ctgan_gate_and_report_after_load(tmp_path):
    from synthohive.models.ctgan import CTGAN

    rng = np.random.default_rng(0)
    real = pd.DataFrame(
        {"x": rng.normal(size=200), "c": pd.Series(rng.choice(["a", "b"], 200), dtype="string")}
    )
    model = CTGAN(
        epochs=1,
        batch_size=50,
        pac=5,
        embedding_dim=8,
        generator_dim=(16,),
        discriminator_dim=(16,),
        validation_fraction=0.0,
        random_state=0,
    ).fit(real)
    model.sample(100, quality_threshold=1.0)
    model.save(tmp_path / "ctgan.shm")
    loaded = CTGAN.load(tmp_path / "ctgan.shm")
    assert loaded.reference_.columns == ["x", "c"]
    with pytest.raises(QualityGateError) as info:
        loaded.sample(100, quality_threshold=0.0)
    assert {f.split(":")[0] for f in info.value.failures} <= {"x", "c"}
    assert loaded.last_quality_.details.column.tolist() == ["x", "c"]


def test_large_samples_are_judged_on_evenly_spaced_rows(table, monkeypatch):
    import synthohive.models.base as base

    seen = []
    real_assess = base.assess
    monkeypatch.setattr(base, "assess",
                        lambda ref, out, **kw: seen.append(kw) or real_assess(ref, out, **kw))
    model = MarginalModel(random_state=0).fit(table)
    model.sample(12_000)
    assert seen == [{"max_rows": 10_000}]
    assert model.last_quality_.column_shapes_score > 0.85
