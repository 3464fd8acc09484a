"""Relational schema: tables, primary keys, foreign keys, column roles and constraints."""

# ENGINEERS H1-H7: read /work/main/TEAM_NOTES.md now (git rules, deadline 05:10 UTC, environment).

from synthohive.schema._schema import ForeignKey, Schema, TableSpec

__all__ = ["ForeignKey", "Schema", "TableSpec"]
