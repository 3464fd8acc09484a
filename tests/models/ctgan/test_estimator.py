"""CTGAN end to end: fit/sample (TEST-01), sklearn protocol, progress/logging, bad input."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from skorch.callbacks import Callback

from synthohive.exceptions import DataValidationError, NotFittedError, SynthoHiveError
from synthohive.models.ctgan import CTGAN
from tests.models.ctgan.conftest import read_real_table, small_ctgan


def test_iris_fit_sample_keeps_columns_and_dtypes(iris, fitted_iris):
    synthetic = fitted_iris.sample(300, random_state=0)
    assert list(synthetic.columns) == list(iris.columns)
    assert synthetic.dtypes.to_dict() == iris.dtypes.to_dict()
    assert len(synthetic) == 300
    assert set(synthetic["species"]) <= set(iris["species"])
    assert synthetic.notna().all().all()
    # Default size: as many rows as the training table.
    assert len(fitted_iris.sample()) == len(iris)


def test_numbers_stay_inside_their_training_range(iris, fitted_iris):
    synthetic = fitted_iris.sample(2000, random_state=4)
    numeric = iris.select_dtypes("number").columns
    assert (synthetic[numeric] >= iris[numeric].min()).all().all()
    assert (synthetic[numeric] <= iris[numeric].max()).all().all()


def test_real_table_fit_sample():
    payment = read_real_table("sakila", "payment", nrows=600).drop(
        columns=["payment_id", "rental_id", "last_update"]
    )
    model = small_ctgan(epochs=1, random_state=1).fit(payment)
    synthetic = model.sample(200, random_state=0)
    assert list(synthetic.columns) == list(payment.columns)
    assert synthetic.dtypes.to_dict() == payment.dtypes.to_dict()
    assert set(synthetic["staff_id"]) <= set(payment["staff_id"])
    assert synthetic["amount"].notna().all()
    assert synthetic["payment_date"].between(payment["payment_date"].min() - pd.Timedelta("30D"),
                                             payment["payment_date"].max()
                                             + pd.Timedelta("30D")).mean() > 0.9


def test_conditions_fix_a_discrete_column(fitted_iris):
    rows = fitted_iris.sample(40, random_state=3, conditions={"species": "virginica"})
    assert (rows["species"] == "virginica").all()


@pytest.mark.parametrize(
    ("conditions", "match"),
    [
        ({"species": "rose"}, "rose"),
        ({"sepal length (cm)": 5.0}, "not a discrete column"),
        ({"nope": "x"}, "nope"),
        ({"species": "setosa", "sepal width (cm)": 3.0}, "exactly one"),
        (["species"], "exactly one"),
    ],
)
def test_bad_conditions(fitted_iris, conditions, match):
    with pytest.raises(DataValidationError, match=match):
        fitted_iris.sample(5, conditions=conditions)


def test_sklearn_protocol(iris):
    model = CTGAN(epochs=3, batch_size=100, pac=10, random_state=4)
    params = model.get_params()
    assert params["epochs"] == 3
    assert params["pac"] == 10
    assert params["callbacks"] is None
    copy = clone(model)
    assert copy.get_params() == params
    assert copy is not model
    copy.set_params(epochs=1, generator_dim=(8,))
    assert copy.epochs == 1
    assert model.epochs == 3
    assert not hasattr(model, "columns_")  # nothing happens in __init__
    assert repr(model).startswith("CTGAN(")


def test_sample_before_fit():
    with pytest.raises(NotFittedError):
        CTGAN().sample(3)
    with pytest.raises(NotFittedError):
        CTGAN().training_metrics()


@pytest.mark.parametrize("n_samples", [0, -3, 2.5, True, "10"])
def test_bad_n_samples(fitted_iris, n_samples):
    with pytest.raises(DataValidationError, match="n_samples"):
        fitted_iris.sample(n_samples)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 52, "pac": 5}, "multiple of pac"),
        ({"pac": 0}, "pac"),
        ({"generator_dim": "256"}, "generator_dim"),
        ({"discriminator_dim": (32, -1)}, "discriminator_dim"),
        ({"generator_lr": -1.0}, "generator_lr"),
        ({"discriminator_decay": float("nan")}, "discriminator_decay"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"patience": 0}, "patience"),
        ({"validation_interval": 1.5}, "validation_interval"),
        ({"callbacks": "print"}, "callbacks"),
        ({"device": "tpu"}, "device"),
    ],
)
def test_invalid_params_raise_at_fit(iris, params, match):
    model = small_ctgan(**params)  # construction never fails
    with pytest.raises(DataValidationError, match=match) as info:
        model.fit(iris)
    assert isinstance(info.value, ValueError)


def test_bad_training_input():
    with pytest.raises(DataValidationError):
        small_ctgan().fit(pd.DataFrame({"a": []}))
    with pytest.raises(DataValidationError):
        small_ctgan().fit([[1, 2], [3, 4]])


def test_training_metrics_logging_and_history(iris, caplog):
    seen = []

    class Recorder(Callback):
        def on_epoch_end(self, net, **kwargs):
            seen.append(len(net.history))

    with caplog.at_level(logging.INFO, logger="synthohive"):
        model = small_ctgan(epochs=3, random_state=2, callbacks=[Recorder()]).fit(iris)
    assert seen == [1, 2, 3]  # user callbacks run every epoch
    metrics = model.training_metrics()
    assert list(metrics.columns) == ["epoch", "loss_g", "loss_d", "gradient_penalty",
                                     "val_score", "seconds"]
    assert metrics["epoch"].tolist() == [1, 2, 3]
    assert np.isfinite(metrics[["loss_g", "loss_d", "gradient_penalty", "seconds"]]
                       .to_numpy()).all()
    assert (metrics["gradient_penalty"] >= 0).all()
    assert len(model.history_) == 3
    assert "loss_g" in model.history_[-1]
    records = [r for r in caplog.records if r.name == "synthohive.callbacks"
               and hasattr(r, "epoch")]
    assert [r.epoch for r in records] == [1, 2, 3]
    last = records[-1]
    assert last.loss_g == pytest.approx(metrics["loss_g"].iloc[-1])
    assert last.eta == 0.0
    assert last.seconds > 0
    assert last.val_score is None


def test_verbose_shows_progress_bar(iris, capsys):
    small_ctgan(epochs=2, verbose=1, random_state=0).fit(iris)
    err = capsys.readouterr().err
    assert "2/2" in err
    assert "loss_g" in err
    assert "epoch" in err
    small_ctgan(epochs=1, verbose=0, random_state=0).fit(iris)
    assert "loss_g" not in capsys.readouterr().err


def test_validation_checkpoint_keeps_best_epoch(iris):
    model = small_ctgan(epochs=4, validation_fraction=0.2, validation_interval=1,
                        patience=None, random_state=5).fit(iris)
    metrics = model.training_metrics()
    scores = metrics["val_score"].to_numpy()
    assert np.isfinite(scores).all()
    assert ((scores >= 0) & (scores <= 1)).all()
    assert model.best_epoch_ == int(metrics["epoch"][np.argmin(scores)])
    assert model.best_score_ == pytest.approx(scores.min())
    # sample() uses the best weights, which the checkpoint restored into generator_.
    best = model.net_.callbacks_[
        [name for name, _ in model.net_.callbacks_].index("validation")][1].best_state_
    for name, tensor in model.generator_.state_dict().items():
        assert np.array_equal(tensor.numpy(), best[name].numpy())


def test_patience_stops_early(iris):
    model = small_ctgan(epochs=30, validation_fraction=0.2, validation_interval=1,
                        patience=1, random_state=6, generator_lr=1e-6,
                        discriminator_lr=1e-6).fit(iris)
    assert len(model.history_) < 30
    assert model.best_epoch_ <= len(model.history_)


def test_errors_are_typed(fitted_iris):
    with pytest.raises(SynthoHiveError):
        fitted_iris.sample(5, context=pd.DataFrame({"a": [1] * 5}))


def test_numeric_only_and_null_columns():
    rng = np.random.default_rng(0)
    numbers = pd.DataFrame({"x": rng.normal(size=200), "y": rng.exponential(size=200)})
    model = small_ctgan(random_state=0, validation_fraction=0.2, validation_interval=1)
    synthetic = model.fit(numbers).sample(50, random_state=0)
    assert synthetic.notna().all().all()
    with pytest.raises(DataValidationError, match="not a discrete column"):
        model.sample(5, conditions={"x": 1.0})
    holes = numbers.copy()
    holes.loc[::4, "x"] = np.nan
    holes["c"] = rng.choice(["u", None], 200)
    out = small_ctgan(random_state=0).fit(holes).sample(400, random_state=0)
    assert 0.0 < out["x"].isna().mean() < 0.9  # two epochs: the rate is only roughly right
    assert out["c"].isna().any()
    assert out["c"].dropna().eq("u").all()
