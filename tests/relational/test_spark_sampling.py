"""Distributed sampling on local Spark: independent of partitioning, zero orphans, outputs."""

import pandas as pd
import pyarrow.parquet as pq
import pytest

from synthohive.connectors._delta import DeltaConnector
from synthohive.connectors._spark import SparkConnector
from synthohive.connectors._spark_types import arrow_to_pandas
from synthohive.relational import RelationalSynthesizer
from synthohive.relational._spark import sample_on_spark
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
