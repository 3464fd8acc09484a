import pytest

from synthohive.relational import RelationalSynthesizer
from tests.relational._models import NearestContextModel, ShuffleCounts
from tests.relational.conftest import read_dataset, subset


@pytest.mark.parametrize(("name", "depth"), [("chinook", 3), ("sakila", 6), ("northwind", 2)])
def test_real_dataset_end_to_end(name, depth, tmp_path):
    schema, tables = read_dataset(name)
    tables = subset(schema, tables, 400)
    assert schema.depth() == depth
    synth = RelationalSynthesizer(schema, model=NearestContextModel(),
                                  cardinality=ShuffleCounts(), random_state=0).fit(tables)
    synthetic = synth.sample(random_state=1)
    for fk in schema.foreign_keys:
        values = synthetic[fk.child_table][fk.column].dropna()
        assert values.isin(synthetic[fk.parent_table][fk.parent_column]).all(), fk.name
    for table, frame in tables.items():
        assert synthetic[table].dtypes.equals(frame.dtypes), table
        assert synthetic[table][schema[table].primary_key].is_unique
    paths = synth.sample(scale=0.5, output_path=tmp_path, random_state=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{t}.parquet" for t in schema.table_names)
    assert set(paths) == set(schema.table_names)
