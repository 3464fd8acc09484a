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


def _fresh_schemas(engine, create, drop):
    """Yield a factory of fresh schemas/databases and drop them all afterwards."""
    made = []

    def make():
        name = unique_name()
        with engine.begin() as conn:
            conn.exec_driver_sql(create.format(name))
        made.append(name)
        return name

    yield make
    with engine.begin() as conn:
        for name in made:
            conn.exec_driver_sql(drop.format(name))


@pytest.fixture
def pg_schemas(pg_engine):
    """A factory of fresh PostgreSQL schemas, dropped with their tables after the test."""
    yield from _fresh_schemas(pg_engine, 'CREATE SCHEMA "{}"', 'DROP SCHEMA "{}" CASCADE')


@pytest.fixture
def mysql_schemas(mysql_engine):
    """A factory of fresh MySQL/MariaDB databases, dropped after the test."""
    yield from _fresh_schemas(mysql_engine, "CREATE DATABASE `{}`", "DROP DATABASE `{}`")


@pytest.fixture
def pg_schema(pg_schemas):
    """A fresh PostgreSQL schema."""
    return pg_schemas()


@pytest.fixture
def mysql_schema(mysql_schemas):
    """A fresh MySQL/MariaDB database."""
    return mysql_schemas()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'test.db'}"
