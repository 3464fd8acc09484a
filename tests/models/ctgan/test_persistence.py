"""CTGAN artifacts (TEST-03, CORE-02/03): one file, fresh-process load, no code on load."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import torch

from synthohive.exceptions import SerializationError
from synthohive.models.ctgan import CTGAN
from synthohive.persistence import FORMAT_VERSION

ROOT = Path(__file__).resolve().parents[3]


def _run(code: str, *args: str) -> str:
    """Run ``code`` in a fresh interpreter at the repository root; return its stdout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _tvd(a: pd.Series, b: pd.Series) -> float:
    p = a.value_counts(normalize=True)
    q = b.value_counts(normalize=True)
    return 0.5 * float(p.subtract(q, fill_value=0).abs().sum())


@pytest.fixture(scope="module")
def artifact(fitted_iris, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ctgan") / "iris.shm"
    fitted_iris.save(path)
    return path


def test_save_writes_one_file_loadable_in_fresh_process(fitted_iris, artifact, tmp_path):
    assert artifact.is_file()
    assert list(artifact.parent.iterdir()) == [artifact]
    before = fitted_iris.sample(600, random_state=11)
    out = tmp_path / "after.csv"
    _run(
        "import sys; from synthohive.models.ctgan import CTGAN\n"
        "m = CTGAN.load(sys.argv[1]); m.sample(600, random_state=11).to_csv(sys.argv[2], "
        "index=False)\n",
        str(artifact), str(out),
    )
    after = pd.read_csv(out)
    assert list(after.columns) == list(before.columns)
    assert _tvd(before["species"], after["species"]) <= 0.1
    for column in before.columns[:-1]:
        assert abs(before[column].mean() - after[column].mean()) < 0.5
    # On CPU the same seed gives the same rows after a round trip.
    np.testing.assert_allclose(after.iloc[:, :-1].to_numpy(), before.iloc[:, :-1].to_numpy(),
                               rtol=1e-6)


def test_loaded_model_keeps_fitted_state(fitted_iris, artifact):
    loaded = CTGAN.load(artifact)
    assert loaded.get_params()["epochs"] == fitted_iris.epochs
    assert loaded.columns_ == fitted_iris.columns_
    assert loaded.dtypes_ == fitted_iris.dtypes_
    assert loaded.best_epoch_ == fitted_iris.best_epoch_
    pd.testing.assert_frame_equal(loaded.training_metrics(), fitted_iris.training_metrics())
    pd.testing.assert_frame_equal(loaded.sample(50, random_state=3),
                                  fitted_iris.sample(50, random_state=3))
    loaded.sample(5, conditions={"species": "setosa"})


def _rewrite(artifact: Path, target: Path, edit) -> None:
    """Copy an artifact, letting ``edit(manifest, members)`` change it, checksums refreshed."""
    with zipfile.ZipFile(artifact) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    edit(manifest, members)
    manifest["checksums"] = {n: hashlib.sha256(b).hexdigest() for n, b in members.items()}
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        for name, blob in members.items():
            archive.writestr(name, blob)


def test_corrupt_truncated_tampered_and_wrong_version(artifact, tmp_path):
    data = artifact.read_bytes()
    broken = {
        "truncated": data[: len(data) // 2],
        "garbage": b"not a model at all",
        "empty": b"",
    }
    for name, blob in broken.items():
        path = tmp_path / f"{name}.shm"
        path.write_bytes(blob)
        with pytest.raises(SerializationError):
            CTGAN.load(path)

    with zipfile.ZipFile(artifact) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    tampered = tmp_path / "tampered.shm"
    with zipfile.ZipFile(tampered, "w") as archive:
        for name, blob in members.items():
            if name == "tensors.pt":
                blob = blob[:-10] + bytes(10)
            archive.writestr(name, blob)
    with pytest.raises(SerializationError, match="altered"):
        CTGAN.load(tampered)

    wrong = tmp_path / "wrong_version.shm"
    _rewrite(artifact, wrong, lambda m, _: m.update(format_version=FORMAT_VERSION + 1))
    with pytest.raises(SerializationError, match="version"):
        CTGAN.load(wrong)

    with pytest.raises(SerializationError):
        CTGAN.load(tmp_path / "missing.shm")


def test_mismatched_weights_raise(artifact, tmp_path):
    def shrink(manifest, members):
        state = manifest["root"]["state"]
        state["generator_input"] = state["generator_input"] + 3

    path = tmp_path / "mismatch.shm"
    _rewrite(artifact, path, shrink)
    with pytest.raises(SerializationError, match="weights"):
        CTGAN.load(path)


class _Payload:
    """Writes a marker file when unpickled: what a malicious artifact would do."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (Path(self.marker), "pwned"))


def test_pickle_payload_artifact_runs_no_code(artifact, tmp_path):
    marker = tmp_path / "marker.txt"

    def inject(manifest, members):
        buffer = io.BytesIO()
        torch.save({"t0": _Payload(str(marker))}, buffer)
        members["tensors.pt"] = buffer.getvalue()

    evil = tmp_path / "evil.shm"
    _rewrite(artifact, evil, inject)
    with pytest.raises(SerializationError):
        CTGAN.load(evil)
    assert not marker.exists()
    # Also in a fresh process, where nothing is imported beforehand.
    _run(
        "import sys; from synthohive.models.ctgan import CTGAN\n"
        "from synthohive.exceptions import SerializationError\n"
        "try:\n    CTGAN.load(sys.argv[1])\nexcept SerializationError:\n    print('refused')\n",
        str(evil),
    )
    assert not marker.exists()


def test_joblib_round_trip_in_fresh_process(fitted_iris, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(fitted_iris, path)
    expected = fitted_iris.sample(20, random_state=9)
    out = _run(
        "import sys, joblib\n"
        "m = joblib.load(sys.argv[1]); print(m.sample(20, random_state=9).to_json())\n",
        str(path),
    )
    got = pd.read_json(io.StringIO(out))
    np.testing.assert_allclose(got.iloc[:, :-1].to_numpy(), expected.iloc[:, :-1].to_numpy(),
                               rtol=1e-6)
    assert got["species"].tolist() == expected["species"].tolist()
