"""Short hot-path transactions run as one synchronous function, in one hop.

A conversation step is a handful of small statements. Through the async ORM on aiosqlite each
statement costs several round trips between the event loop and aiosqlite's thread (cursor,
execute, fetch, close), and those hops, not SQLite, were most of the bot's CPU per update.
:func:`run_transaction` instead runs a plain synchronous function on a SQLAlchemy Core
``Connection``, in a transaction that it commits (or rolls back when the function raises):

- on SQLite, on a synchronous companion engine (the standard ``sqlite3`` driver, same file,
  same pragmas, ``BEGIN IMMEDIATE``) in one dedicated thread, so the whole transaction is a
  single hop and steps queue in that thread as they queued on the single pooled connection;
- on PostgreSQL, through ``AsyncConnection.run_sync`` on the async engine: asyncpg has no
  thread to hop to, and the same function drives it through SQLAlchemy's greenlet bridge.

The companion is created on first use and disposed with its async engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from catalog.store.db import SessionMaker, begin_immediate, sqlite_pragmas

T = TypeVar("T")


class _SQLiteCompanion:
    """A synchronous engine on the async engine's SQLite file, used from one thread only."""

    def __init__(self, url: str) -> None:
        # One connection, as the async engine: SQLite has one writer at a time anyway. Steps
        # waited up to the async pool's 60 s for its single connection; on this second one
        # they wait as long for SQLite's write lock instead (an import, a purge).
        self.engine = create_sync_engine(
            make_url(url).set(drivername="sqlite"),
            connect_args={"timeout": 60, "check_same_thread": False},
            pool_size=1, max_overflow=0,
        )
        event.listen(self.engine, "connect", sqlite_pragmas)
        event.listen(self.engine, "begin", begin_immediate)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tremplin-sqlite")

    def run(self, work: Callable[[Connection], T], abandoned: threading.Event) -> T:
        with self.engine.begin() as connection:
            result = work(connection)
            if abandoned.is_set():
                # Nobody will show the step's replies: roll it back, as PostgreSQL does when
                # the awaiting task is cancelled, so that a redelivered update is not applied
                # twice.
                raise _Abandoned
            return result

    def close(self) -> None:
        # Steps still queued are cancelled; the one running finishes (milliseconds).
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.engine.dispose()


class _Abandoned(Exception):
    """The awaiting task was cancelled while the step ran in the thread."""


_companions: WeakKeyDictionary[Engine, _SQLiteCompanion] = WeakKeyDictionary()
_guard = threading.Lock()


def _companion(engine: AsyncEngine) -> _SQLiteCompanion | None:
    """The SQLite companion of ``engine``; ``None`` for PostgreSQL or an in-memory SQLite
    database (a second connection would open another, empty, database)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    with _guard:
        companion = _companions.get(engine.sync_engine)
        if companion is None:
            companion = _SQLiteCompanion(url.render_as_string(hide_password=False))
            _companions[engine.sync_engine] = companion
            if not event.contains(engine.sync_engine, "engine_disposed", _dispose_companion):
                event.listen(engine.sync_engine, "engine_disposed", _dispose_companion)
        return companion


def _dispose_companion(engine: Engine) -> None:
    with _guard:
        companion = _companions.pop(engine, None)
    if companion is not None:
        companion.close()


def engine_of(sessions: SessionMaker) -> AsyncEngine:
    """The async engine the session maker is bound to."""
    bind: Any = sessions.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        raise TypeError("the session maker is not bound to an AsyncEngine")
    return bind


async def run_transaction(sessions: SessionMaker, work: Callable[[Connection], T]) -> T:
    """``work(connection)`` in one transaction, committed when it returns.

    ``work`` must be synchronous and quick: on SQLite it runs in the companion's thread while
    holding the database's write lock.
    """
    engine = engine_of(sessions)
    companion = _companion(engine)
    if companion is not None:
        abandoned = threading.Event()
        loop = asyncio.get_running_loop()
        running = loop.run_in_executor(companion.executor, companion.run, work, abandoned)
        try:
            return await asyncio.shield(running)
        except asyncio.CancelledError:
            # The thread cannot be interrupted: tell it to roll back, and wait for it, so that
            # whoever cancelled finds the database as it was.
            abandoned.set()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await running
            raise
    async with engine.begin() as connection:
        return await connection.run_sync(work)
