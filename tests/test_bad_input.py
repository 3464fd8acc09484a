"""Bad input gets a typed, clear error and loses nothing (SPEC §3, issue 15).

``CASES`` is a battery of bad inputs over the public entry points: each must raise the
named :mod:`synthohive.exceptions` type with a message matching the pattern (which names
the table, column or value at fault). The tests after it check what a failure must leave
behind: an estimator exactly as it was, no temporary files, no overwritten output.
"""

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synthohive as sh
from synthohive.connectors import SQLConnector
from synthohive.connectors.base import Connector
from synthohive.exceptions import (
    ConnectorError,
    DataValidationError,
    NotFittedError,
    SerializationError,
    SynthoHiveError,
)
from synthohive.relational import _writer
from synthohive.utils import _memory

SCHEMA = {"tables": {
    "customers": {"primary_key": "id"},
    "orders": {"primary_key": "order_id",
               "foreign_keys": [{"column": "customer_id", "references": "customers.id"}]},
}}


def _table(n=40):
    return pd.DataFrame({"amount": np.linspace(1.0, 50.0, n), "kind": ["a", "b"] * (n // 2)})


def _tables():
    customers = pd.DataFrame({"id": np.arange(20), "segment": ["x", "y"] * 10})
    orders = pd.DataFrame({"order_id": np.arange(40), "customer_id": np.arange(40) % 20,
                           "total": np.linspace(1.0, 9.0, 40)})
    return {"customers": customers, "orders": orders}


def _ctgan():
    return sh.CTGAN(epochs=1, batch_size=10, pac=1, validation_fraction=0.0, random_state=0)


def _copula():
    return sh.GaussianCopula(random_state=0)


def _synth():
    return sh.RelationalSynthesizer(SCHEMA, model=sh.GaussianCopula(), random_state=0)


def _with(frame, **columns):
    return frame.assign(**columns)


def _renamed(frame, columns):
    out = frame.copy()
    out.columns = columns
    return out


_INF = _with(_table(), amount=np.r_[np.inf, np.linspace(1.0, 50.0, 39)])
_INT_LABELS = _renamed(_table(), [0, 1])
_DUPLICATED = _renamed(_table(), ["a", "a"])
_MULTI = _renamed(_table(), pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")]))


def _fitted_copula_with_context():
    context = pd.DataFrame({"age": np.linspace(20.0, 60.0, 40)})
    return _copula().fit(_table(), context=context)


def _tables_with(table, frame):
    return {**_tables(), table: frame}


def _empty_tables():
    return {name: frame.iloc[:0] for name, frame in _tables().items()}


def _save(model, path):
    model.save(path)


CASES = {
    # Estimator parameters
    "copula random_state='abc'": (lambda: sh.GaussianCopula(random_state="abc").fit(_table()),
                                  DataValidationError, "random_state.*'abc'"),
    "ctgan random_state='abc'": (lambda: sh.CTGAN(random_state="abc").fit(_table()),
                                 DataValidationError, "random_state.*'abc'"),
    "synth random_state='abc'": (
        lambda: sh.RelationalSynthesizer(SCHEMA, random_state="abc").fit(_tables()),
        DataValidationError, "random_state.*'abc'"),
    # Column labels
    "copula integer labels": (lambda: _copula().fit(_INT_LABELS), DataValidationError,
                              r"not strings: \[0, 1\]"),
    "ctgan integer labels": (lambda: _ctgan().fit(_INT_LABELS), DataValidationError,
                             r"not strings: \[0, 1\]"),
    "copula duplicated labels": (lambda: _copula().fit(_DUPLICATED), DataValidationError,
                                 r"duplicated column names \['a'\]"),
    "copula MultiIndex": (lambda: _copula().fit(_MULTI), DataValidationError, "MultiIndex"),
    "transformer MultiIndex": (lambda: sh.DataTransformer().fit(_MULTI), DataValidationError,
                               r"\('a', 'x'\)"),
    "synth integer labels": (
        lambda: _synth().fit(_tables_with("customers", _renamed(_tables()["customers"],
                                                                 ["id", 0]))),
        DataValidationError, r"Table 'customers'.*not strings: \[0\]"),
    "synth duplicated labels": (
        lambda: _synth().fit(_tables_with("customers", _renamed(_tables()["customers"],
                                                                 ["id", "id"]))),
        DataValidationError, r"Table 'customers' has duplicated column names \['id'\]"),
    # Names SynthoHive uses itself
    **{f"copula column {name}": (lambda name=name: _copula().fit(_renamed(_table(),
                                                                          [name, "kind"])),
                                 DataValidationError, f"'{name}'.*reserved")
       for name in ("__null__", "__object__", "__ndarray__")},
    "transformer column __null__": (
        lambda: sh.DataTransformer().fit(_renamed(_table(), ["__null__", "kind"])),
        DataValidationError, "'__null__'.*reserved"),
    # Values
    "copula infinite value": (lambda: _copula().fit(_INF), DataValidationError,
                              "'amount'.*infinite"),
    "copula text in a numeric context column": (
        lambda: _fitted_copula_with_context().sample(context=pd.DataFrame({"age": ["old"]})),
        DataValidationError, "'age'.*'old'"),
    "copula n_samples=10**10": (lambda: _copula().fit(_table()).sample(10**10),
                                DataValidationError, "10,000,000,000 rows.*GiB"),
    # Tables
    "synth table given as None": (lambda: _synth().fit(_tables_with("orders", None)),
                                  DataValidationError, "Table 'orders'.*NoneType"),
    "synth empty parent and child": (lambda: _synth().fit(_empty_tables()),
                                     DataValidationError, "'customers' has no rows"),
    "evaluate empty real table": (lambda: sh.metrics.evaluate(_table().iloc[:0], _table()),
                                  DataValidationError, "no rows"),
    "evaluate empty real table in a dict": (
        lambda: sh.metrics.evaluate(_tables_with("orders", _tables()["orders"].iloc[:0]),
                                    _tables()),
        DataValidationError, "'orders' has no rows"),
    # Connections
    "URL with a non-numeric port": (lambda: SQLConnector("postgresql://u:pw@host:abc/db"),
                                    ConnectorError, "port"),
    "URL with an unescaped @ in the password": (
        lambda: SQLConnector("postgresql://user:se@cret@localhost:5432/db"),
        ConnectorError, "%40"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_raises_a_typed_clear_error(case):
    call, error, pattern = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=pattern) as info:
            call()
    assert isinstance(info.value, SynthoHiveError)


def test_unescaped_at_in_password_never_reaches_the_message():
    with pytest.raises(ConnectorError) as info:
        SQLConnector("postgresql://user:se@cret@localhost:5432/db")
    assert "cret" not in str(info.value)
    assert info.value.__cause__ is None


# ----------------------------------------------------- a failed fit changes nothing


@pytest.mark.parametrize("make", [_copula, _ctgan], ids=["copula", "ctgan"])
def test_failed_first_fit_leaves_the_model_unfitted(make):
    model = make()
    with pytest.raises(DataValidationError):
        model.fit(_INF)
    assert model.__dict__ == make().__dict__
    with pytest.raises(NotFittedError):
        model.sample(3)


def test_failed_refit_keeps_the_previous_copula_whole():
    model = _copula().fit(_table())
    before = dict(model.__dict__)
    with pytest.raises(DataValidationError):
        model.fit(pd.concat([_INF] * 3, ignore_index=True))
    assert model.__dict__ == before
    assert model.n_rows_ == 40


def test_failed_refit_keeps_the_transformer_feature_names():
    transformer = sh.DataTransformer(random_state=0).fit(_table())
    with pytest.raises(DataValidationError):
        transformer.fit(pd.DataFrame({"z": [np.inf, 1.0]}))
    assert list(transformer.feature_names_in_) == ["amount", "kind"]
    assert transformer.transform(_table()).shape[1] == transformer.output_dim_


def test_failed_fit_of_a_cardinality_estimator_changes_nothing():
    estimator = sh.EmpiricalCardinality().fit(np.array([0, 1, 2]))
    before = dict(estimator.__dict__)
    with pytest.raises(DataValidationError):
        estimator.fit(np.array([1, -1]))
    assert estimator.__dict__.keys() == before.keys()
    assert all(estimator.__dict__[k] is v for k, v in before.items())


def test_failed_refit_of_the_synthesizer_keeps_the_previous_model():
    synth = _synth().fit(_tables())
    before = dict(synth.__dict__)
    with pytest.raises(DataValidationError):
        synth.fit(_tables_with("orders", None))
    assert synth.__dict__ == before


# ---------------------------------------------------------------- wide and big data


def test_high_cardinality_text_is_pooled_with_a_warning():
    rng = np.random.default_rng(0)
    values = np.array([f"v{i}" for i in range(5000)] + [f"v{i}" for i in rng.integers(0, 50, 1000)])
    frame = pd.DataFrame({"text": values})
    with pytest.warns(UserWarning, match="'text' has 5000 distinct values"):
        transformer = sh.DataTransformer(category_cap=100, random_state=0).fit(frame)
    assert transformer.output_dim_ == 100
    back = transformer.inverse_transform(transformer.transform(frame))
    assert back["text"].isin(values).all()
    counts = pd.Series(values).value_counts()
    frequent = counts[counts > 1].index  # 50 values, all among the 99 kept
    assert (back["text"] == frame["text"])[frame["text"].isin(frequent)].all()
    assert transformer.get_feature_names_out()[-1] == "text=<other>"


def test_50000_value_text_column_on_60000_rows_stays_narrow():
    rng = np.random.default_rng(1)
    codes = np.concatenate([np.arange(50_000), rng.integers(0, 50_000, 10_000)])
    frame = pd.DataFrame({"text": np.char.add("v", codes.astype(str)).astype(object)})
    with pytest.warns(UserWarning, match="50000 distinct values"):
        transformer = sh.DataTransformer(random_state=0).fit(frame)
    assert transformer.output_dim_ == 1000
    assert transformer.transform(frame).shape == (60_000, 1000)


def test_transform_refuses_a_matrix_larger_than_memory(monkeypatch):
    transformer = sh.DataTransformer(random_state=0).fit(_table())
    monkeypatch.setattr(_memory, "available_memory", lambda: 1000)
    with pytest.raises(DataValidationError, match="DataTransformer.transform of 40 rows"):
        transformer.transform(_table())


def test_integers_beyond_2_53_round_trip_exactly():
    ids = pd.DataFrame({"id": (2**62 + 7 * np.arange(200)).astype(np.int64)})
    transformer = sh.DataTransformer(random_state=0).fit(ids)
    back = transformer.inverse_transform(transformer.transform(ids))
    pd.testing.assert_frame_equal(back, ids)


# -------------------------------------------------------------------------- tables


def test_empty_child_table_stays_empty():
    synth = _synth().fit(_tables_with("orders", _tables()["orders"].iloc[:0]))
    sample = synth.sample()
    assert len(sample["customers"]) == 20
    assert len(sample["orders"]) == 0
    assert list(sample["orders"].columns) == ["order_id", "customer_id", "total"]


def test_date_column_named_like_an_offset_column_fits_and_samples():
    days = pd.to_datetime("2024-01-01") + pd.to_timedelta(np.arange(40) * 3, unit="D")
    orders = _tables()["orders"].assign(
        ordered=days, shipped=days + pd.Timedelta(days=2), shipped__offset=np.arange(40.0))
    synth = _synth().fit(_tables_with("orders", orders))
    assert list(synth.sample()["orders"].columns) == list(orders.columns)


# -------------------------------------------------------------------------- output


@pytest.fixture
def fitted_synth():
    return _synth().fit(_tables())


def test_output_path_that_is_a_file(fitted_synth, tmp_path):
    target = tmp_path / "a_file"
    target.write_text("keep me")
    with pytest.raises(DataValidationError, match="is a file"):
        fitted_synth.sample(output_path=target)
    assert target.read_text() == "keep me"


def test_existing_output_is_kept_unless_replaced(fitted_synth, tmp_path):
    (tmp_path / "customers.csv").write_text("mine")
    with pytest.raises(DataValidationError, match="customers.csv.*if_exists='replace'"):
        fitted_synth.sample(output_path=tmp_path, format="csv")
    assert (tmp_path / "customers.csv").read_text() == "mine"
    assert not (tmp_path / "orders.csv").exists()
    fitted_synth.sample(output_path=tmp_path, format="csv", if_exists="replace")
    assert len(pd.read_csv(tmp_path / "customers.csv")) == 20


def test_failed_rename_leaves_no_temporary_file(fitted_synth, tmp_path, monkeypatch):
    def refuse(source, target):
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(_writer.os, "replace", refuse)
    with pytest.raises(ConnectorError, match="customers.parquet"):
        fitted_synth.sample(output_path=tmp_path)
    assert os.listdir(tmp_path) == []


class _FailingConnector(Connector):
    """Keeps written tables in memory; refuses to write ``fail_on``."""

    def __init__(self, fail_on):
        self.fail_on = fail_on
        self.tables = {}

    def list_tables(self):
        return list(self.tables)

    def read_table(self, name):
        return self.tables[name]

    def write_table(self, name, df, if_exists="fail"):
        if name == self.fail_on:
            raise ConnectorError(f"disk full while writing {name!r}")
        self.tables[name] = df


def test_failed_multi_table_write_says_what_was_written(fitted_synth):
    connector = _FailingConnector("orders")
    with pytest.raises(ConnectorError, match="disk full") as info:
        fitted_synth.sample(output=connector)
    assert list(connector.tables) == ["customers"]
    assert any("['customers'] were written" in note for note in info.value.__notes__)


def test_sql_output_is_all_or_nothing(fitted_synth, tmp_path):
    connector = SQLConnector(f"sqlite:///{tmp_path / 'out.db'}")
    connector.write_table("orders", pd.DataFrame({"stale": [1]}))
    with pytest.raises(ConnectorError, match="'orders' already exists"):
        fitted_synth.sample(output=connector)
    assert connector.list_tables() == ["orders"]
    assert fitted_synth.sample(output=connector, if_exists="replace") == {
        "customers": 20, "orders": 40}
    assert list(connector.read_table("orders").columns) == ["order_id", "customer_id", "total"]
    connector.close()


class _Overshoot(sh.ConditionalGenerativeModel):
    """Generates totals up to twice the training maximum, so the child breaks its bound."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def _fit(self, X, context):
        self.high_ = float(X["total"].max()) if "total" in X else None

    def _sample(self, n_samples, context, seed):
        if self.high_ is None:
            return pd.DataFrame({"segment": ["x"] * n_samples})
        return pd.DataFrame({"total": np.linspace(0.0, 2 * self.high_, n_samples)})


def test_generation_failure_writes_nothing():
    schema = {"tables": {**SCHEMA["tables"], "orders": {
        **SCHEMA["tables"]["orders"], "constraints": {"total": {"max": 9}}}}}
    synth = sh.RelationalSynthesizer(schema, model=_Overshoot(), random_state=0).fit(_tables())
    connector = _FailingConnector(None)
    with pytest.raises(sh.exceptions.ConstraintViolationError, match="orders.total"):
        synth.sample(output=connector)
    assert connector.tables == {}


# -------------------------------------------------------------------------- artifacts


def test_artifact_errors_name_the_file(tmp_path):
    garbage = tmp_path / "garbage.shm"
    garbage.write_bytes(b"not an artifact")
    with pytest.raises(SerializationError, match="garbage.shm"):
        sh.GaussianCopula.load(garbage)
    with pytest.raises(SerializationError, match="missing.shm"):
        sh.GaussianCopula.load(tmp_path / "missing.shm")


def test_save_into_a_file_names_the_path(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    with pytest.raises(SerializationError, match=str(Path("blocker") / "model.shm")):
        _copula().fit(_table()).save(blocker / "model.shm")
