"""Relational schema: tables, primary keys, foreign keys, column roles and constraints."""

from synthohive.schema._schema import ForeignKey, Schema, TableSpec

__all__ = ["ForeignKey", "Schema", "TableSpec"]
