"""Resumable fits (CHK-01): checkpoints of CTGAN and TVAE, resumed bit-identically."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from skorch.callbacks import Callback

from synthohive.exceptions import DataValidationError, SerializationError
from synthohive.models._checkpoint import _KIND, CHECKPOINT_FILE
from synthohive.persistence import load_artifact, save_artifact
from tests.models.ctgan.conftest import small_ctgan
from tests.models.tvae.conftest import small_tvae

ROOT = Path(__file__).resolve().parents[2]
BUILDERS = {"CTGAN": small_ctgan, "TVAE": small_tvae}
SETTINGS = {"epochs": 6, "validation_fraction": 0.2, "validation_interval": 2,
            "checkpoint_interval": 1, "random_state": 3}

# argv: model name, checkpoint dir, mode ("stall": hang after epoch 3 until killed);
# prints the epochs trained in this process and the digest of a sample.
_SCRIPT = """
import hashlib, sys, time
from skorch.callbacks import Callback
from sklearn.datasets import load_iris
from tests.models.test_checkpoint import BUILDERS, SETTINGS, _digest

class Epochs(Callback):
    count = 0
    def on_epoch_end(self, net, **kwargs):
        Epochs.count += 1
        if sys.argv[3] == "stall" and len(net.history) == 3:
            print("checkpointed", flush=True)
            time.sleep(300)

iris = load_iris(as_frame=True).frame
iris["species"] = iris.pop("target").map({0: "setosa", 1: "versicolor", 2: "virginica"})
model = BUILDERS[sys.argv[1]](**SETTINGS, checkpoint_dir=sys.argv[2], callbacks=[Epochs()])
model.fit(iris)
print(Epochs.count, _digest(model), flush=True)
"""


def _start(directory: Path, mode: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-c", _SCRIPT, "TVAE", str(directory), mode],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _digest(model) -> str:
    return hashlib.sha256(model.sample(200, random_state=1).to_csv(index=False).encode()
                          ).hexdigest()


def test_killed_fit_resumes_to_the_uninterrupted_result(iris, tmp_path):
    """SIGKILL a fit after its third epoch's checkpoint; the same fit again continues.

    The resumed fit runs in a fresh process and the uninterrupted one in this process, so
    this also checks that a fit is bit-identical across processes.
    """
    victim = _start(tmp_path, "stall")
    try:
        whole = _digest(small_tvae(**SETTINGS).fit(iris))
        assert victim.stdout.readline().strip() == "checkpointed"
        assert (tmp_path / CHECKPOINT_FILE).is_file()
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.communicate(timeout=60)
    assert victim.returncode == -signal.SIGKILL
    resumed = _start(tmp_path, "run")
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    epochs, digest = out.split()
    assert int(epochs) == SETTINGS["epochs"] - 3  # continued, not restarted
    assert digest == whole
    assert sorted(p.name for p in tmp_path.iterdir()) == [CHECKPOINT_FILE]


class _Count(Callback):
    def __init__(self, stop_at: int | None = None) -> None:
        self.stop_at = stop_at
        self.epochs = 0

    def on_epoch_end(self, net, **kwargs):
        self.epochs += 1
        if self.stop_at is not None and len(net.history) == self.stop_at:
            raise RuntimeError("interrupted")


@pytest.mark.parametrize("name", ["CTGAN", "TVAE"])
def test_interrupted_fit_resumes_bit_identically(name, iris, tmp_path):
    whole = BUILDERS[name](**SETTINGS).fit(iris)
    with pytest.raises(RuntimeError, match="interrupted"):
        BUILDERS[name](**SETTINGS, checkpoint_dir=tmp_path, callbacks=[_Count(stop_at=4)]
                       ).fit(iris)
    counter = _Count()
    resumed = BUILDERS[name](**SETTINGS, checkpoint_dir=tmp_path, callbacks=[counter]).fit(iris)
    assert counter.epochs == SETTINGS["epochs"] - 4
    assert resumed.best_epoch_ == whole.best_epoch_
    assert resumed.best_score_ == whole.best_score_
    pd.testing.assert_frame_equal(resumed.training_metrics().drop(columns="seconds"),
                                  whole.training_metrics().drop(columns="seconds"))
    pd.testing.assert_frame_equal(resumed.sample(300, random_state=2),
                                  whole.sample(300, random_state=2))


@pytest.mark.parametrize("name", ["CTGAN", "TVAE"])
def test_finished_checkpoint_trains_nothing_more(name, iris, tmp_path):
    first = BUILDERS[name](**SETTINGS, checkpoint_dir=tmp_path).fit(iris)
    counter = _Count()
    again = BUILDERS[name](**{**SETTINGS, "checkpoint_interval": None}, verbose=0,
                           checkpoint_dir=tmp_path, callbacks=[counter]).fit(iris)
    assert counter.epochs == 0
    assert again.best_epoch_ == first.best_epoch_
    pd.testing.assert_frame_equal(again.training_metrics().drop(columns="seconds"),
                                  first.training_metrics().drop(columns="seconds"))
    pd.testing.assert_frame_equal(again.sample(100, random_state=0),
                                  first.sample(100, random_state=0))


def test_unseeded_fit_resumes_with_the_checkpoint_seed(iris, tmp_path):
    with pytest.raises(RuntimeError, match="interrupted"):
        small_tvae(epochs=5, checkpoint_interval=1, checkpoint_dir=tmp_path,
                   callbacks=[_Count(stop_at=2)]).fit(iris)
    stored = load_artifact(tmp_path / CHECKPOINT_FILE)
    counter = _Count()
    model = small_tvae(epochs=5, checkpoint_interval=1, checkpoint_dir=tmp_path,
                       callbacks=[counter]).fit(iris)
    assert counter.epochs == 3
    assert model.training_metrics()["epoch"].tolist() == [1, 2, 3, 4, 5]
    assert model.seed_ == stored["seed"]  # not the fresh seed drawn by this fit


def test_checkpoint_of_other_data_or_params_is_refused(iris, tmp_path):
    small_tvae(**SETTINGS, checkpoint_dir=tmp_path).fit(iris)
    with pytest.raises(DataValidationError, match="other data or with other parameters"):
        small_tvae(**SETTINGS, checkpoint_dir=tmp_path).fit(iris.iloc[1:])
    with pytest.raises(DataValidationError, match="checkpoint_dir"):
        small_tvae(**{**SETTINGS, "epochs": 7}, checkpoint_dir=tmp_path).fit(iris)
    with pytest.raises(DataValidationError):
        small_ctgan(**SETTINGS, checkpoint_dir=tmp_path).fit(iris)
    # Parameters that do not change the computation do not invalidate it.
    small_tvae(**{**SETTINGS, "checkpoint_interval": 2}, verbose=0,
               checkpoint_dir=str(tmp_path)).fit(iris)


def test_corrupt_truncated_or_foreign_checkpoint_is_a_serialization_error(iris, tmp_path):
    model = small_tvae(**SETTINGS, checkpoint_dir=tmp_path).fit(iris)
    path = tmp_path / CHECKPOINT_FILE
    data = path.read_bytes()
    for damaged in (data[: len(data) // 2], b"not a checkpoint", data[:-10] + b"0123456789"):
        path.write_bytes(damaged)
        with pytest.raises(SerializationError):
            small_tvae(**SETTINGS, checkpoint_dir=tmp_path).fit(iris)
    model.save(path)  # a model artifact is not a training checkpoint
    with pytest.raises(SerializationError, match="not a TVAE training checkpoint"):
        small_tvae(**SETTINGS, checkpoint_dir=tmp_path).fit(iris)
    save_artifact(path, {"kind": _KIND})
    with pytest.raises(SerializationError, match="lacks"):
        small_tvae(**SETTINGS, checkpoint_dir=tmp_path).fit(iris)
