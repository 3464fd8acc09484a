"""Resumable relational fits: one checkpoint sub-directory per table (CHK-01)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from skorch.callbacks import Callback

import synthohive as sh
from synthohive.exceptions import DataValidationError
from synthohive.models._checkpoint import CHECKPOINT_FILE
from tests.models.tvae.conftest import small_tvae

SCHEMA = {"tables": {
    "customers": {"primary_key": "id"},
    "orders": {"primary_key": "id",
               "foreign_keys": [{"column": "customer_id", "references": "customers.id"}]}}}


class _Epochs(Callback):
    """Counts epochs per table model across clones (clone copies the callback)."""

    trained: list[int] = []

    def __init__(self, stop_at: int | None = None) -> None:
        self.stop_at = stop_at

    def on_epoch_end(self, net, **kwargs):
        _Epochs.trained.append(len(net.history))
        if self.stop_at is not None and len(net.history) == self.stop_at:
            raise RuntimeError("interrupted")


def _tables() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(0)
    customers = pd.DataFrame({"id": range(60), "segment": rng.choice(["a", "b"], 60),
                              "age": rng.integers(18, 80, 60)})
    orders = pd.DataFrame({"id": range(180), "customer_id": np.repeat(range(60), 3),
                           "amount": rng.gamma(2.0, 10.0, 180)})
    return {"customers": customers, "orders": orders}


def _synth(tmp_path, stop_at=None) -> sh.RelationalSynthesizer:
    return sh.RelationalSynthesizer(
        SCHEMA, model=small_tvae(epochs=4, checkpoint_interval=1),
        models={"orders": small_tvae(epochs=4, checkpoint_interval=1,
                                     callbacks=[_Epochs(stop_at)])},
        random_state=1, checkpoint_dir=tmp_path)


def test_each_table_checkpoints_and_finished_tables_are_not_retrained(tmp_path):
    tables = _tables()
    whole = sh.RelationalSynthesizer(
        SCHEMA, model=small_tvae(epochs=4, checkpoint_interval=1), random_state=1
    ).fit(tables).sample(random_state=2)
    with pytest.raises(RuntimeError, match="interrupted"):
        _synth(tmp_path, stop_at=2).fit(tables)
    assert (tmp_path / "customers" / CHECKPOINT_FILE).is_file()  # finished before the crash
    assert (tmp_path / "orders" / CHECKPOINT_FILE).is_file()
    _Epochs.trained = []
    resumed = _synth(tmp_path).fit(tables)
    assert _Epochs.trained == [3, 4]  # orders continued after epoch 2
    assert resumed.models_["customers"].history_[-1]["epoch"] == 4
    for name, frame in resumed.sample(random_state=2).items():
        pd.testing.assert_frame_equal(frame, whole[name])
    assert clone(resumed).checkpoint_dir == tmp_path


def test_bad_checkpoint_dir_is_refused():
    synth = sh.RelationalSynthesizer(SCHEMA, model=small_tvae(), checkpoint_dir=5)
    with pytest.raises(DataValidationError, match="checkpoint_dir"):
        synth.fit(_tables())
