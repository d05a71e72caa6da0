"""INSERT ... ON CONFLICT, on whichever of the two databases Tremplin runs on."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite


def insert_on_conflict(dialect: str, table: Any) -> Any:
    """An INSERT into ``table`` that supports ``ON CONFLICT`` on ``dialect`` (the name of
    PostgreSQL's or SQLite's): the generic ``insert()`` has no such clause."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
