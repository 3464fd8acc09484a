"""SQLConnector against SQLite, PostgreSQL and MariaDB (real services, no mocks)."""

import pytest

from synthohive.connectors import SQLConnector
from tests.connectors.contract import ConnectorContract


class TestSQLiteContract(ConnectorContract):
    @pytest.fixture
    def connector(self, sqlite_url):
        with SQLConnector(sqlite_url) as con:
            yield con


@pytest.mark.database
class TestPostgreSQLContract(ConnectorContract):
    @pytest.fixture
    def connector(self, pg_engine, pg_schema):
        return SQLConnector(pg_engine, schema=pg_schema)


@pytest.mark.database
class TestMySQLContract(ConnectorContract):
    @pytest.fixture
    def connector(self, mysql_engine, mysql_schema):
        return SQLConnector(mysql_engine, schema=mysql_schema)
