"""The examples run end to end (CTGAN with 1 epoch) and produce what they promise."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import synthohive as sh

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.parametrize("model", ["default", "ctgan"])
def test_quickstart_writes_tables_and_reports(tmp_path, model):
    env = dict(os.environ, SYNTHOHIVE_EXAMPLE_MODEL=model, SYNTHOHIVE_EXAMPLE_EPOCHS="1",
               SYNTHOHIVE_EXAMPLE_OUTPUT=str(tmp_path))
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        capture_output=True, text=True, env=env, timeout=900, check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Overall score" in out.stdout
    tables = sorted(p.stem for p in (tmp_path / "synthetic").glob("*.parquet"))
    assert len(tables) == 11
    invoice = pd.read_parquet(tmp_path / "synthetic" / "invoice.parquet")
    customer = pd.read_parquet(tmp_path / "synthetic" / "customer.parquet")
    assert invoice["customer_id"].isin(customer["customer_id"]).all()
    real = sh.datasets.load("chinook")[0]
    for table, columns in {"customer": ["first_name", "last_name", "email", "phone", "address"],
                           "employee": ["last_name", "email", "phone"]}.items():
        synthetic = pd.read_parquet(tmp_path / "synthetic" / f"{table}.parquet")
        for column in columns:  # no real customer's contact details in the output
            assert not synthetic[column].isin(real[table][column].dropna()).any(), column
    assert "real personal values in the output: 0" in out.stdout
    report = json.loads((tmp_path / "quality_report.json").read_text())
    assert 0.0 <= report["score"] <= 1.0
    html = (tmp_path / "quality_report.html").read_text()
    assert "data:image/png;base64," in html
    assert (tmp_path / "chinook.shm").stat().st_size > 0
