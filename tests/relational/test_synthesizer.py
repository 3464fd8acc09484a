import joblib
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.base import clone

from synthohive.exceptions import (
    DataValidationError,
    NotFittedError,
    SchemaValidationError,
    SynthoHiveError,
)
from synthohive.relational import RelationalSynthesizer
from synthohive.schema import Schema
from tests.relational._models import NearestContextModel, ShuffleCounts


def _synth(schema, **params):
    params = {"model": NearestContextModel(), "cardinality": ShuffleCounts(),
              "random_state": 0, **params}
    return RelationalSynthesizer(schema, **params)


def _counts(child, column, parent, key):
    return child[column].value_counts().reindex(parent[key], fill_value=0).to_numpy()


def _assert_joins(schema, synthetic):
    for fk in schema.foreign_keys:
        values = synthetic[fk.child_table][fk.column].dropna()
        assert values.isin(synthetic[fk.parent_table][fk.parent_column]).all(), fk.name
    for name, spec in schema.tables.items():
        if spec.primary_key is not None:
            assert synthetic[name][spec.primary_key].is_unique


def test_three_table_chain_has_zero_orphans_and_input_dtypes(chain):
    schema, tables = chain
    synthetic = _synth(schema).fit(tables).sample()
    _assert_joins(schema, synthetic)
    for name, frame in tables.items():
        assert list(synthetic[name].columns) == list(frame.columns)
        assert synthetic[name].dtypes.equals(frame.dtypes), name
    assert synthetic["customers"]["customer_id"].tolist() == list(range(1, 301))
    assert synthetic["items"]["item_id"].iloc[0] == "items_1"


def test_child_keeps_association_with_parent_attributes(chain):
    schema, tables = chain
    synthetic = _synth(schema).fit(tables).sample(random_state=3)
    joined = synthetic["orders"].merge(synthetic["customers"], on="customer_id")
    means = joined.groupby("segment")["amount"].mean()
    assert means["pro"] > 5 * means["retail"]


def test_two_parent_table_reproduces_each_parent_and_its_counts(star):
    schema, tables = star
    synth = _synth(schema).fit(tables)
    assert synth.plans_["sales"].driving.column == "store_id"
    synthetic = synth.sample(random_state=5)
    _assert_joins(schema, synthetic)
    real_sales, fake_sales = tables["sales"], synthetic["sales"]
    for parent, key in (("stores", "store_id"), ("products", "product_id")):
        real = _counts(real_sales, key, tables[parent], key)
        fake = _counts(fake_sales, key, synthetic[parent], key)
        assert stats.ks_2samp(real, fake).statistic < 0.1, parent
        assert (fake == 0).any()  # childless parents are generated
        assert abs((fake == 0).mean() - (real == 0).mean()) < 0.07
        assert (fake > 0).any()
    # null rate of the nullable foreign key
    assert fake_sales["product_id"].isna().mean() == pytest.approx(
        real_sales["product_id"].isna().mean(), abs=0.01)
    # association of the child with the driving parent ...
    joined = fake_sales.merge(synthetic["stores"], on="store_id")
    assert joined.groupby("size")["qty"].mean()["large"] > 8
    assert joined.groupby("size")["qty"].mean()["small"] < 6
    # ... and with the secondary parent
    joined = fake_sales.merge(synthetic["products"], on="product_id")
    assert np.corrcoef(joined["paid"], joined["price"])[0, 1] > 0.8
    # dropped column is neither learned nor generated
    assert "note" not in synthetic["products"].columns
    assert list(synthetic["returns"].columns) == ["return_id", "sale_id", "reason"]


def test_scale_multiplies_every_table(star):
    schema, tables = star
    synthetic = _synth(schema).fit(tables).sample(scale=2.0, random_state=0)
    for name, frame in tables.items():
        assert len(synthetic[name]) == pytest.approx(2 * len(frame), rel=0.15), name
    _assert_joins(schema, synthetic)


def test_custom_model_and_per_table_overrides_are_cloned_and_seeded(star):
    schema, tables = star
    override = NearestContextModel(n_neighbors=1)
    synth = _synth(schema, models={"sales": override}, random_state=11).fit(tables)
    assert set(synth.models_) == {"stores", "products", "sales", "returns"}
    assert synth.models_["sales"] is not override
    assert synth.models_["sales"].n_neighbors == 1
    assert synth.models_["stores"].n_neighbors == 3
    assert not hasattr(override, "columns_")
    seeds = {name: m.random_state for name, m in synth.models_.items()}
    assert len(set(seeds.values())) == 4
    # a table's seed does not depend on the other tables
    other = _synth(Schema.from_dict({"tables": {"stores": {"primary_key": "store_id"}}}),
                   random_state=11).fit({"stores": tables["stores"]})
    assert other.models_["stores"].random_state == seeds["stores"]
    assert set(synth.cardinality_) == {"sales.store_id", "sales.product_id", "returns.sale_id"}


def test_sklearn_params_and_clone(chain):
    schema, _ = chain
    synth = _synth(schema, random_state=4)
    params = synth.get_params()
    assert params["model__n_neighbors"] == 3
    assert params["random_state"] == 4
    synth.set_params(model__n_neighbors=5)
    twin = clone(synth)
    assert twin.model.n_neighbors == 5
    assert twin.schema == schema


def test_same_seed_same_output_and_calls_are_reproducible(chain):
    schema, tables = chain
    first = _synth(schema, random_state=1).fit(tables)
    second = _synth(schema, random_state=1).fit(tables)
    a, b = first.sample(), second.sample()
    for name in tables:
        pd.testing.assert_frame_equal(a[name], b[name])
    again = first.sample()
    assert not again["orders"].equals(a["orders"])
    pd.testing.assert_frame_equal(first.sample(random_state=9)["items"],
                                  second.sample(random_state=9)["items"])


def test_chunked_generation_keeps_integrity(star):
    schema, tables = star
    synthetic = _synth(schema, chunk_size=97).fit(tables).sample(random_state=2)
    _assert_joins(schema, synthetic)
    assert len(synthetic["sales"]) > 97


def test_id_like_columns_are_resampled_not_learned():
    rng = np.random.default_rng(0)
    people = pd.DataFrame({
        "person_id": np.arange(1, 201),
        "email": [f"user{i}@example.com" for i in range(200)],
        "badge": rng.integers(0, 10**6, size=200),
        "score": rng.normal(size=200),
    })
    schema = Schema.from_dict({"tables": {"people": {
        "primary_key": "person_id", "columns": {"badge": {"role": "id"}}}}})
    synth = _synth(schema).fit({"people": people})
    plan = synth.plans_["people"]
    assert plan.id_like_columns == ("email", "badge")
    assert plan.model_columns == ("score",)
    fake = synth.sample()["people"]
    # personal and id values are fakes in the column's format, never the real ones
    assert not fake["email"].isin(people["email"]).any()
    assert fake["email"].str.fullmatch(r"[a-z0-9]+@[a-z]+\.com").all()
    assert fake["email"].is_unique
    assert synth.privacy_["people.email"]["kind"] == "email"
    assert not fake["badge"].isin(people["badge"]).any()
    assert fake["badge"].dtype == people["badge"].dtype


def test_joblib_round_trip(chain, tmp_path):
    schema, tables = chain
    synth = _synth(schema).fit(tables)
    joblib.dump(synth, tmp_path / "synth.joblib")
    loaded = joblib.load(tmp_path / "synth.joblib")
    pd.testing.assert_frame_equal(loaded.sample(random_state=2)["items"],
                                  synth.sample(random_state=2)["items"])


def test_save_load_round_trip_in_process(star, tmp_path):
    schema, tables = star
    synth = _synth(schema).fit(tables)
    synth.save(tmp_path / "synth.shm")
    loaded = RelationalSynthesizer.load(tmp_path / "synth.shm")
    assert loaded.model is None
    a, b = synth.sample(random_state=8), loaded.sample(random_state=8)
    for name in tables:
        pd.testing.assert_frame_equal(a[name], b[name])


# ---------------------------------------------------------------- bad input

def test_sample_and_save_before_fit_raise(chain, tmp_path):
    schema, _ = chain
    with pytest.raises(NotFittedError, match="fit"):
        _synth(schema).sample()
    with pytest.raises(NotFittedError):
        _synth(schema).save(tmp_path / "x.shm")


@pytest.mark.parametrize("scale", [0, -1.0, float("nan"), "2", True])
def test_bad_scale(chain, scale):
    schema, tables = chain
    synth = _synth(schema).fit({k: v.head(50) for k, v in tables.items()} | {
        "orders": tables["orders"][tables["orders"]["customer_id"] <= 50],
        "items": tables["items"][tables["items"]["order_id"].isin(
            tables["orders"].loc[tables["orders"]["customer_id"] <= 50, "order_id"])]})
    with pytest.raises(DataValidationError, match="scale"):
        synth.sample(scale=scale)


def test_unknown_table_in_models(chain):
    schema, tables = chain
    with pytest.raises(SchemaValidationError, match="invoices"):
        _synth(schema, models={"invoices": NearestContextModel()}).fit(tables)


def test_model_that_is_not_a_generative_model(chain):
    schema, tables = chain
    with pytest.raises(DataValidationError, match="ConditionalGenerativeModel"):
        _synth(schema, model=ShuffleCounts()).fit(tables)


def test_tables_not_matching_the_schema_lists_every_problem(chain):
    schema, tables = chain
    wrong = {"customers": tables["customers"], "orders": tables["orders"],
             "extra": tables["items"]}
    with pytest.raises(SchemaValidationError) as error:
        _synth(schema).fit(wrong)
    assert len(error.value.problems) == 2
    assert "'items'" in str(error.value)
    assert "'extra'" in str(error.value)
    with pytest.raises(DataValidationError, match="dict"):
        _synth(schema).fit([tables["customers"]])


def test_bad_output_options(chain, tmp_path):
    schema, tables = chain
    synth = _synth(schema).fit(tables)
    with pytest.raises(DataValidationError, match="format"):
        synth.sample(output_path=tmp_path, format="xlsx")
    with pytest.raises(DataValidationError, match="not both"):
        synth.sample(output_path=tmp_path, output=object())
    with pytest.raises(DataValidationError, match="Connector"):
        synth.sample(output=object())


def test_foreign_key_must_reference_the_parent_primary_key(chain):
    _, tables = chain
    schema = Schema.from_dict({"tables": {
        "customers": {"primary_key": "customer_id"},
        "orders": {"primary_key": "order_id", "foreign_keys": [
            {"column": "customer_id", "references": "customers.age"}]},
        "items": {"primary_key": "item_id"}}})
    with pytest.raises(SchemaValidationError, match="primary key"):
        _synth(schema).fit(tables)


def test_every_error_is_a_synthohive_error(chain):
    schema, _ = chain
    with pytest.raises(SynthoHiveError):
        RelationalSynthesizer(42).fit({})


def test_default_cardinality_and_conditional_counts(chain):
    from synthohive.cardinality import EmpiricalCardinality

    schema, tables = chain
    synth = _synth(schema, cardinality=None, cardinalities={
        "orders.customer_id": EmpiricalCardinality(conditional_on="segment")}).fit(tables)
    assert isinstance(synth.cardinality_["items.order_id"], EmpiricalCardinality)
    assert synth.cardinality_["orders.customer_id"].conditional_on == "segment"
    synthetic = synth.sample(random_state=3)
    _assert_joins(schema, synthetic)
    counts = _counts(synthetic["orders"], "customer_id", synthetic["customers"], "customer_id")
    pro = (synthetic["customers"]["segment"] == "pro").to_numpy()
    assert counts[pro].mean() > 2.5 * counts[~pro].mean()
    real = _counts(tables["orders"], "customer_id", tables["customers"], "customer_id")
    assert stats.ks_2samp(real, counts).statistic < 0.1
    assert (counts == 0).any()


def test_unknown_relation_in_cardinalities(chain):
    schema, tables = chain
    with pytest.raises(SchemaValidationError, match="orders.client_id"):
        _synth(schema, cardinalities={"orders.client_id": ShuffleCounts()}).fit(tables)


def test_fit_lists_every_problem_of_the_tables(chain):
    schema, tables = chain
    customers = tables["customers"].copy()
    customers.loc[1, "customer_id"] = customers.loc[0, "customer_id"]  # duplicate key
    orders = tables["orders"].copy()
    orders.loc[0, "customer_id"] = 9999  # orphan
    items = tables["items"].drop(columns="order_id")  # missing foreign key column
    with pytest.raises(SchemaValidationError) as error:
        _synth(schema).fit({"customers": customers, "orders": orders, "items": items})
    assert len(error.value.problems) >= 3
    text = str(error.value)
    assert "customer_id" in text
    assert "9999" in text
    assert "order_id" in text


def test_quality_report_and_gate(star, tmp_path):
    from synthohive.exceptions import QualityGateError

    schema, tables = star
    synth = _synth(schema).fit(tables)
    synth.sample(random_state=1, quality_threshold=0.5)
    details = synth.last_quality_.details
    assert {"stores", "products", "sales", "returns"} <= set(details["table"])
    synth.save(tmp_path / "synth.shm")
    loaded = RelationalSynthesizer.load(tmp_path / "synth.shm")
    with pytest.raises(QualityGateError) as error:
        loaded.sample(random_state=1, quality_threshold={"stores": 0.5, "*": 0.0},
                      output_path=tmp_path / "out")
    assert "products." in str(error.value)
    assert "stores." not in str(error.value)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["stores.parquet"]


def test_quality_gate_zero_threshold_and_unknown_keys(chain):
    from synthohive.exceptions import QualityGateError

    schema, tables = chain
    synth = _synth(schema).fit(tables)
    with pytest.raises(QualityGateError, match="customers"):
        synth.sample(quality_threshold=0.0)
    with pytest.raises(DataValidationError, match="nowhere"):
        synth.sample(quality_threshold={"nowhere.amount": 0.1})


class _Broken(NearestContextModel):
    def _fit(self, X, context):
        raise ZeroDivisionError("boom")


def test_model_failure_is_typed_and_names_the_table(chain):
    from synthohive.exceptions import TrainingError

    schema, tables = chain
    with pytest.raises(TrainingError, match="'orders'"):
        _synth(schema, models={"orders": _Broken()}).fit(tables)
