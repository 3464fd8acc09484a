"""The contract every :class:`~synthohive.connectors.Connector` implementation must meet.

Reuse it by subclassing :class:`ConnectorContract` in a ``test_*.py`` module and providing a
``connector`` fixture that returns a connector on a fresh, empty namespace (its own directory,
schema or database) that the test may write to and that is cleaned up afterwards::

    class TestParquetContract(ConnectorContract):
        @pytest.fixture
        def connector(self, tmp_path):
            return ParquetConnector(tmp_path)

Class attributes narrow the contract for stores that cannot meet part of it:

``roundtrip_dtypes``
    The pandas dtypes whose round trip (write, then read) must be exact.
``supports_empty_tables``
    Whether a table with zero rows can be written and read back with its dtypes.
"""

import numpy as np
import pandas as pd
import pytest

from synthohive.connectors import Connector
from synthohive.exceptions import ConnectorError, InvalidIdentifierError

ALL_DTYPES = ("int64", "Int64", "float64", "bool", "boolean", "string", "datetime64[ns]")

BAD_NAMES = ["t; DROP TABLE x", "t'--", 'a"b', "1t", "a.b", "../t", "t\u0430", "a.b.c",
             "a.b; DROP TABLE x", ".b", "a.", "a.1b"]


def sample_frame(n=6, dtypes=ALL_DTYPES):
    """A small frame with one column per dtype, nulls in the nullable ones, and an ``id``."""
    columns = {
        "int64": np.arange(n, dtype="int64") * 1000 - 7,
        "Int64": pd.array([None if i % 3 == 1 else i * 10 for i in range(n)], dtype="Int64"),
        "float64": np.where(np.arange(n) % 4 == 2, np.nan, np.arange(n) * 0.25 - 1.0),
        "bool": np.arange(n) % 2 == 0,
        "boolean": pd.array([None if i % 3 == 2 else i % 2 == 1 for i in range(n)],
                            dtype="boolean"),
        "string": pd.array([None if i % 5 == 3 else ["a", "", "é ü", "x,y\"z", "line\nbreak",
                                                      "NULL"][i % 6] for i in range(n)],
                           dtype="string"),
        "datetime64[ns]": pd.to_datetime(
            ["2021-01-01 00:00:00", None, "1999-12-31 23:59:59.123456", "2024-02-29 12:00:00",
             "1970-01-01 00:00:00", "2038-01-20 03:14:08"] * (n // 6 + 1), format="ISO8601"
        )[:n].astype("datetime64[ns]"),
    }
    frame = pd.DataFrame({"id": np.arange(n, dtype="int64")})
    for dtype in dtypes:
        frame[f"c_{_column_suffix(dtype)}"] = columns[dtype]
    return frame


def _column_suffix(dtype):
    return {"Int64": "nint", "boolean": "nbool", "datetime64[ns]": "ts"}.get(dtype, dtype)


def sorted_by_id(frame):
    """Rows sorted by ``id``, with a fresh index (stores do not keep row order)."""
    return frame.sort_values("id", kind="stable").reset_index(drop=True)


class ConnectorContract:
    """Behaviour shared by every connector; see the module docstring."""

    roundtrip_dtypes = ALL_DTYPES
    supports_empty_tables = True
    #: table arguments accept ``schema.table`` (SQL) or ``database.table`` (Spark)
    qualified_names = False

    @pytest.fixture
    def connector(self):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError("subclasses provide a `connector` fixture")

    def frame(self, n=6):
        return sample_frame(n, self.roundtrip_dtypes)

    def test_is_a_connector(self, connector):
        assert isinstance(connector, Connector)

    def test_round_trip_keeps_values_and_dtypes(self, connector):
        df = self.frame()
        connector.write_table("people", df)
        back = connector.read_table("people")
        assert list(back.columns) == list(df.columns)
        assert back.dtypes.astype(str).to_dict() == df.dtypes.astype(str).to_dict()
        pd.testing.assert_frame_equal(sorted_by_id(back), df)

    def test_list_tables_shows_written_tables(self, connector):
        connector.write_table("alpha", self.frame())
        connector.write_table("beta", self.frame())
        assert {"alpha", "beta"} <= set(connector.list_tables())

    def test_if_exists_fail_raises_and_keeps_the_table(self, connector):
        df = self.frame()
        connector.write_table("t1", df)
        with pytest.raises(ConnectorError, match="t1"):
            connector.write_table("t1", df.head(2), if_exists="fail")
        assert len(connector.read_table("t1")) == len(df)

    def test_if_exists_replace_swaps_the_content(self, connector):
        connector.write_table("t2", self.frame(6))
        connector.write_table("t2", self.frame(3), if_exists="replace")
        back = connector.read_table("t2")
        pd.testing.assert_frame_equal(sorted_by_id(back), self.frame(3))

    def test_if_exists_append_adds_rows_with_the_same_dtypes(self, connector):
        df = self.frame(6)
        connector.write_table("t3", df.head(4))
        connector.write_table("t3", df.tail(2), if_exists="append")
        back = connector.read_table("t3")
        pd.testing.assert_frame_equal(sorted_by_id(back), df)

    def test_append_creates_a_missing_table(self, connector):
        connector.write_table("t4", self.frame(2), if_exists="append")
        assert len(connector.read_table("t4")) == 2

    def test_unknown_if_exists_is_rejected(self, connector):
        with pytest.raises(ConnectorError, match="if_exists"):
            connector.write_table("t5", self.frame(), if_exists="upsert")

    def test_missing_table_error_lists_the_available_tables(self, connector):
        connector.write_table("present", self.frame(2))
        with pytest.raises(ConnectorError, match="present") as info:
            connector.read_table("absent")
        assert "absent" in str(info.value)

    def test_write_tables_then_read_tables(self, connector):
        parents = pd.DataFrame({"id": np.arange(3, dtype="int64")})
        children = pd.DataFrame({"id": np.arange(5, dtype="int64"),
                                 "parent_id": np.array([0, 0, 1, 2, 2], dtype="int64")})
        connector.write_tables({"parent": parents, "child": children})
        back = connector.read_tables(["parent", "child"])
        assert list(back) == ["parent", "child"]
        pd.testing.assert_frame_equal(sorted_by_id(back["child"]), children)
        assert set(connector.read_tables()) >= {"parent", "child"}

    @pytest.mark.parametrize("bad", BAD_NAMES)
    def test_bad_table_names_are_rejected_before_touching_the_store(self, connector, bad):
        before = set(connector.list_tables())
        if self.qualified_names and bad == "a.b":
            # two allowed parts: the allowlist accepts it, the store has no schema "a"
            with pytest.raises(ConnectorError):
                connector.read_table(bad)
        else:
            with pytest.raises(InvalidIdentifierError):
                connector.write_table(bad, self.frame(2))
            with pytest.raises(InvalidIdentifierError):
                connector.read_table(bad)
        assert set(connector.list_tables()) == before

    def test_bad_column_names_are_rejected(self, connector):
        df = self.frame(2).rename(columns={"id": "id; DROP TABLE t"})
        with pytest.raises(InvalidIdentifierError, match="column"):
            connector.write_table("t6", df)
        assert "t6" not in connector.list_tables()

    def test_unsupported_column_leaves_no_table(self, connector):
        df = pd.DataFrame({"id": [1, 2], "mixed": pd.Series([1, "a"], dtype=object)})
        with pytest.raises(ConnectorError, match="mixed"):
            connector.write_table("t7", df)
        assert "t7" not in connector.list_tables()

    def test_empty_table_keeps_its_dtypes(self, connector):
        if not self.supports_empty_tables:
            pytest.skip("this store cannot keep the dtypes of an empty table")
        df = self.frame().head(0)
        connector.write_table("empty", df)
        back = connector.read_table("empty")
        assert len(back) == 0
        assert back.dtypes.astype(str).to_dict() == df.dtypes.astype(str).to_dict()
