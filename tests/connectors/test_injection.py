"""CONN-04: injection strings thrown at every entry point raise InvalidIdentifierError."""

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from synthohive.connectors import CSVConnector, ParquetConnector, SQLConnector
from synthohive.connectors._identifiers import validate_identifier, validate_qualified_name
from synthohive.exceptions import InvalidIdentifierError
from synthohive.schema import Schema

PAYLOADS = ["; DROP TABLE ok; --", "' OR '1'='1", '" OR ""="', "` OR 1 --", "/* */",
            " UNION SELECT 1", "\x00", "\n", ".ok", "..%2F", "$1", "%s", ":name", "?"]

_IDENT = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)
names = st.one_of(
    st.text(max_size=70),
    st.builds(lambda a, b: a + b, _IDENT, st.sampled_from(PAYLOADS)),
    st.builds(lambda a, b, c: f"{a}.{b}{c}", _IDENT, _IDENT, st.sampled_from(PAYLOADS)),
)


def is_allowed(name, check=validate_identifier):
    try:
        check(name)
    except InvalidIdentifierError:
        return False
    return True


def is_qualified(name):
    """A ``schema.table`` name of two allowed parts: SQL table arguments accept it."""
    return "." in str(name) and is_allowed(
        name, lambda n: validate_qualified_name(n, ("schema", "table")))


def entry_points(sql, csv, parquet, engine, frame):
    def renamed(bad):
        return frame.rename(columns={"id": bad})

    sql_tables = [
        lambda bad: sql.read_table(bad),
        lambda bad: sql.iter_table(bad),
        lambda bad: sql.read_tables(["ok", bad]),
        lambda bad: sql.write_table(bad, frame),
        lambda bad: sql.write_tables({bad: frame}),
    ]
    return sql_tables, [
        lambda bad: SQLConnector(engine, schema=bad),
        lambda bad: sql.read_table("ok", columns=["id", bad]),
        lambda bad: sql.write_table("new", renamed(bad)),
        lambda bad: sql.write_table("ok", renamed(bad), if_exists="append"),
        lambda bad: Schema.from_database(engine, schema=bad),
        lambda bad: Schema.from_database(sql, tables=[bad]),
        lambda bad: csv.read_table(bad),
        lambda bad: csv.write_table(bad, frame),
        lambda bad: csv.write_table("new", renamed(bad)),
        lambda bad: parquet.read_table(bad),
        lambda bad: parquet.write_table(bad, frame),
        lambda bad: parquet.write_table("new", renamed(bad)),
    ]


@pytest.fixture
def stores(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'inj.db'}")
    sql = SQLConnector(engine)
    frame = pd.DataFrame({"id": [1, 2]})
    sql.write_table("ok", frame)
    csv, parquet = CSVConnector(tmp_path / "csv"), ParquetConnector(tmp_path / "pq")
    csv.write_table("ok", frame)
    parquet.write_table("ok", frame)
    yield sql, csv, parquet, engine, frame
    engine.dispose()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=names)
def test_injection_strings_are_refused_everywhere(stores, bad):
    assume(not is_allowed(bad))
    sql, csv, parquet, engine, frame = stores
    sql_tables, others = entry_points(sql, csv, parquet, engine, frame)
    for call in others + ([] if is_qualified(bad) else sql_tables):
        with pytest.raises(InvalidIdentifierError):
            call(bad)
    assert sa.inspect(engine).get_table_names() == ["ok"]
    assert sql.read_table("ok")["id"].tolist() == [1, 2]
    assert csv.list_tables() == ["ok"]
    assert parquet.list_tables() == ["ok"]


def test_values_travel_as_bound_parameters(stores):
    sql, *_ = stores
    payload = pd.DataFrame({"id": [3], "v": ["x'); DROP TABLE ok; --"]})
    sql.write_table("vals", payload)
    assert sql.read_table("vals")["v"].tolist() == ["x'); DROP TABLE ok; --"]
    assert "ok" in sql.list_tables()


@pytest.mark.parametrize("bad", ["main.ok; DROP TABLE ok", "main.ok --", "main.", ".ok",
                                 "a.main.ok", 'main."ok"', "main .ok", "main.o k"])
def test_qualified_table_names_check_every_part(stores, bad):
    sql, csv, parquet, engine, frame = stores
    sql_tables, _ = entry_points(sql, csv, parquet, engine, frame)
    for call in sql_tables:
        with pytest.raises(InvalidIdentifierError):
            call(bad)
    assert sql.read_table("main.ok")["id"].tolist() == [1, 2]
    assert sa.inspect(engine).get_table_names() == ["ok"]
