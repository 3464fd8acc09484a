"""CSV and Parquet connectors (CONN-03)."""

import json

import pandas as pd
import pytest

from synthohive.connectors import CSVConnector, ParquetConnector
from synthohive.exceptions import ConnectorError
from tests.connectors.contract import ConnectorContract, sample_frame, sorted_by_id


class TestCSVContract(ConnectorContract):
    @pytest.fixture
    def connector(self, tmp_path):
        return CSVConnector(tmp_path / "csv")


class TestParquetContract(ConnectorContract):
    @pytest.fixture
    def connector(self, tmp_path):
        return ParquetConnector(tmp_path / "parquet")


def test_csv_writes_a_dtype_sidecar_and_keeps_empty_strings_apart_from_missing(tmp_path):
    con = CSVConnector(tmp_path)
    df = pd.DataFrame({"id": [1, 2, 3], "s": pd.array(["", None, "NA"], dtype="string")})
    con.write_table("t", df)
    sidecar = json.loads((tmp_path / "t.dtypes.json").read_text())
    assert sidecar["dtypes"] == {"id": "int64", "s": "string"}
    back = con.read_table("t")
    assert back["s"].tolist()[0] == ""
    assert back["s"].isna().tolist() == [False, True, False]
    assert back["s"].tolist()[2] == "NA"


def test_csv_keeps_object_category_and_time_zone_dtypes(tmp_path):
    con = CSVConnector(tmp_path)
    df = pd.DataFrame({
        "o": pd.Series(["a", None], dtype=object),
        "c": pd.Categorical(["x", "y"]),
        "tz": pd.to_datetime(["2020-01-01 10:00", "2021-06-01 12:30"]).tz_localize("Europe/Paris"),
        "i32": pd.Series([1, 2], dtype="int32"),
    })
    con.write_table("t", df)
    back = con.read_table("t")
    pd.testing.assert_frame_equal(back, df)


def test_csv_without_sidecar_uses_the_dataset_dtypes_json(tmp_path):
    (tmp_path / "album.csv").write_text("album_id,title,released\n1,A,2001-02-03\n2,,\n")
    (tmp_path / "dtypes.json").write_text(json.dumps(
        {"album": {"album_id": "int", "title": "string", "released": "date"}}))
    back = CSVConnector(tmp_path).read_table("album")
    assert back.dtypes.astype(str).to_dict() == {
        "album_id": "int64", "title": "string", "released": "datetime64[ns]"}
    assert back["title"].isna().tolist() == [False, True]


def test_csv_without_any_dtypes_infers_nullable_only_where_needed(tmp_path):
    (tmp_path / "t.csv").write_text("a,b,c\n1,true,x\n,false,y\n")
    back = CSVConnector(tmp_path).read_table("t")
    assert back.dtypes.astype(str).to_dict() == {"a": "Int64", "b": "bool", "c": "string"}


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    con = ParquetConnector(tmp_path)
    con.write_table("t", sample_frame())

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    with pytest.raises(ConnectorError, match="disk full"):
        con.write_table("t", sample_frame(2), if_exists="replace")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]
    pd.testing.assert_frame_equal(sorted_by_id(con.read_table("t")), sample_frame())


def test_append_with_other_columns_is_refused(tmp_path):
    con = CSVConnector(tmp_path)
    con.write_table("t", pd.DataFrame({"a": [1]}))
    with pytest.raises(ConnectorError, match="columns"):
        con.write_table("t", pd.DataFrame({"b": [1]}), if_exists="append")
    with pytest.raises(ConnectorError, match="dtypes"):
        con.write_table("t", pd.DataFrame({"a": ["x"]}), if_exists="append")


def test_corrupt_file_raises_connector_error(tmp_path):
    (tmp_path / "t.parquet").write_bytes(b"not parquet")
    with pytest.raises(ConnectorError, match="Cannot read table 't'"):
        ParquetConnector(tmp_path).read_table("t")


def test_non_dataframe_and_repr(tmp_path):
    con = CSVConnector(tmp_path)
    with pytest.raises(ConnectorError, match="DataFrame"):
        con.write_table("t", [1, 2])
    assert repr(con) == f"CSVConnector({str(tmp_path)!r})"
    assert CSVConnector(tmp_path / "missing").list_tables() == []
