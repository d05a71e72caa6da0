"""The database: an async SQLAlchemy engine (aiosqlite or asyncpg), its sessions and, on a
SQLite file, the thread where conversation steps run (see ``catalog.store.transactions``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

# Importing the models registers their tables in SQLModel.metadata (the statistics' too).
import catalog.stats.aggregates
import catalog.stats.events
import catalog.store.models  # noqa: F401

SessionMaker = async_sessionmaker[AsyncSession]
logger = logging.getLogger(__name__)


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


# The execution option of a connection whose transaction only reads (see read_only).
READ_ONLY = "tremplin_read_only"
# The engine's execution option: seconds a writer waits for another's write lock.
WRITE_WAIT = "tremplin_write_wait"
# The bot's async engine has one connection: a writer waiting long on it would hold up every
# read of that process too (/export, /catalog), so it waits little, as before, then fails.
BOT_WRITE_WAIT_SECONDS = 5
# A command (``tremplin catalog import``) has nothing else to do: it waits for another import
# (20,000 offers hold the write lock for seconds) rather than fail with "database is locked".
COMMAND_WRITE_WAIT_SECONDS = 120


def begin_immediate(connection: Any) -> None:
    # A deferred transaction that reads, then writes, fails at once with "database is locked"
    # when another connection wrote in between (the busy timeout cannot help an upgrade from
    # reader to writer). Taking the write lock at BEGIN makes concurrent steps queue instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def begin_sqlite(connection: Any) -> None:
    """Start a transaction of the async engine: ``BEGIN DEFERRED`` when it only reads, else
    ``BEGIN IMMEDIATE`` (see :func:`begin_immediate`).

    A transaction marked read-only (:func:`read_only`) takes no lock: with WAL it reads the
    last commit while a writer works. A writer that finds the lock taken (an import of 20,000
    offers holds it for seconds) says so in the log, then waits for it as long as the engine's
    ``write_wait`` (see :func:`create_engine`) before failing with "database is locked".
    """
    options = connection.get_execution_options()
    if options.get(READ_ONLY):
        connection.exec_driver_sql("BEGIN DEFERRED")
        return
    wait = int(options.get(WRITE_WAIT, BOT_WRITE_WAIT_SECONDS))
    cursor = connection.connection.cursor()  # the driver's: a busy lock is no error yet
    try:
        cursor.execute("PRAGMA busy_timeout")
        waits = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA busy_timeout = 0")
        try:
            cursor.execute("BEGIN IMMEDIATE")
            return
        except Exception as error:  # sqlite3's or aiosqlite's OperationalError
            if "locked" not in str(error) and "busy" not in str(error):
                raise
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {waits}")
        logger.warning(
            "the database is busy: another process is writing to it (an import?); waiting up"
            " to %d s for it to finish",
            wait,
        )
        cursor.execute(f"PRAGMA busy_timeout = {wait * 1000}")
        try:
            cursor.execute("BEGIN IMMEDIATE")
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {waits}")
    finally:
        cursor.close()


async def read_only(session: AsyncSession) -> AsyncSession:
    """``session``, its transaction begun as one that only reads.

    On SQLite it takes no lock (``BEGIN DEFERRED``): ``/catalog``, ``/export`` or an export
    read while an import writes, and do not make other writers wait. The session must not write.
    """
    await session.connection(execution_options={READ_ONLY: True})
    return session


def create_engine(url: str, *, write_wait: int = BOT_WRITE_WAIT_SECONDS) -> AsyncEngine:
    """An async engine for ``url``, with SQLite tuned for a small concurrent server.

    On SQLite, a transaction that writes waits up to ``write_wait`` seconds for another
    process's write lock (see :func:`begin_sqlite`); one that only reads never waits.
    """
    if make_url(url).get_backend_name() == "sqlite":
        # One connection: SQLite has one writer at a time anyway, and queueing on the pool
        # (FIFO, without blocking the event loop) is fairer and faster than many connections
        # polling the file lock with the busy handler's sleeps.
        engine = create_async_engine(
            url,
            connect_args={"timeout": 5},
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            execution_options={WRITE_WAIT: write_wait},
        )
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", begin_sqlite)
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


@asynccontextmanager
async def rollback_on_error(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """The block's changes are rolled back if it raises anything; it commits them itself.

    Anything means ``BaseException``: a task cancelled in the middle (a shutdown, a client
    gone) must not leave its half-done transaction open on a session someone may use again.
    """
    try:
        yield session
    except BaseException:
        await session.rollback()
        raise


async def create_schema(engine: AsyncEngine) -> None:
    """Create every missing table (idempotent)."""
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)


class StepThread:
    """A synchronous ``sqlite3`` engine on the database's SQLite file, used from one thread.

    Its own connection, with the same pragmas and ``BEGIN IMMEDIATE``. The thread is started
    at the first step, and a step is one hop to it (``catalog.store.transactions``).
    """

    def __init__(self, url: URL) -> None:
        # One connection, as the async engine: SQLite has one writer at a time anyway. Steps
        # waited up to the async pool's 60 s for its single connection; on this second one
        # they wait as long for SQLite's write lock instead (an import, a purge).
        self.engine: Engine = create_sync_engine(
            url.set(drivername="sqlite"),
            connect_args={"timeout": 60, "check_same_thread": False},
            pool_size=1, max_overflow=0,
        )
        event.listen(self.engine, "connect", sqlite_pragmas)
        event.listen(self.engine, "begin", begin_immediate)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tremplin-sqlite")

    def close(self) -> None:
        """Stop the thread: steps still queued are cancelled, the one running finishes
        (milliseconds); then close the connection."""
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.engine.dispose()


def _step_thread(url: URL) -> StepThread | None:
    """A step thread for a SQLite file; ``None`` for PostgreSQL (asyncpg has no thread to hop
    to) or an in-memory SQLite database (a second connection would open another, empty, one)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return StepThread(url)


class Database:
    """The engine, its sessions and the step thread, opened together and closed together."""

    __slots__ = ("engine", "sessions", "steps")

    def __init__(self, engine: AsyncEngine, sessions: SessionMaker | None = None) -> None:
        self.engine = engine
        self.sessions = session_maker(engine) if sessions is None else sessions
        self.steps = _step_thread(engine.url)

    async def close(self) -> None:
        """Stop the step thread, then close the engine's connections."""
        if self.steps is not None:
            await asyncio.to_thread(self.steps.close)
        await self.engine.dispose()
