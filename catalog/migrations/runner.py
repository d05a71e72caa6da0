"""``alembic upgrade`` from async code, once at a time however many replicas start together."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from catalog.migrations.baseline import prepare
from catalog.migrations.config import alembic_config

logger = logging.getLogger(__name__)

# The key of the PostgreSQL advisory lock held while migrating: "tremplin" in ASCII.
LOCK_KEY = 0x7472656D706C696E


@dataclass(frozen=True, slots=True)
class Upgrade:
    """The revisions a database was at before and after :func:`upgrade` (``None``: empty)."""

    before: str | None
    after: str | None


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection, revision: str) -> Upgrade:
    if connection.dialect.name == "postgresql":
        # Replicas starting together: the first one migrates, the others wait here, then
        # find the schema at head. Released at commit (or when a crash ends the session).
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    # On SQLite the transaction began with BEGIN IMMEDIATE (catalog.db): the write lock is
    # already held, with the same effect.
    before = _current(connection)
    prepare(connection)
    command.upgrade(alembic_config(connection=connection), revision)
    return Upgrade(before=before, after=_current(connection))


async def upgrade(engine: AsyncEngine, revision: str = "head") -> Upgrade:
    """Bring the schema to ``revision`` (default: the newest), in one transaction.

    A revision that fails leaves the schema as it was: both databases have transactional DDL.
    """
    async with engine.begin() as connection:
        result = await connection.run_sync(_upgrade, revision)
    if result.before != result.after:
        logger.info("event=schema_upgraded from=%s to=%s", result.before, result.after)
    return result


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at (``None``: not under migrations)."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)
