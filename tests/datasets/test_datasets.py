import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synthohive as sh
from synthohive import datasets
from synthohive.datasets import dataset_path
from synthohive.exceptions import DataValidationError, SchemaValidationError

PACKAGED = Path(datasets.__file__).parent / "data"

EXPECTED = {"int": "int64", "float": "float64", "string": "string", "date": "datetime64[ns]",
            "datetime": "datetime64[ns]", "bool": "bool"}


def expected_dtypes(folder, tables):
    types = json.loads((folder / "dtypes.json").read_text())
    out = {}
    for table, columns in types.items():
        for column, kind in columns.items():
            nulls = tables[table][column].isna().any()
            out[table, column] = {"int": "Int64", "bool": "boolean"}.get(kind) if nulls \
                else EXPECTED[kind]
            if out[table, column] is None:
                out[table, column] = EXPECTED[kind]
    return out


@pytest.fixture(scope="module")
def chinook():
    return datasets.load("chinook")


def test_list_and_exports():
    assert datasets.list_datasets() == ["chinook", "northwind", "sakila"]
    assert sh.datasets is datasets
    for dataset in datasets.list_datasets():
        assert dataset_path(dataset) == PACKAGED / dataset
        for name in ["LICENSE", "README.md", "schema.json", "dtypes.json"]:
            assert (PACKAGED / dataset / name).is_file()


def test_chinook_loads_with_exact_dtypes(chinook):
    tables, schema = chinook
    assert isinstance(schema, sh.Schema)
    assert list(tables) == schema.table_names
    assert sum(len(frame) for frame in tables.values()) == 15_607
    for (table, column), dtype in expected_dtypes(PACKAGED / "chinook", tables).items():
        assert str(tables[table][column].dtype) == dtype, (table, column)
    employee = tables["employee"]
    assert employee["reports_to"].dtype == "Int64"
    assert int(employee["reports_to"].isna().sum()) == 1
    assert employee["birth_date"].dtype == np.dtype("datetime64[ns]")
    assert tables["track"]["composer"].dtype == "string"
    assert tables["track"]["composer"].isna().sum() > 0
    assert schema.depth() == 3
    schema.validate(tables)


@pytest.mark.parametrize(("name", "n_rows"), [("northwind", 3_311), ("sakila", 46_273)])
def test_shipped_datasets_load_with_exact_dtypes(name, n_rows):
    tables, schema = datasets.load(name)
    assert list(tables) == schema.table_names
    assert sum(len(frame) for frame in tables.values()) == n_rows
    for (table, column), dtype in expected_dtypes(PACKAGED / name, tables).items():
        assert str(tables[table][column].dtype) == dtype, (table, column)
    if name == "northwind":
        assert tables["territories"]["territory_id"].iloc[0] == "01581"
        assert tables["customers"]["customer_id"].iloc[0] == "ALFKI"
    else:
        assert tables["payment"]["rental_id"].dtype == "Int64"
        assert int(tables["payment"]["rental_id"].isna().sum()) == 5
        assert tables["rental"]["rental_date"].iloc[0] == pd.Timestamp("2005-05-24 22:53:30")


@pytest.mark.parametrize("name", ["sakila_", "", None, "../chinook"])
def test_unknown_name_lists_available(name):
    available = r"available datasets: \['chinook', 'northwind', 'sakila'\]"
    with pytest.raises(DataValidationError, match=available):
        datasets.load(name)
    with pytest.raises(DataValidationError, match="available datasets"):
        dataset_path(name)


def write_folder(folder, tables, types, schema):
    folder.mkdir()
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text)
    (folder / "dtypes.json").write_text(json.dumps(types))
    (folder / "schema.json").write_text(json.dumps({"tables": schema}))
    return folder


PARENT_CHILD = {"p": {"primary_key": "id"},
                "c": {"primary_key": "id", "foreign_keys": [
                    {"column": "p_id", "references": "p.id"}]}}


def test_bool_and_untyped_columns(tmp_path):
    folder = write_folder(tmp_path / "d", {
        "p": "id,flag,maybe,note\n1,true,1,x\n2,False,,y\n",
        "c": "id,p_id\n1,1\n2,\n"},
        {"p": {"id": "int", "flag": "bool", "maybe": "bool"}, "c": {"id": "int", "p_id": "int"}},
        PARENT_CHILD)
    tables, _ = datasets.read_dataset_dir(folder)
    assert tables["p"]["flag"].tolist() == [True, False]
    assert tables["p"]["flag"].dtype == bool
    assert str(tables["p"]["maybe"].dtype) == "boolean"
    assert tables["p"]["note"].dtype == "string"
    assert tables["c"]["p_id"].dtype == "Int64"


def test_orphans_raise_unless_validation_is_off(tmp_path):
    folder = write_folder(tmp_path / "d", {"p": "id\n1\n", "c": "id,p_id\n1,1\n2,9\n"},
                          {"p": {"id": "int"}, "c": {"id": "int", "p_id": "int"}}, PARENT_CHILD)
    with pytest.raises(SchemaValidationError, match="missing from p.id"):
        datasets.read_dataset_dir(folder)
    tables, _ = datasets.read_dataset_dir(folder, validate=False)
    assert len(tables["c"]) == 2


@pytest.mark.parametrize(("files", "types", "message"), [
    ({"p": "id\n1\n"}, {"p": {"id": "int"}}, "c.csv is missing"),
    ({"p": "id\nx\n", "c": "id,p_id\n"}, {"p": {"id": "int"}}, "column 'id': cannot read"),
    ({"p": "id\n1\n", "c": "id,p_id\n"}, {"p": {"id": "uuid"}}, "type 'uuid'"),
    ({"p": "id\n1\n", "c": "id\n"}, {"c": {"p_id": "int"}}, r"column\(s\) \['p_id'\]"),
    ({"p": "id,f\n1,maybe\n", "c": "id,p_id\n"}, {"p": {"f": "bool"}}, "not a boolean"),
])
def test_bad_folders(tmp_path, files, types, message):
    folder = write_folder(tmp_path / "d", files, types, PARENT_CHILD)
    with pytest.raises(DataValidationError, match=message):
        datasets.read_dataset_dir(folder)


def test_missing_metadata(tmp_path):
    with pytest.raises(DataValidationError, match="schema.json is missing"):
        datasets.read_dataset_dir(tmp_path)
    (tmp_path / "schema.json").write_text("{nope")
    with pytest.raises(DataValidationError, match="not valid JSON"):
        datasets.read_dataset_dir(tmp_path)
