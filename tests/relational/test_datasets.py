import pytest

from synthohive.relational import RelationalSynthesizer
from tests.relational._models import NearestContextModel, ShuffleCounts
from tests.relational.conftest import read_dataset, subset


def _assert_joins_with_input_dtypes(schema, tables, synthetic):
    """Every foreign key joins, primary keys are unique, dtypes are the input's."""
    for fk in schema.foreign_keys:
        values = synthetic[fk.child_table][fk.column].dropna()
        assert values.isin(synthetic[fk.parent_table][fk.parent_column]).all(), fk.name
    for table, frame in tables.items():
        assert synthetic[table].dtypes.equals(frame.dtypes), table
        assert synthetic[table][schema[table].primary_key].is_unique, table


@pytest.mark.parametrize(("name", "depth"), [("chinook", 3), ("sakila", 6), ("northwind", 2)])
def test_real_dataset_end_to_end(name, depth, tmp_path):
    schema, tables = read_dataset(name)
    tables = subset(schema, tables, 400)
    assert schema.depth() == depth
    synth = RelationalSynthesizer(schema, model=NearestContextModel(),
                                  cardinality=ShuffleCounts(), random_state=0).fit(tables)
    synthetic = synth.sample(random_state=1)
    _assert_joins_with_input_dtypes(schema, tables, synthetic)
    paths = synth.sample(scale=0.5, output_path=tmp_path, random_state=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{t}.parquet" for t in schema.table_names)
    assert set(paths) == set(schema.table_names)


def test_default_model_depends_on_table_size():
    from synthohive.models import default_model
    from synthohive.models.copula import GaussianCopula
    from synthohive.models.trees import TreeSynthesizer

    assert isinstance(default_model(199), GaussianCopula)
    assert isinstance(default_model(200), TreeSynthesizer)
    assert isinstance(default_model(), TreeSynthesizer)
    assert default_model(10) is not default_model(10)


def test_default_models_on_full_sakila(tmp_path):
    from synthohive.models import default_model

    schema, tables = read_dataset("sakila")
    synth = RelationalSynthesizer(schema, random_state=0).fit(tables)
    assert synth.models_
    for name, model in synth.models_.items():
        assert type(model) is type(default_model(len(tables[name]))), name
    synthetic = synth.sample(random_state=2)
    _assert_joins_with_input_dtypes(schema, tables, synthetic)
    for table, frame in tables.items():
        assert len(synthetic[table]) == len(frame) or schema.parents(table), table
    real_null = tables["payment"]["rental_id"].isna().sum()
    assert synthetic["payment"]["rental_id"].isna().sum() == real_null
    synth.save(tmp_path / "sakila.shm")
    again = RelationalSynthesizer.load(tmp_path / "sakila.shm").sample(random_state=2)
    for table, frame in synthetic.items():
        assert frame.equals(again[table]), table


def test_ctgan_end_to_end_on_chinook(tmp_path):
    from synthohive.models.ctgan import CTGAN

    schema, tables = read_dataset("chinook")
    tables = subset(schema, tables, 120)
    model = CTGAN(epochs=1, batch_size=50, pac=5, embedding_dim=16, generator_dim=(32,),
                  discriminator_dim=(32,), device="cpu")
    synth = RelationalSynthesizer(schema, model=model, random_state=0).fit(tables)
    assert all(isinstance(m, CTGAN) for m in synth.models_.values())
    synth.save(tmp_path / "chinook.shm")
    loaded = RelationalSynthesizer.load(tmp_path / "chinook.shm")
    first, second = synth.sample(random_state=3), loaded.sample(random_state=3)
    _assert_joins_with_input_dtypes(schema, tables, first)
    for name in tables:
        assert first[name].equals(second[name]), name


def test_default_output_holds_no_real_person_name_inside_any_text():
    import re

    schema, tables = read_dataset("northwind")
    synthetic = RelationalSynthesizer(schema, random_state=0).fit(tables).sample(random_state=1)
    words = re.compile(r"[^\W\d_]+")
    names = {w.lower() for column in ("first_name", "last_name")
             for w in tables["employees"][column]} | {
        w.lower() for v in tables["customers"]["contact_name"] for w in words.findall(v)}
    places = {w.lower() for frame in tables.values() for column in frame.columns
              if column.split("_")[-1] in ("city", "region", "description", "unit")
              for v in frame[column].dropna() for w in words.findall(str(v))}
    # Place names ("Victoria", "Francisco") are no leak, nor a fake's short chance word.
    names = {n for n in names if len(n) >= 5} - places
    found = {(table, column): sorted(names & {w.lower() for v in frame[column].dropna()
                                              for w in words.findall(str(v))})
             for table, frame in synthetic.items()
             for column in frame.columns if frame[column].dtype == object}
    assert not {k: v for k, v in found.items() if v}
