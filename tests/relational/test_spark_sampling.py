"""Distributed sampling on local Spark: independent of partitioning, zero orphans, outputs."""

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from synthohive.cardinality import EmpiricalCardinality, NegativeBinomialCardinality
from synthohive.connectors._delta import DeltaConnector
from synthohive.connectors._spark import SparkConnector, spark_to_pandas
from synthohive.connectors._spark_types import arrow_to_pandas
from synthohive.exceptions import ConnectorError
from synthohive.relational import RelationalSynthesizer
from synthohive.relational.spark import sample_on_spark
from tests.relational._models import NearestContextModel, ShuffleCounts

pytestmark = pytest.mark.spark


def _fitted(schema, tables):
    return RelationalSynthesizer(schema, model=NearestContextModel(), cardinality=ShuffleCounts(),
                                 random_state=0, chunk_size=97).fit(tables)


def _sorted(tables, schema):
    return {name: frame.sort_values(schema[name].primary_key).reset_index(drop=True)
            for name, frame in tables.items()}


def _read_parquet(folder, synth):
    return _sorted({name: arrow_to_pandas(pq.read_table(folder / f"{name}.parquet"),
                                          synth.dtypes_[name])
                    for name in synth.schema_.table_names}, synth.schema_)


def _assert_no_orphans(schema, tables):
    for fk in schema.foreign_keys:
        values = tables[fk.child_table][fk.column].dropna()
        assert values.isin(tables[fk.parent_table][fk.parent_column]).all(), fk.name


def _same_on_1_and_3_partitions(spark, synth, folder, random_state):
    """Sample to Parquet on 1 partition and lazily on 3; assert equal and joined; return it."""
    schema = synth.schema_
    sample_on_spark(synth, spark, output_path=folder, n_partitions=1, random_state=random_state)
    one = _read_parquet(folder, synth)
    lazy = sample_on_spark(synth, spark, n_partitions=3, random_state=random_state)
    three = _sorted({name: spark_to_pandas(frame) for name, frame in lazy.items()}, schema)
    for name in schema.table_names:
        pd.testing.assert_frame_equal(one[name], three[name])
    _assert_no_orphans(schema, one)
    return one


def test_star_schema_same_output_for_1_and_4_partitions(spark, star, tmp_path):
    schema, tables = star
    synth = _fitted(schema, tables)
    counts = sample_on_spark(synth, spark, output_path=tmp_path, n_partitions=1,
                             random_state=5)
    sample_on_spark(synth, spark, output=DeltaConnector(tmp_path / "delta"), n_partitions=4,
                    random_state=5)
    one = _read_parquet(tmp_path, synth)
    four = _sorted(DeltaConnector(tmp_path / "delta").read_tables(schema.table_names), schema)
    for name in schema.table_names:
        pd.testing.assert_frame_equal(one[name], four[name])
        assert len(one[name]) == counts[name]
        assert one[name][schema[name].primary_key].is_unique
    _assert_no_orphans(schema, one)
    assert one["sales"]["product_id"].isna().any()
    # root tables are the single-machine chunks, seed for seed
    local = _sorted(synth.sample(random_state=5), schema)
    for root in ("stores", "products"):
        pd.testing.assert_frame_equal(one[root], local[root])


def test_table_empty_in_training_stays_empty_on_executors(spark, star, tmp_path):
    schema, tables = star
    synth = _fitted(schema, {**tables, "returns": tables["returns"].iloc[:0]})
    counts = sample_on_spark(synth, spark, output_path=tmp_path, n_partitions=2,
                             random_state=1)
    assert counts["returns"] == 0  # no invented row, as on one machine
    assert len(synth.sample(random_state=1)["returns"]) == 0
    assert min(counts[name] for name in ("stores", "products", "sales")) > 0


def test_chain_to_hive(spark, chain):
    schema, tables = chain
    synth = _fitted(schema, tables)
    hive_db = SparkConnector(spark, database="synthetic_chain")
    counts = synth.sample(engine=spark, output=hive_db, n_partitions=3, random_state=1,
                          scale=2.0)
    hive = _sorted(hive_db.read_tables(schema.table_names), schema)
    _assert_no_orphans(schema, hive)
    assert {name: len(frame) for name, frame in hive.items()} == counts
    assert counts["customers"] == 600
    for name, frame in hive.items():
        assert frame.dtypes.astype(str).to_dict() == synth.dtypes_[name]
    local = _sorted(synth.sample(random_state=1, scale=2.0), schema)
    pd.testing.assert_frame_equal(hive["customers"], local["customers"])


def test_conditional_cardinality_on_executors(spark, chain, tmp_path):
    """Counts conditioned on parent columns get their parents' context on the executors."""
    schema, tables = chain
    synth = RelationalSynthesizer(
        schema, model=NearestContextModel(), random_state=0, chunk_size=97,
        cardinalities={"orders.customer_id": EmpiricalCardinality(conditional_on="segment"),
                       "items.order_id": NegativeBinomialCardinality(covariates="amount")},
    ).fit(tables)
    sample_on_spark(synth, spark, output_path=tmp_path, n_partitions=1, random_state=2,
                    scale=3.0)
    one = _read_parquet(tmp_path, synth)
    with pytest.raises(ConnectorError, match=r"\['customers', 'orders', 'items'\] already exist"):
        sample_on_spark(synth, spark, output_path=tmp_path, random_state=2)
    lazy = sample_on_spark(synth, spark, n_partitions=3, random_state=2, scale=3.0)
    three = _sorted({name: spark_to_pandas(frame) for name, frame in lazy.items()}, schema)
    for name in schema.table_names:
        pd.testing.assert_frame_equal(one[name], three[name])
    _assert_no_orphans(schema, one)
    # real data: pro customers place about 4 orders, retail about 1
    per_customer = one["orders"]["customer_id"].value_counts().reindex(
        one["customers"]["customer_id"], fill_value=0).to_numpy()
    by_segment = pd.Series(per_customer).groupby(one["customers"]["segment"].to_numpy()).mean()
    assert by_segment["pro"] > 2.5 * by_segment["retail"]


def test_copied_parent_columns_on_executors(spark, star, tmp_path):
    """Columns copied from the driving and from a secondary parent survive on Spark."""
    schema, tables = star
    tables = dict(tables)
    stores = tables["stores"].assign(name=[f"Store {i}" for i in range(len(tables["stores"]))])
    sales = tables["sales"].copy()
    by_store = stores.set_index("store_id")
    price = tables["products"].set_index("product_id")["price"]
    sales["store_size"] = by_store["size"].reindex(sales["store_id"]).to_numpy()
    sales["store_name"] = by_store["name"].reindex(sales["store_id"]).to_numpy()
    sales["list_price"] = price.reindex(sales["product_id"]).to_numpy()
    tables.update(stores=stores, sales=sales)
    synth = _fitted(schema, tables)
    assert "name" in synth.plans_["stores"].id_like_columns  # resampled, not learned
    copied = {(r.column, r.parent_table) for r in synth.plans_["sales"].inherited}
    assert copied >= {("store_size", "stores"), ("store_name", "stores"),
                      ("list_price", "products")}
    one = _same_on_1_and_3_partitions(spark, synth, tmp_path, random_state=3)
    out = one["sales"]
    products = one["products"].set_index("product_id")["price"]
    generated = one["stores"].set_index("store_id")
    for column, parent_column in [("store_size", "size"), ("store_name", "name")]:
        expected = generated[parent_column].reindex(out["store_id"]).to_numpy()
        assert (out[column].to_numpy() == expected).all(), column
    linked = out["product_id"].notna().to_numpy()
    np.testing.assert_array_equal(out["list_price"].to_numpy()[linked],
                                  products.reindex(out["product_id"][linked]).to_numpy())


def test_default_models_on_executors(spark, star, tmp_path):
    """The library's default models (copulas and trees here) travel to the executors."""
    from synthohive.models import default_model

    schema, tables = star
    synth = RelationalSynthesizer(schema, random_state=0, chunk_size=97).fit(tables)
    for name, model in synth.models_.items():
        assert type(model) is type(default_model(len(tables[name]))), name
    one = _same_on_1_and_3_partitions(spark, synth, tmp_path, random_state=4)
    for name in schema.table_names:
        assert one[name].dtypes.equals(tables[name][one[name].columns].dtypes), name


def test_ctgan_on_executors_any_partitioning(spark, star, tmp_path):
    """A torch model (tiny CTGAN) samples the same rows on 1 and 3 partitions.

    Root tables equal the single-machine ``sample`` with the same seed, block for block;
    without ``random_state`` every call (Spark or not) draws the synthesizer's next seed.
    """
    from synthohive import CTGAN

    schema, tables = star
    ctgan = CTGAN(epochs=1, batch_size=50, pac=5, embedding_dim=8, generator_dim=(16,),
                  discriminator_dim=(16,), validation_fraction=0.0)
    synth = RelationalSynthesizer(schema, model=ctgan, random_state=0, chunk_size=97).fit(tables)
    one = _same_on_1_and_3_partitions(spark, synth, tmp_path, random_state=6)
    local = _sorted(synth.sample(random_state=6), schema)
    for root in ("stores", "products"):
        assert len(one[root]) > synth.chunk_size  # several blocks
        pd.testing.assert_frame_equal(one[root], local[root])
    first = spark_to_pandas(sample_on_spark(synth, spark, n_partitions=1)["stores"])
    second = spark_to_pandas(sample_on_spark(synth, spark, n_partitions=1)["stores"])
    assert not first.equals(second)


def test_delta_on_object_store_needs_the_jars(spark, chain):
    """Without the Delta jars nothing is generated, and the error says how to add them."""
    schema, tables = chain
    synth = _fitted(schema, tables)
    with pytest.raises(ConnectorError, match=r"nothing was generated.*spark\.jars.*"
                                             r"delta-spark_2\.13.*DeltaCatalog"):
        synth.sample(engine=spark, output_path="s3a://bucket/synthetic", format="delta")
    assert synth.n_sample_calls_ == 0
