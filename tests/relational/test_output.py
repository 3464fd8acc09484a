import pandas as pd
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from synthohive.connectors.base import Connector
from synthohive.exceptions import DataValidationError
from synthohive.relational import RelationalSynthesizer
from tests.relational._models import NearestContextModel, ShuffleCounts


def _fitted(schema, tables, **params):
    return RelationalSynthesizer(schema, model=NearestContextModel(),
                                 cardinality=ShuffleCounts(), random_state=0,
                                 **params).fit(tables)


@pytest.mark.parametrize("file_format", ["parquet", "csv"])
def test_streamed_files_equal_the_in_memory_result(star, tmp_path, file_format):
    schema, tables = star
    synth = _fitted(schema, tables, chunk_size=300)
    in_memory = synth.sample(random_state=4)
    paths = synth.sample(output_path=tmp_path, format=file_format, random_state=4)
    assert set(paths) == set(tables)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{name}.{file_format}" for name in tables)  # no temporary file is left
    for name, path in paths.items():
        assert path == tmp_path / f"{name}.{file_format}"
        if file_format == "parquet":
            frame = pq.read_table(path).to_pandas()
        else:
            options = pa_csv.ConvertOptions(strings_can_be_null=True)
            frame = pa_csv.read_csv(path, convert_options=options).to_pandas()
        expected = in_memory[name]
        if file_format == "csv":
            frame = frame.astype({c: str(t) for c, t in expected.dtypes.items()
                                  if str(t) != "object"})
        pd.testing.assert_frame_equal(frame, expected, check_dtype=file_format == "parquet")


def test_failure_while_streaming_leaves_no_table_file(star, tmp_path, monkeypatch):
    schema, tables = star
    synth = _fitted(schema, tables, chunk_size=200)

    def broken(*args, **kwargs):
        raise DataValidationError("model exploded")

    monkeypatch.setattr(synth.models_["sales"], "sample", broken)
    with pytest.raises(DataValidationError, match="exploded"):
        synth.sample(output_path=tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["products.parquet", "stores.parquet"]


class _MemoryConnector(Connector):
    def __init__(self):
        self.written = []

    def list_tables(self):
        return [name for name, _ in self.written]

    def read_table(self, name):
        return dict(self.written)[name]

    def write_table(self, name, df, if_exists="fail"):
        self.written.append((name, df))


def test_fit_from_and_sample_to_a_connector(chain):
    schema, tables = chain
    source = _MemoryConnector()
    for name, frame in tables.items():
        source.write_table(name, frame)
    synth = _fitted(schema, source)
    sink = _MemoryConnector()
    counts = synth.sample(output=sink, random_state=1)
    assert [name for name, _ in sink.written] == schema.topological_order()
    expected = synth.sample(random_state=1)
    for name, frame in sink.written:
        assert counts[name] == len(frame)
        pd.testing.assert_frame_equal(frame, expected[name])
