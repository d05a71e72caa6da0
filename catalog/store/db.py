"""The database: an async SQLAlchemy engine (aiosqlite or asyncpg) and its sessions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

# Importing the models registers their tables in SQLModel.metadata (the statistics' too).
import catalog.stats.aggregates
import catalog.stats.events
import catalog.store.models  # noqa: F401

SessionMaker = async_sessionmaker[AsyncSession]


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while a writer commits. Concurrent writers wait for the lock
    # (the driver's ``timeout``, given by each engine) instead of failing with "database is
    # locked". The driver's own implicit BEGIN is switched off: transactions start in
    # begin_immediate.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def begin_immediate(connection: Any) -> None:
    # A deferred transaction that reads, then writes, fails at once with "database is locked"
    # when another connection wrote in between (the busy timeout cannot help an upgrade from
    # reader to writer). Taking the write lock at BEGIN makes concurrent steps queue instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str) -> AsyncEngine:
    """An async engine for ``url``, with SQLite tuned for a small concurrent server."""
    if make_url(url).get_backend_name() == "sqlite":
        # One connection: SQLite has one writer at a time anyway, and queueing on the pool
        # (FIFO, without blocking the event loop) is fairer and faster than many connections
        # polling the file lock with the busy handler's sleeps.
        engine = create_async_engine(
            url, connect_args={"timeout": 5}, pool_size=1, max_overflow=0, pool_timeout=60
        )
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", begin_immediate)
        return engine
    # No pool_pre_ping: it costs a round trip at every checkout, that is at every step. A
    # connection found dead (PostgreSQL restarted) fails its statement instead; SQLAlchemy then
    # invalidates the pool, and bot.chats.retry runs the step again on a fresh connection.
    # A fixed pool: an overflow connection is closed again at check-in, and under load that
    # meant a new PostgreSQL backend (a process fork) every few steps. A step holds its
    # connection for a millisecond or two, so 16 serve the bot's 64 concurrent updates; the
    # rest wait for one, in turn. Mind max_connections (100 by default) with many replicas.
    return create_async_engine(url, pool_size=16, max_overflow=0, pool_timeout=60)


def session_maker(engine: AsyncEngine) -> SessionMaker:
    # expire_on_commit=False: objects stay readable after commit without a new query.
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def create_schema(engine: AsyncEngine) -> None:
    """Create every missing table (idempotent)."""
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
