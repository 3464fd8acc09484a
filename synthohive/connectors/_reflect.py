"""Reflect primary and foreign keys of a database into the schema dictionary format.

:meth:`synthohive.Schema.from_database` builds the :class:`~synthohive.schema.Schema` from
it; this module does not import the schema package, so the two do not import each other.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from synthohive.connectors._identifiers import validate_identifier
from synthohive.connectors._sql import STAGE_PREFIX, SQLConnector
from synthohive.exceptions import ConnectorError

__all__ = ["reflect_schema"]

logger = logging.getLogger(__name__)


def reflect_schema(
    source: SQLConnector | sa.Engine | sa.Connection | str | sa.URL,
    schema: str | None = None,
    tables: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Read the primary and foreign keys declared in a database.

    Parameters
    ----------
    source : SQLConnector, Engine, Connection, str or URL
        Where to read the catalogue from; a URL is opened (and closed) by a temporary
        :class:`SQLConnector`.
    schema : str, optional
        Database schema to reflect; defaults to the connector's schema, else the connection's
        default schema.
    tables : iterable of str, optional
        Tables to include (all tables of the schema when None). Foreign keys to tables left
        out, or to another schema, are skipped with a log message.

    Returns
    -------
    dict
        ``{"tables": {name: {"primary_key": ..., "foreign_keys": [...]}}}`` (the format of
        :meth:`Schema.from_dict`, which refuses composite keys), in the database's table
        order.

    Raises
    ------
    ConnectorError
        If the database cannot be reached or a requested table does not exist.
    InvalidIdentifierError
        If the schema or a table name is not on the identifier allowlist.
    """
    if isinstance(source, SQLConnector):
        connector = source
    elif isinstance(source, sa.Connection):
        return _reflect(source, schema, tables)
    else:
        connector = SQLConnector(source)
    schema = connector.schema if schema is None else schema
    if schema is not None:
        validate_identifier(schema, "schema")
    try:
        with connector._transaction("reflect the schema") as conn:
            return _reflect(conn, schema, tables)
    finally:
        if connector is not source:
            connector.close()


def _reflect(
    conn: sa.Connection, schema: str | None, tables: Iterable[str] | None
) -> dict[str, Any]:
    if schema is not None:
        validate_identifier(schema, "schema")
    inspector = sa.inspect(conn)
    available = [n for n in inspector.get_table_names(schema=schema)
                 if not n.startswith(STAGE_PREFIX)]
    if tables is None:
        names = available
    else:
        names = [validate_identifier(t, "table") for t in tables]
        missing = [t for t in names if t not in available]
        if missing:
            raise ConnectorError(
                f"Cannot reflect table(s) {missing}: not found in schema {schema!r}; available "
                f"tables: {sorted(available)}."
            )
    spec: dict[str, Any] = {}
    for name in names:
        validate_identifier(name, "table")
        primary = inspector.get_pk_constraint(name, schema=schema).get("constrained_columns")
        # Databases list foreign keys in different orders: use the order of the columns.
        position = {c["name"]: i for i, c in enumerate(inspector.get_columns(name, schema=schema))}
        entries = sorted(inspector.get_foreign_keys(name, schema=schema),
                         key=lambda fk: [position.get(c, -1) for c in fk["constrained_columns"]])
        spec[name] = {
            "primary_key": _single(primary),
            "foreign_keys": [fk for fk in (_foreign_key(name, entry, schema, names)
                                           for entry in entries) if fk is not None],
        }
    return {"tables": spec}


def _single(columns: list[str] | None) -> str | list[str] | None:
    """One column as a string; a composite key stays a list (rejected by Schema.from_dict)."""
    if not columns:
        return None
    return columns[0] if len(columns) == 1 else list(columns)


def _foreign_key(
    table: str, entry: dict[str, Any], schema: str | None, names: list[str]
) -> dict[str, Any] | None:
    parent = entry["referred_table"]
    referred_schema = entry.get("referred_schema")
    if parent not in names or (referred_schema is not None and referred_schema != schema):
        logger.info(
            "Skipping foreign key %s.%s -> %s.%s: the parent table is not among the reflected "
            "tables", table, entry["constrained_columns"], referred_schema or schema, parent,
        )
        return None
    columns = entry["constrained_columns"]
    referred = entry["referred_columns"]
    if len(columns) == 1:
        return {"column": columns[0], "references": f"{parent}.{referred[0]}"}
    return {"column": list(columns), "references": f"{parent}.{','.join(referred)}"}
