"""``alembic upgrade`` from async code, once at a time however many replicas start together."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from catalog.store.migrations.baseline import VERSION_TABLE, prepare, stamped_revision
from catalog.store.migrations.config import alembic_config, newest_revision

logger = logging.getLogger(__name__)

# The key of the PostgreSQL advisory lock held while migrating: "tremplin" in ASCII.
LOCK_KEY = 0x7472656D706C696E


@dataclass(frozen=True, slots=True)
class Upgrade:
    """The revisions a database was at before and after :func:`upgrade` (``None``: empty)."""

    before: str | None
    after: str | None


def _at_newest(connection: Connection) -> str | None:
    """The newest revision when the database is at it with the tables of every model this
    process has imported (the catalogue's at least, from catalog.store.db), else ``None``.

    Those are enough: :func:`~catalog.store.migrations.baseline.prepare` starts over only when
    none of Tremplin's tables is there, and importing the other model modules cost a command as
    much as the rest of this check.
    """
    newest = newest_revision()
    loaded = set(SQLModel.metadata.tables)
    if newest is None or not loaded or stamped_revision(connection) != newest:
        return None
    present = set(inspect(connection).get_table_names()) - {VERSION_TABLE}
    return newest if loaded <= present else None


def _upgrade(connection: Connection, revision: str) -> Upgrade:
    # The usual start: nothing to do, known without Alembic (it is imported below, when needed).
    if revision == "head" and (newest := _at_newest(connection)) is not None:
        return Upgrade(before=newest, after=newest)
    from alembic import command

    if connection.dialect.name == "postgresql":
        # Replicas starting together: the first one migrates, the others wait here, then
        # find the schema at head. Released at commit (or when a crash ends the session).
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    # On SQLite the transaction began with BEGIN IMMEDIATE (catalog.store.db): the write lock is
    # already held, with the same effect.
    before = stamped_revision(connection)
    prepare(connection)
    command.upgrade(alembic_config(connection=connection), revision)
    return Upgrade(before=before, after=stamped_revision(connection))


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
        return await connection.run_sync(stamped_revision)
