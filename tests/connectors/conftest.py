"""Database fixtures: PostgreSQL and MariaDB/MySQL from env URLs, SQLite on a temp file.

Each test gets its own schema (PostgreSQL) or database (MySQL), dropped afterwards. When a
server cannot be reached the test is skipped with the reason, or fails when ``CI=true``.
"""

import os
import uuid

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("SYNTHOHIVE_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
MYSQL_URL = os.environ.get("SYNTHOHIVE_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")


def unavailable(reason):
    """Skip, or fail under CI, because a database service is unavailable."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def _server(url, label):
    engine = sa.create_engine(url, pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        return None, f"{label} at {engine.url!r} is not reachable: {exc.orig or exc}"
    return engine, None


@pytest.fixture(scope="session")
def pg_engine():
    engine, reason = _server(PG_URL, "PostgreSQL")
    if engine is None:
        unavailable(reason)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def mysql_engine():
    engine, reason = _server(MYSQL_URL, "MySQL/MariaDB")
    if engine is None:
        unavailable(reason)
    yield engine
    engine.dispose()


def unique_name(prefix="sh_test"):
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def pg_schema(pg_engine):
    """A fresh PostgreSQL schema, dropped with everything in it after the test."""
    name = unique_name()
    with pg_engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    yield name
    with pg_engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture
def mysql_schema(mysql_engine):
    """A fresh MySQL/MariaDB database, dropped after the test."""
    name = unique_name()
    with mysql_engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE `{name}`")
    yield name
    with mysql_engine.begin() as conn:
        conn.exec_driver_sql(f"DROP DATABASE `{name}`")


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'test.db'}"
