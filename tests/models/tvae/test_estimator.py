"""TVAE estimator: fit/sample contract, conditions, context, metrics, validation, params."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import synthohive as sh
from synthohive.exceptions import DataValidationError, NotFittedError
from synthohive.models.tvae import _estimator
from tests.models.tvae.conftest import small_tvae


def test_iris_fit_sample_keeps_columns_and_dtypes(iris, fitted_iris):
    out = fitted_iris.sample(400, random_state=1)
    assert list(out.columns) == list(iris.columns)
    assert list(out.dtypes) == list(iris.dtypes)
    assert set(out["species"]) <= set(iris["species"])
    assert np.isfinite(out.select_dtypes("number").to_numpy()).all()
    assert fitted_iris.last_quality_.score > 0.5
    assert fitted_iris.sample().shape == iris.shape


def test_training_metrics_have_reconstruction_kl_and_validation(iris, caplog):
    with caplog.at_level(logging.INFO, logger="synthohive"):
        model = small_tvae(epochs=4, validation_fraction=0.2, validation_interval=2,
                           random_state=2).fit(iris)
    metrics = model.training_metrics()
    assert list(metrics.columns) == ["epoch", "loss", "reconstruction", "kl", "val_score",
                                     "seconds"]
    assert metrics["epoch"].tolist() == [1, 2, 3, 4]
    assert np.isfinite(metrics[["loss", "reconstruction", "kl", "seconds"]].to_numpy()).all()
    assert (metrics["kl"] >= 0).all()
    np.testing.assert_allclose(metrics["loss"], 2 * metrics["reconstruction"] + metrics["kl"],
                               rtol=1e-5, atol=1e-5)
    assert metrics["val_score"].isna().tolist() == [True, False, True, False]
    records = [r for r in caplog.records if r.name == "synthohive.callbacks"
               and hasattr(r, "epoch")]
    assert [r.epoch for r in records] == [1, 2, 3, 4]
    assert records[-1].kl == pytest.approx(metrics["kl"].iloc[-1])
    assert model.best_epoch_ in (2, 4)
    assert model.best_score_ == pytest.approx(metrics["val_score"].min())


def test_patience_stops_early(iris):
    model = small_tvae(epochs=40, validation_fraction=0.2, validation_interval=1, patience=1,
                       random_state=0).fit(iris)
    assert len(model.history_) < 40


def test_verbose_shows_progress_bar(iris, capsys):
    small_tvae(epochs=2, verbose=1, random_state=0).fit(iris)
    assert "2/2" in capsys.readouterr().err


def test_conditions_on_one_and_two_columns(fitted_iris, iris):
    out = fitted_iris.sample(150, conditions={"species": "virginica"}, random_state=4)
    assert len(out) == 150
    assert (out["species"] == "virginica").all()
    assert list(out.dtypes) == list(iris.dtypes)
    twice = fitted_iris.sample(150, conditions={"species": "virginica"}, random_state=4)
    pd.testing.assert_frame_equal(out, twice)

    frame = iris.assign(size=np.where(iris["petal length (cm)"] > 4, "big", "small"))
    model = small_tvae(epochs=5, random_state=0).fit(frame)
    both = model.sample(60, conditions={"species": "setosa", "size": "big"}, random_state=0)
    assert (both["species"] == "setosa").all()
    assert (both["size"] == "big").all()


@pytest.mark.parametrize(("conditions", "match"), [
    ({}, "non-empty"),
    ("setosa", "non-empty dict"),
    ({"sepal length (cm)": 5.0}, "not a discrete column"),
    ({"nope": 1}, "not a discrete column"),
    ({"species": "rose"}, "rose"),
])
def test_bad_conditions(fitted_iris, conditions, match):
    with pytest.raises(DataValidationError, match=match):
        fitted_iris.sample(10, conditions=conditions)


def test_conditions_the_model_rarely_generates_raise(fitted_iris, monkeypatch):
    monkeypatch.setattr(_estimator, "_MAX_CANDIDATES_PER_ROW", 1)
    with pytest.raises(DataValidationError, match="too rarely"):
        fitted_iris.sample(500, conditions={"species": "setosa"}, random_state=0)


def test_context_fit_and_sample(iris):
    context = iris[["species"]]
    model = small_tvae(epochs=4, random_state=1).fit(iris.drop(columns="species"),
                                                     context=context)
    assert model.context_dim_ > 0
    out = model.sample(context=context.iloc[:30], random_state=2)
    assert len(out) == 30
    assert list(out.columns) == list(iris.columns[:-1])
    with pytest.raises(DataValidationError, match="context"):
        model.sample(10)
    with pytest.raises(DataValidationError, match="lacks columns"):
        model.sample(context=pd.DataFrame({"other": [1]}))
    conditioned = small_tvae(epochs=3, random_state=1).fit(iris, context=iris[["sepal width (cm)"]])
    rows = conditioned.sample(context=iris[["sepal width (cm)"]].iloc[:20],
                              conditions={"species": "setosa"}, random_state=0)
    assert (rows["species"] == "setosa").all()
    assert len(rows) == 20


def test_child_columns_follow_parent_context():
    rng = np.random.default_rng(0)
    parent = pd.DataFrame({"tier": rng.choice(["gold", "basic"], size=1500)})
    child = pd.DataFrame({"spend": np.where(parent["tier"] == "gold", 100.0, 10.0)
                          + rng.normal(size=1500)})
    model = small_tvae(epochs=30, batch_size=100, random_state=0).fit(child, context=parent)
    probe = pd.DataFrame({"tier": ["gold"] * 300 + ["basic"] * 300})
    out = model.sample(context=probe, random_state=1)
    assert out["spend"].iloc[:300].median() > 60 > out["spend"].iloc[300:].median()


def test_sklearn_protocol(iris, tmp_path):
    model = sh.TVAE(epochs=5, checkpoint_dir=tmp_path, checkpoint_interval=2)
    params = model.get_params()
    assert params["checkpoint_dir"] == tmp_path
    assert params["checkpoint_interval"] == 2
    copy = clone(model)
    assert copy.get_params() == params
    assert clone(small_tvae()).set_params(epochs=7).epochs == 7


def test_sample_before_fit():
    with pytest.raises(NotFittedError):
        small_tvae().sample(3)
    with pytest.raises(NotFittedError):
        small_tvae().training_metrics()


@pytest.mark.parametrize(("params", "match"), [
    ({"epochs": 0}, "epochs"),
    ({"batch_size": -1}, "batch_size"),
    ({"compress_dims": (8, 0)}, "compress_dims"),
    ({"decompress_dims": "8"}, "decompress_dims"),
    ({"lr": 0.0}, "lr"),
    ({"loss_factor": float("nan")}, "loss_factor"),
    ({"l2scale": -1.0}, "l2scale"),
    ({"validation_fraction": 1.0}, "validation_fraction"),
    ({"checkpoint_interval": 0}, "checkpoint_interval"),
    ({"checkpoint_dir": 3}, "checkpoint_dir"),
    ({"device": "tpu"}, "device"),
])
def test_invalid_params_raise_at_fit(iris, params, match):
    model = small_tvae(**params)
    with pytest.raises(DataValidationError, match=match):
        model.fit(iris)


def test_numeric_only_and_null_columns():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(size=200), "b": rng.exponential(size=200)})
    frame.loc[::7, "b"] = np.nan
    out = small_tvae(random_state=0).fit(frame).sample(300, random_state=0)
    assert out["b"].isna().any()
    assert out["a"].notna().all()


def test_usable_in_relational_synthesizer():
    customers = pd.DataFrame({"id": range(40), "segment": ["a", "b"] * 20})
    orders = pd.DataFrame({"id": range(120), "customer_id": np.repeat(range(40), 3),
                           "amount": np.linspace(1, 50, 120)})
    schema = sh.Schema.from_dict({"tables": {
        "customers": {"primary_key": "id"},
        "orders": {"primary_key": "id",
                   "foreign_keys": [{"column": "customer_id", "references": "customers.id"}]}}})
    tables = {"customers": customers, "orders": orders}
    for synth in (sh.RelationalSynthesizer(schema, model=small_tvae(), random_state=0),
                  sh.RelationalSynthesizer(schema, models={"orders": small_tvae()},
                                           random_state=0)):
        out = synth.fit(tables).sample()
        assert isinstance(synth.models_["orders"], sh.TVAE)
        assert out["orders"]["customer_id"].isin(out["customers"]["id"]).all()
