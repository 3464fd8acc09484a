"""TVAE artifacts: one file, fresh-process load, typed errors on damage, joblib."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import joblib
import pandas as pd
import pytest

from synthohive.exceptions import SerializationError
from synthohive.models.tvae import TVAE

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def artifact(fitted_iris, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tvae") / "iris.shm"
    fitted_iris.save(path)
    return path


def test_fresh_process_load_samples_the_same_rows(fitted_iris, artifact, tmp_path):
    assert list(artifact.parent.iterdir()) == [artifact]
    out = tmp_path / "after.csv"
    code = ("import sys; from synthohive import TVAE\n"
            "TVAE.load(sys.argv[1]).sample(300, random_state=5).to_csv(sys.argv[2], index=False)")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", code, str(artifact), str(out)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    expected = fitted_iris.sample(300, random_state=5)
    assert out.read_text() == expected.to_csv(index=False)


def test_loaded_model_keeps_fitted_state(fitted_iris, artifact):
    loaded = TVAE.load(artifact)
    assert loaded.get_params() == {**fitted_iris.get_params(), "callbacks": None,
                                   "transformer": None}
    assert loaded.best_epoch_ == fitted_iris.best_epoch_
    pd.testing.assert_frame_equal(loaded.training_metrics(), fitted_iris.training_metrics())
    pd.testing.assert_frame_equal(
        loaded.sample(50, conditions={"species": "setosa"}, random_state=1),
        fitted_iris.sample(50, conditions={"species": "setosa"}, random_state=1))
    assert loaded.sample(100, quality_threshold=1.0).shape == (100, 5)


def test_damaged_artifacts_raise_serialization_error(artifact, tmp_path):
    data = artifact.read_bytes()
    for name, blob in {"truncated": data[: len(data) // 3], "garbage": b"\x00" * 64}.items():
        path = tmp_path / f"{name}.shm"
        path.write_bytes(blob)
        with pytest.raises(SerializationError):
            TVAE.load(path)
    with pytest.raises(SerializationError):
        TVAE.load(tmp_path / "missing.shm")


def test_joblib_round_trip(fitted_iris, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(fitted_iris, path)
    loaded = joblib.load(path)
    assert not hasattr(loaded, "net_")
    pd.testing.assert_frame_equal(loaded.sample(80, random_state=3),
                                  fitted_iris.sample(80, random_state=3))
