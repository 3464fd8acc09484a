"""DeltaConnector: the connector contract, modes and time travel with delta-rs (no JVM)."""

import pandas as pd
import pytest

from synthohive.connectors._delta import DeltaConnector
from synthohive.exceptions import ConnectorError, InvalidIdentifierError
from tests.connectors.contract import ConnectorContract, sample_frame, sorted_by_id


class TestDeltaContract(ConnectorContract):
    @pytest.fixture
    def connector(self, tmp_path):
        return DeltaConnector(tmp_path / "lake")


def test_write_append_overwrite_and_time_travel(tmp_path):
    lake = DeltaConnector(tmp_path)
    df = sample_frame(6)
    lake.write_tables({"people": df.head(4)}, mode="error")
    lake.write_tables({"people": df.tail(2)}, mode="append")
    lake.write_tables({"people": df.head(1)}, mode="overwrite")
    pd.testing.assert_frame_equal(lake.read_table("people"), df.head(1))
    pd.testing.assert_frame_equal(sorted_by_id(lake.read_table("people", version=1)), df)
    pd.testing.assert_frame_equal(lake.read_table("people", version=0), df.head(4))
    assert lake.read_tables(["people"], version={"people": 0})["people"].shape == (4, df.shape[1])
    assert list(lake.history("people")["version"]) == [2, 1, 0]
    with pytest.raises(ConnectorError, match="version"):
        lake.read_table("people", version=7)


def test_error_mode_writes_nothing_when_one_table_exists(tmp_path):
    lake = DeltaConnector(tmp_path)
    lake.write_table("b", sample_frame(2))
    with pytest.raises(ConnectorError, match=r"\['b'\]"):
        lake.write_tables({"a": sample_frame(2), "b": sample_frame(2)}, mode="error")
    assert lake.list_tables() == ["b"]
    with pytest.raises(InvalidIdentifierError):
        lake.write_tables({"a": sample_frame(2), "../b": sample_frame(2)}, mode="overwrite")
    assert lake.list_tables() == ["b"]
