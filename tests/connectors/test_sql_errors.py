"""Connection and credential errors are ConnectorErrors that never show the password."""

import logging
import traceback

import pandas as pd
import pytest
import sqlalchemy as sa

from synthohive.connectors import SQLConnector
from synthohive.exceptions import ConnectorError
from tests.connectors.conftest import MYSQL_URL, PG_URL, unavailable

SECRET = "s3cr3t-Pa55w0rd"


def _full_text(exc):
    return "".join(traceback.format_exception(exc))


def assert_secret_hidden(con, exc_info, caplog):
    assert SECRET not in str(exc_info.value)
    assert SECRET not in _full_text(exc_info.value)
    assert SECRET not in repr(con)
    assert SECRET not in str(con.url)
    assert SECRET not in caplog.text
    assert "***" in repr(con)


def test_unreachable_server(caplog):
    url = sa.make_url(PG_URL).set(password=SECRET, port=1)
    con = SQLConnector(url)
    with caplog.at_level(logging.DEBUG), pytest.raises(ConnectorError, match="Cannot connect") \
            as info:
        con.list_tables()
    assert_secret_hidden(con, info, caplog)
    assert isinstance(info.value.__cause__, sa.exc.OperationalError)


@pytest.mark.database
def test_wrong_postgresql_credentials(pg_engine, caplog):
    url = sa.make_url(PG_URL).set(username="no_such_user_sh", password=SECRET)
    con = SQLConnector(url.render_as_string(hide_password=False))
    with caplog.at_level(logging.DEBUG), pytest.raises(ConnectorError, match="no_such_user_sh") \
            as info:
        con.read_table("anything")
    assert_secret_hidden(con, info, caplog)


@pytest.mark.database
def test_wrong_mysql_credentials(mysql_engine, caplog):
    url = sa.make_url(MYSQL_URL).set(password=SECRET)
    con = SQLConnector(url.render_as_string(hide_password=False))
    with caplog.at_level(logging.DEBUG), pytest.raises(ConnectorError, match="Access denied") \
            as info:
        con.write_table("t", pd.DataFrame({"a": [1]}))
    assert_secret_hidden(con, info, caplog)


def test_unparsable_url_is_not_echoed():
    with pytest.raises(ConnectorError, match="Cannot parse the database URL") as info:
        SQLConnector(f"not a url :{SECRET}@")
    assert SECRET not in _full_text(info.value)
    with pytest.raises(ConnectorError, match="URL string"):
        SQLConnector(42)


def test_missing_driver_is_a_connector_error():
    con = SQLConnector(f"postgresql+nosuchdriver://u:{SECRET}@localhost/db")
    with pytest.raises(ConnectorError, match="driver") as info:
        con.list_tables()
    assert SECRET not in str(info.value)


def test_missing_table_lists_the_available_ones(sqlite_url):
    con = SQLConnector(sqlite_url)
    con.write_table("orders", pd.DataFrame({"id": [1]}))
    with pytest.raises(ConnectorError, match=r"'order'.*available tables: \['orders'\]"):
        con.read_table("order")
    con.close()


def test_unreachable_services_fail_under_ci_and_skip_elsewhere(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true and PostgreSQL is down"):
        unavailable("PostgreSQL is down")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL is down"):
        unavailable("PostgreSQL is down")
