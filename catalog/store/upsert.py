"""INSERT ... ON CONFLICT, on whichever of the two databases Tremplin runs on."""

from __future__ import annotations

from typing import Any


def insert_on_conflict(dialect: str, table: Any) -> Any:
    """An INSERT into ``table`` that supports ``ON CONFLICT`` on ``dialect`` (the name of
    PostgreSQL's or SQLite's): the generic ``insert()`` has no such clause."""
    # Imported here, where the engine has already loaded its own dialect: importing
    # PostgreSQL's at start cost every SQLite command (tremplin match, chat) a few percent.
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)
